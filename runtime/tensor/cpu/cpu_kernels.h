#pragma once
// Internal to the host backend: dtype dispatch, element conversion and the strided loop
// machinery shared by cpu_backend.cpp, cpu_elementwise.cpp, cpu_reduce.cpp, cpu_matmul.cpp.
//
// Note [Host loops]
// Every kernel first tries a fast path that is a plain loop over T* (all operands
// contiguous, or one operand a stride-0 scalar) so the compiler can vectorise it. Otherwise
// the operands' geometry is coalesced (size-1 dims dropped, dims that are contiguous with
// their neighbour in *every* operand merged) and walked as rows: an N-d counter over all but
// the last dim, and a stride loop over the last dim. Coalescing turns most "strided" views
// (slices with an offset, a contiguous tensor seen through size-1 dims) back into a few long
// rows, which is what makes the general path cheap.
//
// Note [AVX2 dispatch]
// The library is compiled for baseline x86-64 (SSE2), so it runs on any x86-64 machine.
// The unit-stride loops of map1/map2 are compiled a second time with target("avx2") and
// chosen at run time when the CPU has AVX2 (__builtin_cpu_supports), which halves the
// instructions per element like LibTorch's AVX2 kernels. Only "avx2", never "fma": GCC
// contracts a*b+c into an FMA where the target allows it (-ffp-contract=fast is its
// default), and that would change rounding; plain vector adds, multiplies, divides, min/max
// and conversions round exactly like their scalar SSE2 forms, so both paths give the same
// bits. Elementwise loops never reorder a computation, so vector width cannot matter either.

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include "aliasguard/error.h"
#include "backend.h"

namespace aliasguard::detail::cpu {

// Kernels entry points, one per Backend method (see cpu_backend.cpp for the class).
void fill(const StridedView& out, double value);
void copy(const StridedView& out, const StridedView& in);
void unary(UnaryOp op, const StridedView& out, const StridedView& in);
void binary(BinaryOp op, const StridedView& out, const StridedView& a, const StridedView& b,
            double alpha);
void binary_scalar(BinaryOp op, const StridedView& out, const StridedView& a, double scalar,
                   bool scalar_first);
void clamp(const StridedView& out, const StridedView& in, double lo, double hi);
void reduce(ReduceOp op, const StridedView& out, const StridedView& in);
void matmul(const StridedView& out, const StridedView& a, const StridedView& b);


/// Calls f(std::type_identity<T>{}) with the C++ type of `t`.
template <class F>
decltype(auto) dispatch_all(ScalarType t, F&& f) {
  switch (t) {
    case ScalarType::Float32: return f(std::type_identity<float>{});
    case ScalarType::Float64: return f(std::type_identity<double>{});
    case ScalarType::Int64: return f(std::type_identity<std::int64_t>{});
    case ScalarType::Bool: return f(std::type_identity<bool>{});
  }
  throw Error("host backend: unknown dtype " + std::to_string(static_cast<int>(t)));
}

/// Like dispatch_all but for arithmetic: Bool throws an Error naming `what` (and is never
/// instantiated, so kernels need no bool special cases).
template <class F>
decltype(auto) dispatch_numeric(ScalarType t, const char* what, F&& f) {
  switch (t) {
    case ScalarType::Float32: return f(std::type_identity<float>{});
    case ScalarType::Float64: return f(std::type_identity<double>{});
    case ScalarType::Int64: return f(std::type_identity<std::int64_t>{});
    case ScalarType::Bool: break;
  }
  throw Error(std::string("host backend: ") + what + " is not supported for dtype " +
              dtype_name(t));
}

/// Float -> int64 the way PyTorch's x86 build does it: truncate toward zero, and NaN or
/// out-of-range values become INT64_MIN (what cvttsd2si produces). A bare static_cast
/// would be undefined behaviour for those inputs.
inline std::int64_t to_int64(double v) {
  constexpr double kTwo63 = 9223372036854775808.0;
  if (!(v >= -kTwo63 && v < kTwo63)) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(v);
}

/// Element conversion used by copy and fill: to bool is "nonzero" (NaN is true).
template <class To, class From>
To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From{};
  } else if constexpr (std::is_same_v<To, std::int64_t> && std::is_floating_point_v<From>) {
    return to_int64(static_cast<double>(v));
  } else {
    return static_cast<To>(v);
  }
}

// Int64 arithmetic wraps around like PyTorch's; going through uint64 keeps it defined.
inline std::int64_t wrap_add(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}
inline std::int64_t wrap_sub(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
}
inline std::int64_t wrap_mul(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define AG_CPU_AVX2_DISPATCH 1
/// True when the CPU executes AVX2 instructions (asked once).
inline bool cpu_has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}
/// True when the CPU executes AVX2 and FMA instructions (asked once).
inline bool cpu_has_avx2_fma() {
  static const bool yes = cpu_has_avx2() && __builtin_cpu_supports("fma");
  return yes;
}

template <class O, class I, class F>
__attribute__((target("avx2"))) void contiguous_map1_avx2(O* o, const I* x, std::int64_t n, F f) {
  for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
}

template <class O, class A, class B, class F>
__attribute__((target("avx2"))) void contiguous_map2_avx2(O* o, const A* a, const B* b, std::int64_t n, F f) {
  for (std::int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
}
#else
#define AG_CPU_AVX2_DISPATCH 0
#endif

/// o[i] = f(x[i]) for i in [0, n): the unit-stride loop of map1. See Note [AVX2 dispatch].
template <class O, class I, class F>
void contiguous_map1(O* o, const I* x, std::int64_t n, F f) {
#if AG_CPU_AVX2_DISPATCH
  if (cpu_has_avx2()) return contiguous_map1_avx2(o, x, n, f);
#endif
  for (std::int64_t i = 0; i < n; ++i) o[i] = f(x[i]);
}

/// o[i] = f(a[i], b[i]) for i in [0, n): the unit-stride loop of map2.
template <class O, class A, class B, class F>
void contiguous_map2(O* o, const A* a, const B* b, std::int64_t n, F f) {
#if AG_CPU_AVX2_DISPATCH
  if (cpu_has_avx2()) return contiguous_map2_avx2(o, a, b, n, f);
#endif
  for (std::int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
}

/// True when every stride is 0: the view reads one element however large it is.
inline bool is_scalar_like(const StridedView& v) {
  for (int d = 0; d < v.ndim; ++d) {
    if (v.sizes[d] != 1 && v.strides[d] != 0) return false;
  }
  return true;
}

/// Geometry of N operands after coalescing. See Note [Host loops].
template <int N>
struct Loop {
  int ndim = 0;
  std::int64_t sizes[kMaxDims] = {};
  std::int64_t strides[N][kMaxDims] = {};
};

/// `views` all have the sizes of views[0] (Note [Kernel contract]); only their strides differ.
template <int N>
Loop<N> make_loop(const StridedView* const (&views)[N]) {
  Loop<N> loop;
  const StridedView& shape = *views[0];
  for (int d = 0; d < shape.ndim; ++d) {
    if (shape.sizes[d] == 1) continue;
    if (loop.ndim > 0) {
      const int last = loop.ndim - 1;
      bool mergeable = true;
      for (int v = 0; v < N; ++v) {
        mergeable = mergeable && loop.strides[v][last] == views[v]->strides[d] * shape.sizes[d];
      }
      if (mergeable) {
        loop.sizes[last] *= shape.sizes[d];
        for (int v = 0; v < N; ++v) loop.strides[v][last] = views[v]->strides[d];
        continue;
      }
    }
    loop.sizes[loop.ndim] = shape.sizes[d];
    for (int v = 0; v < N; ++v) loop.strides[v][loop.ndim] = views[v]->strides[d];
    ++loop.ndim;
  }
  return loop;
}

/// Calls row(offsets, inner_strides, count) once per innermost row, where offsets[v] is the
/// element offset of the row's first element in operand v. Does nothing for zero elements.
template <int N, class Row>
void for_each_row(const Loop<N>& loop, Row&& row) {
  std::int64_t offsets[N] = {};
  for (int d = 0; d < loop.ndim; ++d) {
    if (loop.sizes[d] == 0) return;
  }
  if (loop.ndim == 0) {
    const std::int64_t unit[N] = {};
    row(offsets, unit, std::int64_t{1});
    return;
  }
  const int inner = loop.ndim - 1;
  std::int64_t inner_strides[N];
  for (int v = 0; v < N; ++v) inner_strides[v] = loop.strides[v][inner];
  std::int64_t index[kMaxDims] = {};
  while (true) {
    row(offsets, inner_strides, loop.sizes[inner]);
    // Odometer increment over the outer dims, keeping the offsets in step.
    int d = inner - 1;
    for (; d >= 0; --d) {
      for (int v = 0; v < N; ++v) offsets[v] += loop.strides[v][d];
      if (++index[d] < loop.sizes[d]) break;
      for (int v = 0; v < N; ++v) offsets[v] -= loop.strides[v][d] * loop.sizes[d];
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

/// out[i] = f(in[i]) over views of one shape. See Note [Host loops].
template <class O, class I, class F>
void map1(const StridedView& out, const StridedView& in, F f) {
  O* o = static_cast<O*>(out.data);
  const I* x = static_cast<const I*>(in.data);
  if (out.is_contiguous() && in.is_contiguous()) {
    contiguous_map1(o, x, out.numel(), f);
    return;
  }
  const StridedView* const views[2] = {&out, &in};
  for_each_row(make_loop(views), [&](const std::int64_t* off, const std::int64_t* st,
                                     std::int64_t count) {
    O* po = o + off[0];
    const I* px = x + off[1];
    if (st[0] == 1 && st[1] == 1) {
      contiguous_map1(po, px, count, f);
    } else {
      for (std::int64_t i = 0; i < count; ++i) po[i * st[0]] = f(px[i * st[1]]);
    }
  });
}

/// out[i] = f(a[i], b[i]) over views of one shape. See Note [Host loops].
template <class O, class A, class B, class F>
void map2(const StridedView& out, const StridedView& a, const StridedView& b, F f) {
  O* o = static_cast<O*>(out.data);
  const A* pa = static_cast<const A*>(a.data);
  const B* pb = static_cast<const B*>(b.data);
  const std::int64_t n = out.numel();
  if (out.is_contiguous() && a.is_contiguous()) {
    if (b.is_contiguous()) {
      contiguous_map2(o, pa, pb, n, f);
      return;
    }
    if (n > 0 && is_scalar_like(b)) {
      const B s = *pb;
      contiguous_map1(o, pa, n, [f, s](A x) { return f(x, s); });
      return;
    }
  }
  if (n > 0 && out.is_contiguous() && b.is_contiguous() && is_scalar_like(a)) {
    const A s = *pa;
    contiguous_map1(o, pb, n, [f, s](B y) { return f(s, y); });
    return;
  }
  const StridedView* const views[3] = {&out, &a, &b};
  for_each_row(make_loop(views), [&](const std::int64_t* off, const std::int64_t* st,
                                     std::int64_t count) {
    O* po = o + off[0];
    const A* qa = pa + off[1];
    const B* qb = pb + off[2];
    if (st[0] == 1 && st[1] == 1 && st[2] == 1) {
      contiguous_map2(po, qa, qb, count, f);
    } else if (st[0] == 1 && st[1] == 1 && st[2] == 0) {
      const B s = *qb;
      contiguous_map1(po, qa, count, [f, s](A x) { return f(x, s); });
    } else {
      for (std::int64_t i = 0; i < count; ++i) po[i * st[0]] = f(qa[i * st[1]], qb[i * st[2]]);
    }
  });
}

}  // namespace aliasguard::detail::cpu
