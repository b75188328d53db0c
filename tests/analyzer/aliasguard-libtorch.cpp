// REQUIRES: libtorch
// RUN: %check_aliasguard %s aliasguard-stale-snapshot %t -- -I%torch_include
// The real LibTorch headers (Debian's libtorch-dev): ModuleHolder's `->`, OrderedDict
// items, torch::optim::SGD, const in-place ops, torch::NoGradGuard.

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/sgd.h>
#include <torch/utils.h>

void PositiveKeptNamedParameters(torch::nn::Linear &model, torch::optim::SGD &opt) {
  auto before = model->named_parameters();
  opt.step();
  for (auto &item : model->named_parameters())
    item.value().copy_(before[item.key()]);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'before' is passed to 'copy_' as a snapshot
}

bool PositiveCompareAfterInPlaceUpdate(torch::nn::Linear &model) {
  std::vector<torch::Tensor> params = model->parameters();
  torch::Tensor w0 = params[0].detach();
  {
    torch::NoGradGuard no_grad;
    model->weight.mul_(0.5);
  }
  return torch::allclose(w0, model->weight);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'w0' is passed to 'allclose' as a snapshot
}

void NegativeClonedSnapshot(torch::nn::Linear &model) {
  torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.1));
  std::vector<torch::Tensor> best;
  for (const auto &p : model->parameters())
    best.push_back(p.detach().clone());
  opt.step();
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < best.size(); ++i)
    model->parameters()[i].copy_(best[i]);
}
