#include "mock_torch.h"

// A finding only because .clang-tidy, next to this file, makes named_parameters() an alias
// source; Inputs/write_named.cpp is the same code without that configuration.
void f(torch::nn::Module &m) {
  auto np = m.named_parameters();
  np["weight"].zero_();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'zero_' on entry 'weight' from 'm.named_parameters()' also writes the module's storage; deep-copy it first (clone(), deep_copy()) [aliasguard-state-dict-mutation]
}
