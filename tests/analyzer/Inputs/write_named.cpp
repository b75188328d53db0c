#include "mock_torch.h"

// Not a finding by default (parameters are written through named_parameters() on purpose).
void f(torch::nn::Module &m) {
  auto np = m.named_parameters();
  np["weight"].zero_();
}
