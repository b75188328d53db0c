// Elementwise kernels: fill, copy (with dtype conversion), unary, binary, binary with a
// scalar, clamp. Each op is a small functor run by elementwise_kernel; see
// Note [CUDA strided offsets].

#include <climits>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

#include "aliasguard/error.h"
#include "cuda_common.cuh"

namespace aliasguard::detail::cuda_impl {
namespace {

using Off1 = std::int64_t[1];
using Off2 = std::int64_t[2];
using Off3 = std::int64_t[3];

// int64 arithmetic wraps like PyTorch's (two's complement) instead of being undefined on
// overflow, so the device and the host agree bit for bit.
template <class T>
__device__ __forceinline__ T add(T a, T b) {
  if constexpr (std::is_same_v<T, std::int64_t>) {
    return static_cast<T>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
  } else {
    return a + b;
  }
}
template <class T>
__device__ __forceinline__ T sub(T a, T b) {
  if constexpr (std::is_same_v<T, std::int64_t>) {
    return static_cast<T>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
  } else {
    return a - b;
  }
}
template <class T>
__device__ __forceinline__ T mul(T a, T b) {
  if constexpr (std::is_same_v<T, std::int64_t>) {
    return static_cast<T>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
  } else {
    return a * b;
  }
}

template <class T>
__device__ __forceinline__ T negate(T x) {
  if constexpr (std::is_same_v<T, std::int64_t>) {
    return sub(T(0), x);
  } else {
    return -x;  // not 0 - x: neg(0.0) is -0.0, which prints as "-0."
  }
}

/// a op b for the arithmetic ops; Add/Sub scale b by alpha (a + alpha * b).
template <class T>
__device__ __forceinline__ T arith(BinaryOp op, T a, T b, T alpha) {
  switch (op) {
    case BinaryOp::Add: return add(a, mul(alpha, b));
    case BinaryOp::Sub: return sub(a, mul(alpha, b));
    case BinaryOp::Mul: return mul(a, b);
    case BinaryOp::Div: return a / b;  // floating only; see check_arith
    case BinaryOp::Eq: break;          // handled by the Eq functors
  }
  return T(0);
}

__device__ __forceinline__ float device_exp(float x) { return expf(x); }
__device__ __forceinline__ double device_exp(double x) { return exp(x); }
__device__ __forceinline__ float device_log(float x) { return logf(x); }
__device__ __forceinline__ double device_log(double x) { return log(x); }

template <class T>
struct FillFn {
  T* out;
  T value;
  __device__ void operator()(const Off1& off) const { out[off[0]] = value; }
};

template <class O, class I>
struct CopyFn {
  O* out;
  const I* in;
  __device__ void operator()(const Off2& off) const { out[off[0]] = convert<O>(in[off[1]]); }
};

/// Neg and Relu, for every arithmetic dtype.
template <class T>
struct SignFn {
  UnaryOp op;
  T* out;
  const T* in;
  __device__ void operator()(const Off2& off) const {
    const T x = in[off[1]];
    // `x < 0 ? 0 : x` rather than max(x, 0): NaN and -0.0 pass through, as in PyTorch.
    out[off[0]] = op == UnaryOp::Neg ? negate(x) : (x < T(0) ? T(0) : x);
  }
};

/// Exp, Log and Sigmoid, floating dtypes only.
template <class T>
struct TranscendentalFn {
  UnaryOp op;
  T* out;
  const T* in;
  __device__ void operator()(const Off2& off) const {
    const T x = in[off[1]];
    T y;
    switch (op) {
      case UnaryOp::Exp: y = device_exp(x); break;
      case UnaryOp::Log: y = device_log(x); break;
      default: y = T(1) / (T(1) + device_exp(-x)); break;  // Sigmoid
    }
    out[off[0]] = y;
  }
};

template <class T>
struct BinaryFn {
  BinaryOp op;
  T* out;
  const T* a;
  const T* b;
  T alpha;
  __device__ void operator()(const Off3& off) const { out[off[0]] = arith(op, a[off[1]], b[off[2]], alpha); }
};

template <class T>
struct EqFn {
  bool* out;
  const T* a;
  const T* b;
  __device__ void operator()(const Off3& off) const { out[off[0]] = a[off[1]] == b[off[2]]; }
};

template <class T>
struct ScalarFn {
  BinaryOp op;
  T* out;
  const T* a;
  T scalar;
  bool scalar_first;
  __device__ void operator()(const Off2& off) const {
    const T x = a[off[1]];
    out[off[0]] = scalar_first ? arith(op, scalar, x, T(1)) : arith(op, x, scalar, T(1));
  }
};

/// `representable` is false when no element of T can equal the scalar (an int64 and 2.5).
template <class T>
struct EqScalarFn {
  bool* out;
  const T* a;
  T scalar;
  bool representable;
  __device__ void operator()(const Off2& off) const { out[off[0]] = representable && a[off[1]] == scalar; }
};

template <class T>
struct ClampFn {
  T* out;
  const T* in;
  T lo;
  T hi;
  __device__ void operator()(const Off2& off) const {
    // min(max(x, lo), hi) with std::max/min's argument order: a NaN input compares false
    // and passes through, and lo > hi gives hi, as torch.clamp documents.
    T x = in[off[1]];
    if (x < lo) x = lo;
    if (hi < x) x = hi;
    out[off[0]] = x;
  }
};

// The core promotes before calling a backend (Note [Kernel contract]); reinterpreting bytes
// of another dtype would give silent garbage, so a mismatch is reported instead.
void require_dtype(const char* op, const StridedView& view, ScalarType expected, const char* role) {
  if (view.dtype != expected) {
    throw Error(std::string("CUDA ") + op + ": " + role + " is " + dtype_name(view.dtype) + " but " +
                dtype_name(expected) + " was expected (internal dtype mismatch; please report)");
  }
}

/// The scalar as T for eq, and whether any T equals it at all: int64 never equals 2.5 and
/// must not round 2^53 + 1 into 2^53; a bool equals only 0 or 1. Matches the host backend.
template <class T>
EqScalarFn<T> eq_scalar_fn(bool* out, const T* a, double s) {
  if constexpr (std::is_same_v<T, std::int64_t>) {
    const bool integral = s >= -kTwo63 && s < kTwo63 && s == std::trunc(s);
    return {out, a, integral ? to_int64(s) : 0, integral};
  } else if constexpr (std::is_same_v<T, bool>) {
    return {out, a, s != 0.0, s == 0.0 || s == 1.0};
  } else {
    // A float tensor compares in its own precision: PyTorch casts the scalar to float32.
    return {out, a, static_cast<T>(s), true};
  }
}

/// Clamp bounds for int64: bounds outside int64 (including the caller's +-inf for "no
/// bound") or NaN do not bind; fractional bounds round inwards, as on the host.
std::int64_t int_lower_bound(double lo) {
  if (!(lo >= -kTwo63)) return INT64_MIN;
  return lo < kTwo63 ? to_int64(std::ceil(lo)) : INT64_MAX;
}
std::int64_t int_upper_bound(double hi) {
  if (!(hi < kTwo63)) return INT64_MAX;
  return hi >= -kTwo63 ? to_int64(std::floor(hi)) : INT64_MIN;
}

void check_arith(BinaryOp op, ScalarType dtype) {
  if (dtype == ScalarType::Bool) {
    throw Error(std::string("CUDA ") + op_name(op) +
                ": arithmetic on bool tensors is not supported; convert with .to(kInt64) or .to(kFloat32) first");
  }
  if (op == BinaryOp::Div && dtype == ScalarType::Int64) {
    // PyTorch's div is true division: int64 inputs give a floating result, never int64.
    throw Error("CUDA div: an int64 result cannot hold true division; convert with .to(kFloat32) first");
  }
}

}  // namespace

void launch_fill(const StridedView& out, double value, cudaStream_t stream) {
  dispatch_dtype(out.dtype, [&](auto tag) {
    using T = decltype(tag);
    const StridedView* views[1] = {&out};
    launch_elementwise(views, FillFn<T>{static_cast<T*>(out.data), convert<T>(value)}, stream, "fill");
  });
}

void launch_copy(const StridedView& out, const StridedView& in, cudaStream_t stream) {
  const std::int64_t n = out.numel();
  if (n == 0) return;
  if (out.dtype == in.dtype && out.is_contiguous() && in.is_contiguous()) {
    if (out.data == in.data) return;
    const std::size_t nbytes = static_cast<std::size_t>(n) * element_size(out.dtype);
    check(cudaMemcpyAsync(out.data, in.data, nbytes, cudaMemcpyDeviceToDevice, stream), "cudaMemcpyAsync",
          "copying a contiguous tensor on cuda:" + std::to_string(out.device));
    return;
  }
  dispatch_dtype(out.dtype, [&](auto out_tag) {
    using O = decltype(out_tag);
    dispatch_dtype(in.dtype, [&](auto in_tag) {
      using I = decltype(in_tag);
      const StridedView* views[2] = {&out, &in};
      launch_elementwise(views, CopyFn<O, I>{static_cast<O*>(out.data), static_cast<const I*>(in.data)}, stream,
                         "copy");
    });
  });
}

void launch_unary(UnaryOp op, const StridedView& out, const StridedView& in, cudaStream_t stream) {
  require_dtype(op_name(op), out, in.dtype, "the output");
  const bool transcendental = op == UnaryOp::Exp || op == UnaryOp::Log || op == UnaryOp::Sigmoid;
  if (in.dtype == ScalarType::Bool || (transcendental && !is_floating(in.dtype))) {
    throw Error(std::string("CUDA ") + op_name(op) + ": not supported for " + dtype_name(in.dtype) +
                " tensors; convert with .to(kFloat32) first");
  }
  const StridedView* views[2] = {&out, &in};
  dispatch_dtype(in.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_floating_point_v<T>) {
      if (transcendental) {
        launch_elementwise(views, TranscendentalFn<T>{op, static_cast<T*>(out.data), static_cast<const T*>(in.data)},
                           stream, op_name(op));
        return;
      }
    }
    if constexpr (!std::is_same_v<T, bool>) {
      launch_elementwise(views, SignFn<T>{op, static_cast<T*>(out.data), static_cast<const T*>(in.data)}, stream,
                         op_name(op));
    }
  });
}

void launch_binary(BinaryOp op, const StridedView& out, const StridedView& a, const StridedView& b,
                   double alpha, cudaStream_t stream) {
  const char* name = op_name(op);
  require_dtype(name, b, a.dtype, "the second operand");
  require_dtype(name, out, op == BinaryOp::Eq ? ScalarType::Bool : a.dtype, "the output");
  const StridedView* views[3] = {&out, &a, &b};
  if (op == BinaryOp::Eq) {
    dispatch_dtype(a.dtype, [&](auto tag) {
      using T = decltype(tag);
      launch_elementwise(views, EqFn<T>{static_cast<bool*>(out.data), static_cast<const T*>(a.data),
                                        static_cast<const T*>(b.data)},
                         stream, name);
    });
    return;
  }
  check_arith(op, a.dtype);
  dispatch_dtype(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      launch_elementwise(views, BinaryFn<T>{op, static_cast<T*>(out.data), static_cast<const T*>(a.data),
                                            static_cast<const T*>(b.data), convert<T>(alpha)},
                         stream, name);
    }
  });
}

void launch_binary_scalar(BinaryOp op, const StridedView& out, const StridedView& a, double scalar,
                          bool scalar_first, cudaStream_t stream) {
  const char* name = op_name(op);
  require_dtype(name, out, op == BinaryOp::Eq ? ScalarType::Bool : a.dtype, "the output");
  const StridedView* views[2] = {&out, &a};
  if (op == BinaryOp::Eq) {
    dispatch_dtype(a.dtype, [&](auto tag) {
      using T = decltype(tag);
      launch_elementwise(views, eq_scalar_fn<T>(static_cast<bool*>(out.data), static_cast<const T*>(a.data), scalar),
                         stream, name);
    });
    return;
  }
  check_arith(op, a.dtype);
  dispatch_dtype(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      // Integer tensors see the scalar truncated; the core promotes before a fractional one.
      launch_elementwise(views, ScalarFn<T>{op, static_cast<T*>(out.data), static_cast<const T*>(a.data),
                                            convert<T>(scalar), scalar_first},
                         stream, name);
    }
  });
}

void launch_clamp(const StridedView& out, const StridedView& in, double lo, double hi, cudaStream_t stream) {
  require_dtype("clamp", out, in.dtype, "the output");
  if (in.dtype == ScalarType::Bool) {
    throw Error("CUDA clamp: not supported for bool tensors; convert with .to(kInt64) or .to(kFloat32) first");
  }
  const StridedView* views[2] = {&out, &in};
  dispatch_dtype(in.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, std::int64_t>) {
      launch_elementwise(views, ClampFn<T>{static_cast<T*>(out.data), static_cast<const T*>(in.data),
                                           int_lower_bound(lo), int_upper_bound(hi)},
                         stream, "clamp");
    } else if constexpr (std::is_floating_point_v<T>) {
      launch_elementwise(views, ClampFn<T>{static_cast<T*>(out.data), static_cast<const T*>(in.data),
                                           static_cast<T>(lo), static_cast<T>(hi)},
                         stream, "clamp");
    }
  });
}

}  // namespace aliasguard::detail::cuda_impl
