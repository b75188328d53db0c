#include "mock_torch.h"

// std::move (mock_torch.h declares it) passes its argument through
// (PassThroughFunctions), so `w` is the entry.
void f(torch::nn::Module &m) {
  auto sd = m.state_dict();
  auto w = std::move(sd["weight"]);
  w.mul_(2);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'mul_' on entry 'weight' from 'm.state_dict()' also writes the module's storage
}
