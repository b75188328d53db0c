#pragma once
// Internal: the device interface every backend (host, CUDA) implements.
//
// Note [Kernel contract]
// The core (tensor.cpp and friends) checks shapes, dtypes and devices, broadcasts inputs to
// the output's shape (stride 0 on broadcast dims) and chooses the output dtype. A backend
// then sees only StridedViews that live on its device, all with the output's sizes, and
// never throws for shape reasons. Strides are in elements and may be 0 or negative-free
// positive values; the output never overlaps an input except exactly (in-place ops pass the
// same view as out and first input).

#include <cstddef>
#include <cstdint>

#include "aliasguard/device.h"
#include "aliasguard/dtype.h"

namespace aliasguard::detail {

inline constexpr int kMaxDims = 8;

/// A strided window as a kernel argument: pointer to element [0,...,0], sizes, strides.
struct StridedView {
  void* data = nullptr;
  ScalarType dtype = kFloat32;
  int device = 0;  // CUDA device index; 0 on the host
  int ndim = 0;
  std::int64_t sizes[kMaxDims] = {};
  std::int64_t strides[kMaxDims] = {};

  std::int64_t numel() const {
    std::int64_t n = 1;
    for (int i = 0; i < ndim; ++i) n *= sizes[i];
    return n;
  }
  bool is_contiguous() const {
    std::int64_t expected = 1;
    for (int i = ndim - 1; i >= 0; --i) {
      if (sizes[i] != 1 && strides[i] != expected) return false;
      expected *= sizes[i];
    }
    return true;
  }
};

enum class UnaryOp : std::uint8_t { Neg, Exp, Log, Sigmoid, Relu };
/// Add and Sub compute a + alpha * b. Eq writes Bool.
enum class BinaryOp : std::uint8_t { Add, Sub, Mul, Div, Eq };
/// Reduce the *last* dim of `in` into `out` (in.ndim == out.ndim + 1). ArgMax writes Int64;
/// Max and ArgMax take the first maximum; NaN wins, as in PyTorch.
enum class ReduceOp : std::uint8_t { Sum, Mean, Max, ArgMax };
/// Names for messages ("add", "sigmoid", "argmax").
constexpr const char* op_name(UnaryOp op) {
  switch (op) {
    case UnaryOp::Neg: return "neg";
    case UnaryOp::Exp: return "exp";
    case UnaryOp::Log: return "log";
    case UnaryOp::Sigmoid: return "sigmoid";
    case UnaryOp::Relu: return "relu";
  }
  return "unary op";
}
constexpr const char* op_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "add";
    case BinaryOp::Sub: return "sub";
    case BinaryOp::Mul: return "mul";
    case BinaryOp::Div: return "div";
    case BinaryOp::Eq: return "eq";
  }
  return "binary op";
}
constexpr const char* op_name(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum: return "sum";
    case ReduceOp::Mean: return "mean";
    case ReduceOp::Max: return "max";
    case ReduceOp::ArgMax: return "argmax";
  }
  return "reduction";
}

enum class CopyKind : std::uint8_t { HostToDevice, DeviceToHost, DeviceToDevice };

/// One run of bytes for Backend::copy_many: `nbytes` from `src` to `dst`, both on the device.
struct ByteCopy {
  void* dst = nullptr;
  const void* src = nullptr;
  std::size_t nbytes = 0;
};

/// Memory and kernels of one device type. See Note [Kernel contract].
class Backend {
 public:
  virtual ~Backend() = default;

  virtual DeviceType type() const = 0;
  /// Memory, zero-filled unless `zero` is false (for storage a copy overwrites at once);
  /// throws aliasguard::Error on failure (CUDA's error text included).
  virtual void* allocate(std::size_t nbytes, int device, bool zero = true) = 0;
  virtual void deallocate(void* ptr, std::size_t nbytes, int device) noexcept = 0;

  virtual void fill(const StridedView& out, double value) = 0;
  /// Elementwise copy with dtype conversion (in.dtype may differ from out.dtype).
  virtual void copy(const StridedView& out, const StridedView& in) = 0;
  /// Float32/Float64 for Exp, Log, Sigmoid; any non-Bool dtype for Neg, Relu. out.dtype == in.dtype.
  virtual void unary(UnaryOp op, const StridedView& out, const StridedView& in) = 0;
  /// a, b and out share one dtype (Eq: out is Bool).
  virtual void binary(BinaryOp op, const StridedView& out, const StridedView& a,
                      const StridedView& b, double alpha) = 0;
  /// out = a op s (scalar_first: s op a); Add/Sub: a + alpha*s is not used, alpha is 1.
  virtual void binary_scalar(BinaryOp op, const StridedView& out, const StridedView& a,
                             double scalar, bool scalar_first) = 0;
  /// out = min(max(in, lo), hi); the caller passes -inf / +inf for a missing bound.
  virtual void clamp(const StridedView& out, const StridedView& in, double lo, double hi) = 0;
  virtual void reduce(ReduceOp op, const StridedView& out, const StridedView& in) = 0;
  /// out[M,N] = a[M,K] @ b[K,N]; Float32 or Float64, any strides, out does not overlap a or b.
  virtual void matmul(const StridedView& out, const StridedView& a, const StridedView& b) = 0;
  /// Raw bytes between host and this device (or within it). Host-to-device and
  /// device-to-device may be asynchronous; device-to-host returns when the bytes are there.
  virtual void copy_bytes(void* dst, const void* src, std::size_t nbytes, CopyKind kind, int device) = 0;
  /// Every copy's bytes within `device`, queued like copy_bytes(DeviceToDevice) (it may
  /// return before the bytes are there). No destination may overlap another copy's source
  /// or destination; zero-byte copies are allowed. The CUDA backend copies them all in one
  /// kernel launch (cuda/cuda_copy.cu); the host backend streams a batch larger than the
  /// cache (Note [Streaming batch copies] in cpu/cpu_copy.h).
  virtual void copy_many(const ByteCopy* copies, std::size_t count, int device) = 0;
  virtual void synchronize(int device) = 0;
};

Backend& cpu_backend();
/// The CUDA backend; throws aliasguard::Error ("built without CUDA" or CUDA's error text).
Backend& cuda_backend();
Backend& backend_for(Device device);

}  // namespace aliasguard::detail
