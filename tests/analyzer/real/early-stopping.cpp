// REQUIRES: libtorch
// RUN: %check_aliasguard %s 'aliasguard-*' %t -- -I%torch_include
// Early stopping with "restore best weights", translated from public PyTorch projects into
// LibTorch. LibTorch's Module has no state_dict(), so the file defines one the way C++
// projects do (detach()ed parameters: the same storage). Keeping its entries, or moving
// them to the device they are already on, keeps the live weights.

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/sgd.h>
#include <torch/ordered_dict.h>
#include <torch/utils.h>

#include <limits>
#include <string>

using Dict = torch::OrderedDict<std::string, torch::Tensor>;

Dict state_dict(const torch::nn::Module &m) {
  Dict out;
  for (const auto &item : m.named_parameters())
    out.insert(item.key(), item.value().detach());
  return out;
}

double validation_loss(torch::nn::Linear &model);

// Translated from Dizolivemint/CS580-Text-Predictor, scripts/early_stopping.py (the best
// state is `{k: v.cpu() for k, v in model.state_dict().items()}`; on a CPU model cpu()
// returns the same tensor, so restore_best_weights() restores the last weights).
void PositiveBestStateOnSameDevice(torch::nn::Linear &model, const torch::Tensor &x, int epochs) {
  torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.1));
  Dict best_state;
  double best_loss = std::numeric_limits<double>::max();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    opt.zero_grad();
    model->forward(x).sum().backward();
    opt.step();
    if (double loss = validation_loss(model); loss < best_loss) {
      best_loss = loss;
      best_state.clear();
      for (const auto &item : state_dict(*model))
        best_state.insert(item.key(), item.value().to(torch::kCPU));
    }
  }
  torch::NoGradGuard no_grad;
  for (auto &item : model->named_parameters())
    item.value().copy_(best_state[item.key()]);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'best_state' is passed to 'copy_' as a snapshot, but it shares storage with
}

// The same helper keeping the dict itself, as EarlyStopping classes that store
// `model.state_dict()` unchanged do.
void PositiveBestStateDictKept(torch::nn::Linear &model, const torch::Tensor &x, int epochs) {
  torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.1));
  Dict best_state;
  double best_loss = std::numeric_limits<double>::max();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    opt.zero_grad();
    model->forward(x).sum().backward();
    opt.step();
    if (double loss = validation_loss(model); loss < best_loss) {
      best_loss = loss;
      best_state = state_dict(*model);
    }
  }
  torch::NoGradGuard no_grad;
  for (auto &item : model->named_parameters())
    item.value().copy_(best_state[item.key()]);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'best_state' is passed to 'copy_' as a snapshot, but it shares storage with '*model', which changed after it was taken; take the snapshot with clone() or deep_copy() [aliasguard-stale-snapshot]
}

// Translated from patricklawton/TecateCypress, sensitivity/NN_testing/EarlyStopping.py
// (the best state is `{k: v.clone() for ...}`): restoring it restores the best weights.
void NegativeBestStateCloned(torch::nn::Linear &model, const torch::Tensor &x, int epochs) {
  torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.1));
  Dict best_state;
  double best_loss = std::numeric_limits<double>::max();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    opt.zero_grad();
    model->forward(x).sum().backward();
    opt.step();
    if (double loss = validation_loss(model); loss < best_loss) {
      best_loss = loss;
      best_state.clear();
      for (const auto &item : state_dict(*model))
        best_state.insert(item.key(), item.value().clone());
    }
  }
  torch::NoGradGuard no_grad;
  for (auto &item : model->named_parameters())
    item.value().copy_(best_state[item.key()]);
}
