// Host elementwise kernels: unary, binary (tensor-tensor and tensor-scalar), clamp.
// Semantics follow PyTorch 1.13 on the CPU; the loops are in cpu_kernels.h.

#include <algorithm>
#include <string>

#include "cpu_kernels.h"

namespace aliasguard::detail::cpu {
namespace {

void check_dtype(const char* op, const StridedView& view, ScalarType expected, const char* role) {
  if (view.dtype != expected) {
    throw Error(std::string("host backend: ") + op + " expects " + role + " of dtype " +
                dtype_name(expected) + ", got " + dtype_name(view.dtype));
  }
}

template <class T>
void unary_typed(UnaryOp op, const StridedView& out, const StridedView& in) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case UnaryOp::Neg: return map1<T, T>(out, in, [](T x) { return -x; });
      case UnaryOp::Exp: return map1<T, T>(out, in, [](T x) { return std::exp(x); });
      case UnaryOp::Log: return map1<T, T>(out, in, [](T x) { return std::log(x); });
      case UnaryOp::Sigmoid:
        return map1<T, T>(out, in, [](T x) { return T(1) / (T(1) + std::exp(-x)); });
      // `x < 0 ? 0 : x` rather than max(x, 0): NaN and -0.0 pass through, as in PyTorch.
      case UnaryOp::Relu: return map1<T, T>(out, in, [](T x) { return x < T(0) ? T(0) : x; });
    }
  } else {
    switch (op) {
      case UnaryOp::Neg: return map1<T, T>(out, in, [](T x) { return wrap_sub(0, x); });
      case UnaryOp::Relu: return map1<T, T>(out, in, [](T x) { return x < 0 ? T(0) : x; });
      case UnaryOp::Exp:
      case UnaryOp::Log:
      case UnaryOp::Sigmoid:
        throw Error(std::string("host backend: ") + op_name(op) +
                    " needs a floating dtype (float32 or float64), got " +
                    dtype_name(in.dtype));
    }
  }
}

// One instantiation per op keeps the switch out of the inner loop, so it vectorises.
template <class T, class Run>
void with_arithmetic(BinaryOp op, double alpha, Run&& run) {
  const T a = convert<T>(alpha);
  if constexpr (std::is_same_v<T, float>) {
    // PyTorch's float kernels compute x + alpha*y as one fused multiply-add (one rounding).
    // The product of two floats is exact in double, so rounding the double sum once gives
    // the same float without needing FMA hardware, and still vectorises.
    const double ad = a;
    switch (op) {
      case BinaryOp::Add: return run([ad](T x, T y) { return static_cast<T>(static_cast<double>(x) + ad * static_cast<double>(y)); });
      case BinaryOp::Sub: return run([ad](T x, T y) { return static_cast<T>(static_cast<double>(x) - ad * static_cast<double>(y)); });
      case BinaryOp::Mul: return run([](T x, T y) { return x * y; });
      case BinaryOp::Div: return run([](T x, T y) { return x / y; });
      case BinaryOp::Eq: break;
    }
  } else if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case BinaryOp::Add: return run([a](T x, T y) { return x + a * y; });
      case BinaryOp::Sub: return run([a](T x, T y) { return x - a * y; });
      case BinaryOp::Mul: return run([](T x, T y) { return x * y; });
      case BinaryOp::Div: return run([](T x, T y) { return x / y; });
      case BinaryOp::Eq: break;
    }
  } else {
    switch (op) {
      case BinaryOp::Add: return run([a](T x, T y) { return wrap_add(x, wrap_mul(a, y)); });
      case BinaryOp::Sub: return run([a](T x, T y) { return wrap_sub(x, wrap_mul(a, y)); });
      case BinaryOp::Mul: return run([](T x, T y) { return wrap_mul(x, y); });
      // The core promotes integer division to float; reaching here is a core bug.
      case BinaryOp::Div:
        throw Error("host backend: div is not supported for dtype int64 (promote to float first)");
      case BinaryOp::Eq: break;
    }
  }
  throw Error(std::string("host backend: ") + op_name(op) + " is not an arithmetic op");
}

}  // namespace

void unary(UnaryOp op, const StridedView& out, const StridedView& in) {
  check_dtype(op_name(op), out, in.dtype, "out");
  dispatch_numeric(in.dtype, op_name(op), [&](auto tag) {
    unary_typed<typename decltype(tag)::type>(op, out, in);
  });
}

namespace {

// Note [Fused add]
// PyTorch's float kernels compute x + alpha*y as one fused multiply-add (one rounding). With
// FMA hardware we use the instruction (8 floats at a time); elsewhere a double-precision
// sum rounds once too, since the product of two floats is exact in double. Both give
// PyTorch's float; the hardware path is faster than converting through double.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx2,fma"))) void fused_add_fma(float* out, const float* x, const float* y, float alpha,
                                                        std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) out[i] = __builtin_fmaf(alpha, y[i], x[i]);
}
#endif

/// The contiguous float32 add/sub with alpha; false when the views need the general path.
bool fused_add_contiguous(BinaryOp op, const StridedView& out, const StridedView& a, const StridedView& b,
                          double alpha) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (a.dtype != kFloat32 || (op != BinaryOp::Add && op != BinaryOp::Sub) || !cpu_has_avx2_fma()) return false;
  if (!out.is_contiguous() || !a.is_contiguous() || !b.is_contiguous()) return false;
  const auto signed_alpha = static_cast<float>(op == BinaryOp::Add ? alpha : -alpha);
  fused_add_fma(static_cast<float*>(out.data), static_cast<const float*>(a.data), static_cast<const float*>(b.data),
                signed_alpha, out.numel());
  return true;
#else
  (void)op, (void)out, (void)a, (void)b, (void)alpha;
  return false;
#endif
}

}  // namespace

void binary(BinaryOp op, const StridedView& out, const StridedView& a, const StridedView& b,
            double alpha) {
  check_dtype(op_name(op), b, a.dtype, "both inputs");
  if (op == BinaryOp::Eq) {
    check_dtype("eq", out, kBool, "out");
    dispatch_all(a.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      map2<bool, T, T>(out, a, b, [](T x, T y) { return x == y; });
    });
    return;
  }
  check_dtype(op_name(op), out, a.dtype, "out");
  if (fused_add_contiguous(op, out, a, b, alpha)) return;
  dispatch_numeric(a.dtype, op_name(op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    with_arithmetic<T>(op, alpha, [&](auto f) { map2<T, T, T>(out, a, b, f); });
  });
}

namespace {

// Eq against a double scalar without rounding the scalar into T first where that would lie:
// an int64 never equals 2.5, and 2^53 + 1 must not equal 2^53.
template <class T>
bool equals_scalar(T x, double s) {
  if constexpr (std::is_same_v<T, std::int64_t>) {
    return s >= -9223372036854775808.0 && s < 9223372036854775808.0 && s == std::trunc(s) &&
           to_int64(s) == x;
  } else if constexpr (std::is_same_v<T, bool>) {
    return static_cast<double>(x) == s;
  } else {
    // A float tensor compares in its own precision: PyTorch casts the scalar to float32.
    return x == static_cast<T>(s);
  }
}

}  // namespace

void binary_scalar(BinaryOp op, const StridedView& out, const StridedView& a, double scalar,
                   bool scalar_first) {
  if (op == BinaryOp::Eq) {
    check_dtype("eq", out, kBool, "out");
    dispatch_all(a.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      map1<bool, T>(out, a, [scalar](T x) { return equals_scalar(x, scalar); });
    });
    return;
  }
  check_dtype(op_name(op), out, a.dtype, "out");
  dispatch_numeric(a.dtype, op_name(op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    // Integer tensors see the scalar truncated; the core promotes before a fractional one.
    const T s = convert<T>(scalar);
    with_arithmetic<T>(op, 1.0, [&](auto f) {
      if (scalar_first) {
        map1<T, T>(out, a, [f, s](T x) { return f(s, x); });
      } else {
        map1<T, T>(out, a, [f, s](T x) { return f(x, s); });
      }
    });
  });
}

void clamp(const StridedView& out, const StridedView& in, double lo, double hi) {
  check_dtype("clamp", out, in.dtype, "out");
  dispatch_numeric(in.dtype, "clamp", [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      const T l = static_cast<T>(lo);
      const T h = static_cast<T>(hi);
      // Argument order matters: std::max(x, l) returns x when x is NaN, so NaN propagates;
      // and lo > hi yields hi, as torch.clamp documents.
      map1<T, T>(out, in, [l, h](T x) { return std::min(std::max(x, l), h); });
    } else {
      // Bounds outside int64 (including the caller's +-inf for "none") or NaN do not bind.
      constexpr double kTwo63 = 9223372036854775808.0;
      const T l = lo >= -kTwo63 ? (lo < kTwo63 ? to_int64(std::ceil(lo))
                                               : std::numeric_limits<T>::max())
                                : std::numeric_limits<T>::min();
      const T h = hi < kTwo63 ? (hi >= -kTwo63 ? to_int64(std::floor(hi))
                                               : std::numeric_limits<T>::min())
                              : std::numeric_limits<T>::max();
      map1<T, T>(out, in, [l, h](T x) { return std::min(std::max(x, l), h); });
    }
  });
}

}  // namespace aliasguard::detail::cpu
