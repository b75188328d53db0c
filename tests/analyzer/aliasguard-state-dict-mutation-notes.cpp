// RUN: %check_aliasguard %s aliasguard-state-dict-mutation %t -- -I%S/Inputs
// Every related location gets a note: here, where the alias was obtained.

#include "mock_torch.h"

void PositiveNoteAtSource(torch::nn::Linear &lin) {
  auto sd = lin->state_dict();
  for (auto &item : sd)
    item.value().data().sub_(item.value().grad());
  // CHECK-NOTES: :[[@LINE-1]]:5: warning: in-place 'sub_' on a tensor from 'lin->state_dict()' also writes the module's storage; deep-copy it first (clone(), deep_copy()) [aliasguard-state-dict-mutation]
  // CHECK-NOTES: :[[@LINE-4]]:13: note: 'lin->state_dict()' returns tensors that share storage with the module
}

// A helper that writes its argument: a note inside it, and (LibTorch's dict has no
// deep-copy function) what to write instead of a fix-it.
void zero(const torch::Tensor &t) { t.zero_(); }

void PositiveNoteInsideHelper(torch::nn::Linear &lin) {
  auto sd = lin->state_dict();
  zero(sd["bias"]);
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: in-place 'zero' on entry 'bias' from 'lin->state_dict()' also writes the module's storage; deep-copy it first (clone(), deep_copy()) [aliasguard-state-dict-mutation]
  // CHECK-NOTES: :[[@LINE-3]]:13: note: 'lin->state_dict()' returns tensors that share storage with the module
  // CHECK-NOTES: :[[@LINE-7]]:37: note: 'zero' writes its argument in place here
  // CHECK-NOTES: :[[@LINE-5]]:13: note: deep-copy here by cloning each tensor of the collection (no fix-it: no DeepCopyFunction accepts its type)
}
