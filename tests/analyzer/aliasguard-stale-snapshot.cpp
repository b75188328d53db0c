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
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'best' is passed to 'load_state_dict' as a snapshot, but it shares storage with 'model', which changed after it was taken; take the snapshot with clone() or deep_copy() [aliasguard-stale-snapshot]
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

// A helper that returns module storage is an alias source wherever it is called.
Dict snapshot(const torch::nn::Module &m) {
  Dict out;
  for (auto &item : m.named_parameters())
    out[item.key()] = item.value().detach();
  return out;
}
Dict deep_snapshot(const torch::nn::Module &m) { return torch::deep_copy(m.state_dict()); }

void PositiveHelperSnapshot(Net &m, torch::optim::SGD &opt) {
  Dict best = snapshot(m);
  opt.step();
  m.load_state_dict(best);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'best' is passed to 'load_state_dict' as a snapshot, but it shares storage with 'm', which changed
}

void NegativeDeepHelperSnapshot(Net &m, torch::optim::SGD &opt) {
  Dict best = deep_snapshot(m);
  opt.step();
  m.load_state_dict(best);
}

// A helper that changes a module it sees from outside changes it at every call.
Net global_net;
torch::optim::SGD global_opt(global_net.parameters(), 0.1);
void train_global() { global_opt.step(); }
void perturb(const torch::Tensor &w) { w.add_(0.01); }

void PositiveHelperChangesAGlobal() {
  Dict kept = global_net.state_dict();
  train_global();
  torch::save(kept, "kept.pt");
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'kept' is passed to 'save' as a snapshot
}

void PositiveHelperWritesAParameter(Net &m) {
  torch::Tensor w0 = m.parameters()[0];
  perturb(m.fc->weight);
  (void)w0.equal(m.fc->weight);
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'w0' is passed to 'equal' as a snapshot
}

// Lambdas that capture the optimizer or the module by reference change the module when
// they are called, directly, through std::function, or handed to another function.
namespace std {
template <class> struct function;
template <class R> struct function<R()> {
  template <class F> function(F) {}
  R operator()() const;
};
} // namespace std
void for_each_batch(int n, std::function<void()> body);

void PositiveLambdaCalledLater(Net &m, torch::optim::SGD &opt) {
  auto train_step = [&] { opt.step(); };
  Dict best = m.state_dict();
  train_step();
  m.load_state_dict(best);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'best' is passed to 'load_state_dict' as a snapshot
}

void PositiveStdFunctionCalledLater(Net &m) {
  std::function<void()> reset = [&m] { m.load_state_dict(snapshot(m)); train_epoch(m); };
  Dict best = m.state_dict();
  reset();
  torch::save(best, "best.pt");
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'best' is passed to 'save' as a snapshot
}

void PositiveLambdaHandedToAFunction(Net &m, torch::optim::SGD &opt) {
  Dict best = m.state_dict();
  for_each_batch(10, [&opt] { opt.step(); });
  m.load_state_dict(best);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'best' is passed to 'load_state_dict' as a snapshot
}

void NegativeLambdaNotCalled(Net &m, torch::optim::SGD &opt) {
  auto train_step = [&] { opt.step(); };
  Dict best = m.state_dict();
  m.load_state_dict(best);
  train_step();
}

void NegativeLambdaChangesAnotherModule(Net &a, Net &b) {
  auto train_b = [&b] { train_epoch(b); };
  Dict sa = a.state_dict();
  train_b();
  torch::save(sa, "a.pt");
}

void NegativeLambdaOnlyReads(Net &m, torch::optim::SGD &opt) {
  auto report = [&] { evaluate(m); };
  Dict best = m.state_dict();
  report();
  m.load_state_dict(best);
  (void)opt;
}

struct Loop {
  Net model_;
  torch::optim::SGD opt_{model_.parameters(), 0.1};
  Dict best_;

  void epoch() { opt_.step(); }
  Dict current() { return model_.state_dict(); }

  void PositiveMethodChangesAField() {
    best_ = current();
    epoch();
    model_.load_state_dict(best_);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'best_' is passed to 'load_state_dict' as a snapshot, but it shares storage with 'model_', which changed
  }
};

// An immediately-invoked lambda that hands out the dict is followed like a helper.
void PositiveImmediatelyInvokedLambda(Net &m, torch::optim::SGD &opt) {
  auto best = [&] { return m.state_dict(); }();
  opt.step();
  m.load_state_dict(best);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'best' is passed to 'load_state_dict' as a snapshot, but it shares storage with 'm', which changed after it was taken
}
