// RUN: %check_aliasguard --config-file=%S/Inputs/deep-copy-function.clang-tidy %s 'aliasguard-*' %t -- -I%S/Inputs
// DeepCopyFunction names the project's own deep copy (here the mock's torch::deep_copy for
// OrderedDict); the fix is offered because that function is declared and takes the dict.

#include "mock_torch.h"

void PositiveConfiguredDeepCopy(torch::nn::Linear &lin, torch::optim::SGD &opt) {
  auto best = lin->state_dict();
  // CHECK-FIXES: {{^}}  auto best = torch::deep_copy(lin->state_dict());{{$}}
  opt.step();
  lin->load_state_dict(best);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'best' is passed to 'load_state_dict' as a snapshot
}

// A std::vector of tensors has no deep-copy function: no fix, the line stays.
void PositiveVectorHasNoFix(torch::nn::Linear &lin, torch::optim::SGD &opt) {
  std::vector<torch::Tensor> kept = lin->parameters();
  // CHECK-FIXES: {{^}}  std::vector<torch::Tensor> kept = lin->parameters();{{$}}
  opt.step();
  torch::save(kept, "kept.pt");
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'kept' is passed to 'save' as a snapshot
}
