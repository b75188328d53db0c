#pragma once
/// \file Where a call to <aliasguard/torch.h> was made, filled in at the caller. Its own
/// header so that the LibTorch layer's sources that need it do not parse torch/nn.

namespace aliasguard::torch {

/// Where a call was made, filled in by the compiler at the caller (C++17 has no
/// std::source_location; GCC and Clang provide the same builtins). Reports name this site.
struct CallSite {
  const char* file = __builtin_FILE();
  int line = __builtin_LINE();
  const char* function = __builtin_FUNCTION();
};

}  // namespace aliasguard::torch
