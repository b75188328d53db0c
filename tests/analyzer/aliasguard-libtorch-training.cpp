// REQUIRES: libtorch
// RUN: %check_aliasguard %s aliasguard-stale-snapshot %t -- -I%torch_include
// A LibTorch training loop (real headers): the module registers its layers, training runs
// through a lambda that captures the optimizer by reference, snapshots are saved with
// torch::save. Keeping parameters() or named_parameters() is keeping the live storage.

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/sgd.h>
#include <torch/serialize.h>
#include <torch/utils.h>

struct NetImpl : torch::nn::Module {
  NetImpl() : fc(register_module("fc", torch::nn::Linear(4, 2))) {}
  torch::Tensor forward(const torch::Tensor &x) { return fc->forward(x); }
  torch::nn::Linear fc;
};
TORCH_MODULE(Net);

double validate(Net &net);

void PositiveBestParametersAfterLambdaSteps(Net &net, const torch::Tensor &x, int epochs) {
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.01));
  auto train_step = [&] {
    opt.zero_grad();
    net->forward(x).sum().backward();
    opt.step();
  };
  std::vector<torch::Tensor> best;
  double best_score = -1;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    train_step();
    if (double score = validate(net); score > best_score) {
      best_score = score;
      best = net->parameters(); // the live tensors, not a copy
    }
  }
  torch::save(best, "best.pt");
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'best' is passed to 'save' as a snapshot, but it shares storage with 'net', which changed after it was taken; take the snapshot with clone() or deep_copy() [aliasguard-stale-snapshot]
}

void PositiveRestoreNamedParameters(Net &net, torch::optim::SGD &opt) {
  auto before = net->named_parameters();
  opt.step();
  torch::NoGradGuard no_grad;
  for (auto &item : net->named_parameters())
    item.value().copy_(before[item.key()]);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'before' is passed to 'copy_' as a snapshot
}

bool PositiveCompareWeightAfterStep(Net &net, torch::optim::SGD &opt) {
  torch::Tensor w0 = net->fc->weight.detach();
  opt.step();
  return torch::equal(w0, net->fc->weight);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'w0' is passed to 'equal' as a snapshot
}

void NegativeClonedBest(Net &net, const torch::Tensor &x, int epochs) {
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.01));
  auto train_step = [&] {
    opt.zero_grad();
    net->forward(x).sum().backward();
    opt.step();
  };
  std::vector<torch::Tensor> best;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    train_step();
    best.clear();
    for (const auto &p : net->parameters())
      best.push_back(p.detach().clone());
  }
  torch::save(best, "best.pt");
}

void NegativeSavingTheLiveModel(Net &net, torch::optim::SGD &opt) {
  opt.step();
  torch::save(net, "net.pt"); // the module itself, after training: no snapshot involved
  torch::save(net->parameters(), "params.pt");
}

// Gradient averaging across replicas writes gradients, not parameters.
void NegativeGradientAveraging(Net &net, int replicas) {
  auto kept = net->named_parameters();
  for (auto &p : net->parameters())
    p.mutable_grad().data() = p.grad().data() / replicas;
  torch::save(kept.values(), "kept.pt");
}

// Lottery-ticket rewinding: the initial weights are kept without a copy, so the deep copy
// taken after training copies the trained weights, and the "rewind" restores nothing.
void PositiveRewindThroughALateClone(Net &net, torch::optim::SGD &opt) {
  auto init = net->named_parameters();
  opt.step();
  torch::NoGradGuard no_grad;
  for (auto &item : net->named_parameters())
    item.value().copy_(init[item.key()].clone());
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'init' is passed to 'copy_' as a snapshot, but it shares storage with 'net', which changed after it was taken
}

void NegativeRewindToAClonedInit(Net &net, torch::optim::SGD &opt) {
  std::vector<torch::Tensor> init;
  for (const auto &p : net->parameters())
    init.push_back(p.detach().clone());
  opt.step();
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < init.size(); ++i)
    net->parameters()[i].copy_(init[i].clone());
}

// A declared copy of a module holder is a second name for the same module, not a snapshot:
// saving it after training saves the trained module, as meant.
void NegativeDeclaredCopyIsASecondName(Net &net, torch::optim::SGD &opt) {
  Net model = net;
  opt.step();
  torch::save(model, "model.pt");
}

// Stochastic weight averaging into a separate model: the trained model's parameters are
// operands of the average, which is the module written.
void NegativeSwaIntoASeparateModel(Net &net, Net &swa, torch::optim::SGD &opt, int epochs) {
  for (int n = 0; n < epochs; ++n) {
    opt.step();
    torch::NoGradGuard no_grad;
    auto avg = swa->parameters();
    auto cur = net->parameters();
    for (size_t i = 0; i < avg.size(); ++i)
      avg[i].add_((cur[i] - avg[i]) / (n + 1));
  }
  torch::save(swa, "swa.pt");
}

// Checkpoint averaging: N checkpoints loaded into models of their own, averaged into a third.
void NegativeCheckpointAveraging(Net &avg, const std::vector<std::string> &paths) {
  std::vector<Net> loaded;
  for (const auto &path : paths) {
    Net one;
    torch::load(one, path);
    loaded.push_back(one);
  }
  torch::NoGradGuard no_grad;
  auto out = avg->parameters();
  for (auto &p : out)
    p.zero_();
  for (auto &one : loaded) {
    auto ps = one->parameters();
    for (size_t i = 0; i < out.size(); ++i)
      out[i].add_(ps[i] / static_cast<double>(loaded.size()));
  }
  torch::save(avg, "averaged.pt");
}

// Weights kept to come back to after trying a fresh initialisation: reset_parameters() wrote
// the kept storage, so the "restore" keeps the fresh weights.
void PositiveSnapshotKeptAcrossResetParameters(Net &net) {
  auto saved = net->fc->named_parameters();
  net->fc->reset_parameters();
  torch::NoGradGuard no_grad;
  for (auto &item : net->fc->named_parameters())
    item.value().copy_(saved[item.key()]);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'saved' is passed to 'copy_' as a snapshot
}

// A lambda that uses a captured snapshot uses it where it is called: after the step, the
// "restore" copies the trained weights onto themselves (Note [Summaries]).
void PositiveRestoreThroughALambdaCalledAfterTheStep(Net &net, torch::optim::SGD &opt) {
  auto best = net->named_parameters();
  auto restore = [&] {
    torch::NoGradGuard no_grad;
    for (auto &item : net->named_parameters())
      item.value().copy_(best[item.key()]);
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'best' is passed to 'copy_' as a snapshot, but it shares storage with 'net', which changed after it was taken
  };
  restore(); // before the step: nothing has changed yet
  opt.step();
  restore();
}

void PositiveSaveInAnImmediatelyInvokedLambda(Net &net, torch::optim::SGD &opt) {
  auto best = net->parameters();
  opt.step();
  [&] { torch::save(best, "best.pt"); }();
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'best' is passed to 'save' as a snapshot
}

// The lambda's own training comes after its use of the snapshot, and a lambda that takes a
// fresh copy each time uses nothing stale.
void NegativeLambdaSavesThenTrains(Net &net, torch::optim::SGD &opt) {
  auto best = net->parameters();
  auto epoch = [&] {
    torch::save(best, "before-epoch.pt");
    opt.step();
  };
  epoch();
  std::vector<torch::Tensor> kept;
  auto keep = [&] {
    kept.clear();
    for (const auto &p : net->parameters())
      kept.push_back(p.detach().clone());
    torch::save(kept, "kept.pt");
  };
  opt.step();
  keep();
}
