// RUN: %check_aliasguard %s 'aliasguard-*' %t -- -std=c++20 -I%runtime_include
// aliasguard's own runtime: StateDict = OrderedDict<std::string, Tensor>, deep_copy(),
// compound operators taking Located<...> arguments.

#include <aliasguard/aliasguard.h>

namespace ag = aliasguard;

void PositiveWriteThroughDict(ag::nn::Linear &fc) {
  ag::StateDict sd = fc.state_dict();
  for (auto &[key, value] : sd)
    value.data() *= 0.5;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: in-place 'operator*=' on a tensor from 'fc.state_dict()' also writes the module's storage; deep-copy it first (clone(), deep_copy()) [aliasguard-state-dict-mutation]
}

void PositiveStaleBest(ag::nn::Linear &fc, ag::optim::SGD &opt) {
  ag::StateDict best = fc.state_dict();
  opt.step();
  fc.load_state_dict(best);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'best' is passed to 'load_state_dict' as a snapshot, but it shares storage with 'fc', which changed after it was taken; take the snapshot with clone() or deep_copy() [aliasguard-stale-snapshot]
}

void NegativeDeepCopies(ag::nn::Linear &fc, ag::optim::SGD &opt) {
  ag::StateDict best = ag::deep_copy(fc.state_dict());
  for (auto &[key, value] : best)
    value.mul_(2.0);
  opt.step();
  fc.load_state_dict(best);
}

// Structured bindings over the dict keep the entries; a container of snapshots stores them.
void PositiveStructuredBindingKeptThenStored(ag::nn::Linear &fc, ag::optim::SGD &opt,
                                             std::vector<ag::Tensor> &history) {
  ag::Tensor kept;
  for (auto &[key, value] : fc.state_dict())
    if (key == "weight")
      kept = value;
  opt.step();
  history.push_back(kept);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'kept' is passed to 'push_back' as a snapshot, but it shares storage with 'fc', which changed
}

bool PositiveEqualAfterStep(ag::nn::Linear &fc, ag::optim::SGD &opt) {
  auto [name, w0] = *fc.named_parameters().begin();
  opt.step();
  return w0.equal(fc.weight);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: 'w0' is passed to 'equal' as a snapshot
}

void NegativeStructuredBindingOfDeepCopy(ag::nn::Linear &fc, ag::optim::SGD &opt,
                                         std::vector<ag::Tensor> &history) {
  for (auto &[key, value] : ag::deep_copy(fc.state_dict()))
    history.push_back(value);
  opt.step();
  for (auto &[key, value] : ag::deep_copy(fc.state_dict()))
    value.mul_(0.5);
}
