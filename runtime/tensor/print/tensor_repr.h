#pragma once
// Internal: PyTorch's tensor repr over values already copied to the host, so the layout
// logic never touches a device and can be reasoned about separately from the Tensor API.

#include <cstdint>
#include <string>
#include <vector>

#include "aliasguard/dtype.h"
#include "aliasguard/tensor.h"

namespace aliasguard::detail {

/// A tensor's elements in row-major order plus what its repr's suffixes need.
struct HostTensor {
  ScalarType dtype = kFloat32;
  Shape sizes;
  /// Float32/Float64 elements; float32 widened exactly, as PyTorch's `.item()` does.
  std::vector<double> floats;
  /// Int64 elements, and Bool as 0/1.
  std::vector<std::int64_t> ints;
  /// Empty on the host; otherwise what `device=` shows ("cuda:0").
  std::string device;
  bool requires_grad = false;
};

/// `tensor(...)` exactly as PyTorch 1.13's repr() with default print options.
std::string tensor_repr(const HostTensor& t);

/// Python's repr() of a str: `'fc.weight'`, or `"it's"` when only single quotes occur.
std::string python_str_repr(const std::string& s);

}  // namespace aliasguard::detail
