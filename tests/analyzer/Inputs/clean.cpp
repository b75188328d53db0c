#include <stddef.h> // from Clang's resource directory, which the tool finds itself
#include "mock_torch.h"
size_t f(torch::nn::Module &m) { return m.state_dict().size(); }
