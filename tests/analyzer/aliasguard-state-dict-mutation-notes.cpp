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
