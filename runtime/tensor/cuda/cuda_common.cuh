#pragma once
// Internal: what the CUDA backend's translation units share: error checking, the device
// guard, per-device streams, launch sizing, strided offset math and element helpers.

#include <cuda_runtime.h>

#include <climits>
#include <cstdint>
#include <string>
#include <type_traits>

#include "aliasguard/dtype.h"
#include "aliasguard/error.h"
#include "backend.h"
#include "cuda/cuda_stream.h"  // stream_for

namespace aliasguard::detail::cuda_impl {

/// Throws aliasguard::Error naming `call` and CUDA's own text when `status` is a failure.
/// `context` says what the runtime was doing ("allocating 4096 bytes on cuda:0").
void check(cudaError_t status, const char* call, const std::string& context = {});

/// Makes `device` current for its lifetime and restores the caller's device, so the
/// runtime never leaves a user's CUDA code on a device it did not choose.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
  bool switched_ = false;
};


/// Checks the launch that was just queued (bad configuration, missing kernel image).
void check_launch(const char* kernel);

inline constexpr int kBlockSize = 256;
// Grid-stride loops cover the rest; the cap keeps launches within every GPU's grid limits.
inline constexpr std::int64_t kMaxBlocks = 65535;

inline unsigned int blocks_for(std::int64_t n, std::int64_t per_block = kBlockSize) {
  const std::int64_t blocks = (n + per_block - 1) / per_block;
  return static_cast<unsigned int>(blocks < kMaxBlocks ? blocks : kMaxBlocks);
}

// Note [CUDA strided offsets]
// Every view given to one kernel has the output's sizes (see Note [Kernel contract]), so a
// linear index is decomposed into an N-d index once and dotted with each view's strides.
// When every view is contiguous the linear index is already each view's offset.

/// Sizes shared by N views and each view's strides, passed by value to a kernel.
template <int N>
struct OffsetCalc {
  int ndim = 0;
  std::int64_t sizes[kMaxDims] = {};
  std::int64_t strides[N][kMaxDims] = {};

  // Host-callable so the index math can be checked without a GPU. The k loops have a
  // constant trip count and unroll without a pragma (which g++ would warn about here).
  __host__ __device__ void get(std::int64_t linear, std::int64_t (&offsets)[N]) const {
    for (int k = 0; k < N; ++k) offsets[k] = 0;
    for (int d = ndim - 1; d >= 0; --d) {
      const std::int64_t index = linear % sizes[d];
      linear /= sizes[d];
      for (int k = 0; k < N; ++k) offsets[k] += index * strides[k][d];
    }
  }
};

/// Index math for views that all have views[0]'s sizes. Size-1 dims are dropped and a dim
/// is folded into the one outside it when every view steps through both as one (a slice
/// of contiguous rows, a broadcast row), which saves a 64-bit division per element per dim.
template <int N>
OffsetCalc<N> make_offset_calc(const StridedView* const (&views)[N]) {
  const StridedView& out = *views[0];
  for (const StridedView* v : views) {
    bool same = v->ndim == out.ndim;
    for (int d = 0; same && d < out.ndim; ++d) same = v->sizes[d] == out.sizes[d];
    // Mismatched geometry would index out of bounds on the device; refuse it here.
    if (!same) throw Error("CUDA backend: operands do not have the output's sizes (internal error; please report)");
  }
  OffsetCalc<N> calc;
  for (int d = 0; d < out.ndim; ++d) {
    const std::int64_t size = out.sizes[d];
    if (size == 1) continue;
    if (calc.ndim > 0) {
      const int outer = calc.ndim - 1;
      bool fold = true;
      for (int k = 0; k < N; ++k) fold = fold && calc.strides[k][outer] == views[k]->strides[d] * size;
      if (fold) {
        calc.sizes[outer] *= size;
        for (int k = 0; k < N; ++k) calc.strides[k][outer] = views[k]->strides[d];
        continue;
      }
    }
    calc.sizes[calc.ndim] = size;
    for (int k = 0; k < N; ++k) calc.strides[k][calc.ndim] = views[k]->strides[d];
    ++calc.ndim;
  }
  return calc;
}

template <int N>
bool all_contiguous(const StridedView* const (&views)[N]) {
  for (const StridedView* v : views) {
    if (!v->is_contiguous()) return false;
  }
  return true;
}

/// Runs `op(offsets)` for every element; offsets[k] is the element's offset in views[k].
template <int N, bool Contiguous, class Op>
__global__ void __launch_bounds__(kBlockSize) elementwise_kernel(std::int64_t n, OffsetCalc<N> calc, Op op) {
  const std::int64_t step = static_cast<std::int64_t>(blockDim.x) * gridDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    std::int64_t offsets[N];
    if constexpr (Contiguous) {
#pragma unroll
      for (int k = 0; k < N; ++k) offsets[k] = i;
    } else {
      calc.get(i, offsets);
    }
    op(offsets);
  }
}

/// Queues `op` over every element of views[0] on `stream`; nothing for 0 elements (a
/// 0-block launch is an error).
template <int N, class Op>
void launch_elementwise(const StridedView* const (&views)[N], const Op& op, cudaStream_t stream, const char* name) {
  const std::int64_t n = views[0]->numel();
  if (n == 0) return;
  const OffsetCalc<N> calc = make_offset_calc(views);
  if (all_contiguous(views)) {
    elementwise_kernel<N, true, Op><<<blocks_for(n), kBlockSize, 0, stream>>>(n, calc, op);
  } else {
    elementwise_kernel<N, false, Op><<<blocks_for(n), kBlockSize, 0, stream>>>(n, calc, op);
  }
  check_launch(name);
}

/// Calls f(T{}) with T the C++ type of `dtype`.
template <class F>
void dispatch_dtype(ScalarType dtype, F&& f) {
  switch (dtype) {
    case ScalarType::Float32: f(float{}); return;
    case ScalarType::Float64: f(double{}); return;
    case ScalarType::Int64: f(std::int64_t{}); return;
    case ScalarType::Bool: f(bool{}); return;
  }
  throw Error("CUDA backend: unknown dtype");
}

inline constexpr double kTwo63 = 9223372036854775808.0;

/// A float as int64 the way x86 (and so the host backend and PyTorch on the CPU) does it:
/// NaN and out-of-range values become INT64_MIN instead of C++'s undefined behaviour or the
/// GPU's saturation, so both devices agree element for element.
__host__ __device__ __forceinline__ std::int64_t to_int64(double v) {
  if (!(v >= -kTwo63 && v < kTwo63)) return INT64_MIN;
  return static_cast<std::int64_t>(v);
}

/// Element conversion as copy_/to(dtype)/fill_ do it: nonzero (and NaN) is true, bool is 0/1.
template <class To, class From>
__host__ __device__ __forceinline__ To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_same_v<To, std::int64_t> && std::is_floating_point_v<From>) {
    return to_int64(static_cast<double>(v));
  } else {
    return static_cast<To>(v);
  }
}

template <class T>
__host__ __device__ __forceinline__ bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    return v != v;
  } else {
    return false;
  }
}

// Entry points of the kernel translation units. The caller (cuda_backend.cu) has made the
// view's device current and passes that device's stream.
void launch_fill(const StridedView& out, double value, cudaStream_t stream);
void launch_copy(const StridedView& out, const StridedView& in, cudaStream_t stream);
/// Backend::copy_many on the current device `device`: one launch per 800 non-empty copies.
void launch_copy_many(const ByteCopy* copies, std::size_t count, int device, cudaStream_t stream);
void launch_unary(UnaryOp op, const StridedView& out, const StridedView& in, cudaStream_t stream);
void launch_binary(BinaryOp op, const StridedView& out, const StridedView& a, const StridedView& b,
                   double alpha, cudaStream_t stream);
void launch_binary_scalar(BinaryOp op, const StridedView& out, const StridedView& a, double scalar,
                          bool scalar_first, cudaStream_t stream);
void launch_clamp(const StridedView& out, const StridedView& in, double lo, double hi, cudaStream_t stream);
void launch_reduce(ReduceOp op, const StridedView& out, const StridedView& in, cudaStream_t stream);
void launch_matmul(const StridedView& out, const StridedView& a, const StridedView& b, cudaStream_t stream);

}  // namespace aliasguard::detail::cuda_impl
