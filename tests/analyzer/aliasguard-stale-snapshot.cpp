// RUN: %check_aliasguard %s aliasguard-stale-snapshot %t -- -I%S/Inputs

#include "mock_torch.h"

using Dict = torch::OrderedDict<std::string, torch::Tensor>;

struct Net : torch::nn::Module {
  torch::nn::Linear fc{2, 2};
};

bool better(int epoch);
void train_epoch(Net &m);
void evaluate(const Net &m);

void PositiveRestoreBestAfterTraining(Net &model, int epochs) {
  torch::optim::SGD opt(model.parameters(), 0.1);
  Dict best;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    opt.step();
    if (better(epoch))
      best = model.state_dict(); // an alias, not a copy: the next step() changes it
  }
  model.load_state_dict(best);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'best' is passed to 'load_state_dict' as a snapshot, but it shares storage with the module, which changed after it was taken; take the snapshot with clone() or deep_copy() [aliasguard-stale-snapshot]
}

void PositiveCopyBack(Net &m, torch::optim::Optimizer &opt) {
  Dict before = m.state_dict();
  opt.step();
  for (auto &item : m.named_parameters())
    item.value().copy_(before[item.key()]);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'before' is passed to 'copy_' as a snapshot
}

bool PositiveCompare(Net &m, torch::optim::SGD &opt) {
  auto params = m.parameters();
  torch::Tensor w0 = params[0];
  opt.step();
  return w0.equal(m.fc->weight);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'w0' is passed to 'equal' as a snapshot
}

Dict PositiveReturnedAfterCall(Net &m) {
  Dict snapshot = m.state_dict();
  train_epoch(m); // takes the module by non-const reference
  return snapshot;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'snapshot' is returned as a snapshot
}

void PositiveSavedAfterInPlaceUpdate(Net &m) {
  auto sd = m.state_dict();
  for (auto &p : m.parameters())
    p.data() -= 0.5 * p.data();
  torch::save(sd, "before.pt");
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'sd' is passed to 'save' as a snapshot
}

void PositiveStructuredBinding(Net &m, torch::optim::SGD &opt) {
  std::vector<torch::Tensor> kept;
  for (auto &item : m.named_parameters())
    kept.push_back(item.value());
  opt.step();
  torch::save(kept, "kept.pt");
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'kept' is passed to 'save' as a snapshot
}

void PositiveLoadStateDictChangesTheModule(Net &m, const Dict &other) {
  Dict mine = m.state_dict();
  m.load_state_dict(other); // overwrites the storage `mine` shares
  torch::save(mine, "mine.pt");
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'mine' is passed to 'save' as a snapshot
}

void NegativeCloneSnapshot(Net &m, torch::optim::SGD &opt) {
  torch::Tensor w0 = m.fc->weight.clone();
  Dict best = torch::deep_copy(m.state_dict());
  opt.step();
  (void)w0.equal(m.fc->weight);
  m.load_state_dict(best);
}

void NegativeReassignedFromDeepCopy(Net &m, torch::optim::SGD &opt) {
  Dict best = m.state_dict();
  best = torch::deep_copy(best);
  opt.step();
  m.load_state_dict(best);
}

void NegativePrintingIsALiveRead(Net &m, torch::optim::SGD &opt) {
  Dict sd = m.state_dict();
  opt.step();
  std::cout << sd["fc.weight"]; // shows current values, which is what printing wants
}

void NegativeOptimizerOwnsTheParameters(Net &m) {
  auto params = m.parameters();
  torch::optim::SGD opt(params, 0.1);
  opt.step();
  torch::save(params, "params.pt"); // the live parameter list, saved after training
}

void NegativeLoadFromAnotherModel(Net &target, Net &online) {
  target.load_state_dict(online.state_dict());
  Dict t = target.state_dict();
  target.load_state_dict(online.state_dict());
  evaluate(target);
}

void NegativeRestoreTwice(Net &m, torch::optim::SGD &opt) {
  Dict best = torch::deep_copy(m.state_dict());
  opt.step();
  m.load_state_dict(best);
  m.load_state_dict(best);
}

void NegativeOtherModuleChanged(Net &a, Net &b) {
  Dict sa = a.state_dict();
  train_epoch(b);
  torch::save(sa, "a.pt");
}

void NegativeConstReference(Net &m) {
  Dict sd = m.state_dict();
  evaluate(m);
  torch::save(sd, "sd.pt");
}

struct Trainer {
  Net model_;
  torch::optim::SGD opt_{model_.parameters(), 0.1};
  Dict best_;

  void PositiveMemberSnapshot() {
    best_ = model_.state_dict();
    opt_.step();
    model_.load_state_dict(best_);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'best_' is passed to 'load_state_dict' as a snapshot
  }

  void NegativeMemberDeepCopy() {
    best_ = torch::deep_copy(model_.state_dict());
    opt_.step();
    model_.load_state_dict(best_);
  }
};

// Gradient averaging writes the gradients, not the parameters: not a module change, so a
// snapshot taken before it is still good to restore.
void NegativeGradientAveraging(torch::nn::Module &model, int replicas) {
  auto snapshot = model.state_dict();
  for (auto &p : model.parameters()) p.grad().data() = p.grad().data() * (1.0 / replicas);
  model.load_state_dict(snapshot);
}
