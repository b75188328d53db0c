#pragma once
// Internal: why CUDA tensors cannot be made here. Defined by the CUDA backend and by
// no_cuda.cpp, so callers (tests, messages) need not know how the runtime was built.

#include <string>

namespace aliasguard::detail {

/// Empty when a CUDA device is usable; otherwise the message creating a CUDA tensor throws
/// with ("built without CUDA support ..." or CUDA's own error text).
std::string cuda_unavailable_reason();

}  // namespace aliasguard::detail
