// REQUIRES: libtorch
// RUN: %check_aliasguard %s 'aliasguard-*' %t -- -I%torch_include
// Training code that upstream projects keep in header templates (Inputs/segmentor.h,
// Inputs/trainer.h), instantiated here with a small model. The finding expected in a
// header is written with the header's name; the other template functions are intended.

#include "Inputs/segmentor.h"
#include "Inputs/trainer.h"

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/linear.h>

struct SegNetImpl : torch::nn::Cloneable<SegNetImpl> {
  SegNetImpl() { reset(); }
  void reset() override {
    encoder = register_module("encoder", torch::nn::Linear(4, 4));
    head = register_module("head", torch::nn::Linear(4, 2));
  }
  torch::Tensor forward(const torch::Tensor &x) { return head->forward(encoder->forward(x)); }
  torch::nn::Linear encoder{nullptr}, head{nullptr};
};
TORCH_MODULE(SegNet);

void NegativeSegmentorTrainAndLoad(const torch::Tensor &x) {
  Segmentor<SegNet> segmentor{SegNet()};
  segmentor.Train(1e-3f, 4, 2, x, "segmentor.pt");
  segmentor.LoadWeight("segmentor.pt");
}

double NegativeTrainerKeepsClone(const torch::Tensor &x) {
  return Trainer<SegNet>().Train(SegNet(), x, 4, "net.pt");
}

double PositiveTrainerKeepsHolderCopy(const torch::Tensor &x) {
  return Trainer<SegNet>().TrainKeepingHolderCopy(SegNet(), x, 4, "net.pt");
  // CHECK-MESSAGES: {{.*}}Inputs/trainer.h:64:3: warning: 'bestNet' is passed to 'save' as a snapshot, but it shares storage with 'net', which changed after it was taken
}
