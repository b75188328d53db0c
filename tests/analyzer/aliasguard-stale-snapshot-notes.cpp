// RUN: %check_aliasguard %s aliasguard-stale-snapshot %t -- -I%S/Inputs
// Notes at both related locations: where the alias was taken, where the module changed;
// and, where no fix-it can be offered, what to write instead.

#include "mock_torch.h"

void PositiveNotes(torch::nn::Linear &lin, torch::optim::SGD &opt) {
  auto best = lin->state_dict();
  opt.step();
  lin->load_state_dict(best);
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: 'best' is passed to 'load_state_dict' as a snapshot, but it shares storage with 'lin', which changed after it was taken; take the snapshot with clone() or deep_copy() [aliasguard-stale-snapshot]
  // CHECK-NOTES: :[[@LINE-4]]:15: note: 'best' is taken from 'lin->state_dict()' here, without a copy
  // CHECK-NOTES: :[[@LINE-4]]:3: note: the module changes here ('opt.step()')
  // LibTorch's OrderedDict has no deep-copy function to offer as a fix-it:
  // CHECK-NOTES: :[[@LINE-7]]:15: note: deep-copy here by cloning each tensor of the collection (no fix-it: no DeepCopyFunction accepts its type)
}
