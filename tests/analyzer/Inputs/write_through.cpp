#include "mock_torch.h"

// Line 7, column 3 below: the write through the dict.
void f(torch::nn::Module &m) {
  auto sd = m.state_dict();
  (void)sd.size();
  sd["w"].add_(1.0);
}
