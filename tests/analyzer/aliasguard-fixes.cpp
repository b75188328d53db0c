// RUN: %check_aliasguard %s 'aliasguard-*' %t -- -std=c++20 -I%runtime_include
// Fix-its: the deep copy goes where the variable took its value -- `.clone()` after a
// tensor, DeepCopyFunction (default `aliasguard::deep_copy(%0)`) around a collection.
// Every front end applies them (aliasguard-check --fix, clang-tidy --fix,
// clang++ -Xclang -fixit); the CHECK-FIXES lines match the file afterwards.

#include <aliasguard/aliasguard.h>

namespace ag = aliasguard;

void PositiveDictFix(ag::nn::Linear &fc, ag::optim::SGD &opt) {
  ag::StateDict best = fc.state_dict();
  // CHECK-FIXES: {{^}}  ag::StateDict best = aliasguard::deep_copy(fc.state_dict());{{$}}
  opt.step();
  fc.load_state_dict(best);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'best' is passed to 'load_state_dict' as a snapshot
}

void PositiveTensorFix(ag::nn::Linear &fc) {
  ag::StateDict sd = fc.state_dict();
  ag::Tensor w = sd["weight"];
  // CHECK-FIXES: {{^}}  ag::Tensor w = sd["weight"].clone();{{$}}
  w.mul_(0.5);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'mul_' on entry 'weight' from 'fc.state_dict()'
}

void PositiveConditionalGetsParentheses(ag::nn::Linear &fc, bool first) {
  ag::StateDict sd = fc.state_dict();
  ag::Tensor t = first ? sd["weight"] : sd["bias"];
  // CHECK-FIXES: {{^}}  ag::Tensor t = (first ? sd["weight"] : sd["bias"]).clone();{{$}}
  t.zero_();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'zero_' on entry 'weight' from 'fc.state_dict()'
}

// Both checks point at the same declaration: the copy is inserted once.
void PositiveBothChecksOneFix(ag::nn::Linear &fc, ag::optim::SGD &opt) {
  ag::StateDict kept = fc.state_dict();
  // CHECK-FIXES: {{^}}  ag::StateDict kept = aliasguard::deep_copy(fc.state_dict());{{$}}
  kept["bias"].fill_(0.0);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'fill_' on entry 'bias' from 'fc.state_dict()'
  opt.step();
  fc.load_state_dict(kept);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'kept' is passed to 'load_state_dict' as a snapshot
}

// Reassignment: the fix goes to the assignment the value came from.
void PositiveFixAtTheAssignment(ag::nn::Linear &fc, ag::optim::SGD &opt) {
  ag::StateDict best;
  best = fc.state_dict();
  // CHECK-FIXES: {{^}}  best = aliasguard::deep_copy(fc.state_dict());{{$}}
  opt.step();
  fc.load_state_dict(best);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'best' is passed to 'load_state_dict' as a snapshot
}

// A write through a temporary dict means to change the module (Note [Dicts that are not
// kept]): neither reported nor fixed.
void NegativeTemporaryIsAnUpdate(ag::nn::Linear &fc) {
  fc.state_dict()["bias"].add_(1.0);
  // CHECK-FIXES: {{^}}  fc.state_dict()["bias"].add_(1.0);{{$}}
}
