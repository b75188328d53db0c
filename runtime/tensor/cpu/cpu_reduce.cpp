// Host reductions over the last dim: sum, mean, max, argmax. See ReduceOp in backend.h.

#include <string>

#include "cpu_kernels.h"

namespace aliasguard::detail::cpu {
namespace {

std::string shape_string(const StridedView& v) {
  std::string s = "[";
  for (int d = 0; d < v.ndim; ++d) s += (d > 0 ? ", " : "") + std::to_string(v.sizes[d]);
  return s + "]";
}

// Writes v into element `offset` of out in out's dtype. One switch per output element, not
// per input element, so it costs nothing next to the reduction itself.
template <class V>
void store(const StridedView& out, std::int64_t offset, V v) {
  dispatch_all(out.dtype, [&](auto tag) {
    using O = typename decltype(tag)::type;
    static_cast<O*>(out.data)[offset] = convert<O>(v);
  });
}

// Floats accumulate in double and are rounded once at the end: a float32 sum of many terms
// then loses no more than one rounding, closer to PyTorch's pairwise sum than a float
// accumulator would be. Integers (and bools, counted) accumulate in wrapping int64.
template <class T>
auto sum_row(const T* p, std::int64_t count, std::int64_t stride) {
  if constexpr (std::is_floating_point_v<T>) {
    double acc = 0.0;
    for (std::int64_t k = 0; k < count; ++k) acc += static_cast<double>(p[k * stride]);
    return acc;
  } else {
    std::int64_t acc = 0;
    if (stride == 1) {
      for (std::int64_t k = 0; k < count; ++k) acc = wrap_add(acc, static_cast<std::int64_t>(p[k]));
    } else {
      for (std::int64_t k = 0; k < count; ++k) {
        acc = wrap_add(acc, static_cast<std::int64_t>(p[k * stride]));
      }
    }
    return acc;
  }
}

/// Index of the first maximum, or of the first NaN if there is one (PyTorch's rule).
template <class T>
std::int64_t argmax_row(const T* p, std::int64_t count, std::int64_t stride) {
  std::int64_t best = 0;
  T best_value = p[0];
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(best_value)) return 0;
  }
  for (std::int64_t k = 1; k < count; ++k) {
    const T v = p[k * stride];
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(v)) return k;
    }
    if (best_value < v) {
      best_value = v;
      best = k;
    }
  }
  return best;
}

template <class T>
void reduce_typed(ReduceOp op, const StridedView& out, const StridedView& in) {
  const int last = in.ndim - 1;
  const std::int64_t count = in.sizes[last];
  const std::int64_t stride = in.strides[last];
  // `in` without its last dim has out's shape, so out and it walk together.
  StridedView outer = in;
  outer.ndim = last;
  const StridedView* const views[2] = {&out, &outer};
  const T* x = static_cast<const T*>(in.data);
  for_each_row(make_loop(views), [&](const std::int64_t* off, const std::int64_t* st,
                                     std::int64_t rows) {
    for (std::int64_t r = 0; r < rows; ++r) {
      const T* p = x + off[1] + r * st[1];
      const std::int64_t o = off[0] + r * st[0];
      switch (op) {
        case ReduceOp::Sum: store(out, o, sum_row(p, count, stride)); break;
        case ReduceOp::Mean: {
          const double mean = count == 0 ? std::numeric_limits<double>::quiet_NaN()
                                         : static_cast<double>(sum_row(p, count, stride)) /
                                               static_cast<double>(count);
          store(out, o, mean);
          break;
        }
        case ReduceOp::Max: store(out, o, p[argmax_row(p, count, stride) * stride]); break;
        case ReduceOp::ArgMax: store(out, o, argmax_row(p, count, stride)); break;
      }
    }
  });
}

}  // namespace

void reduce(ReduceOp op, const StridedView& out, const StridedView& in) {
  const char* name = op_name(op);
  if (in.ndim != out.ndim + 1) {
    throw Error(std::string("host backend: ") + name + " reduces the last dim, so input " +
                shape_string(in) + " needs an output of " + std::to_string(in.ndim - 1) +
                " dims, got " + shape_string(out));
  }
  const std::int64_t count = in.sizes[in.ndim - 1];
  switch (op) {
    case ReduceOp::Sum: break;
    case ReduceOp::Mean:
      if (!is_floating(in.dtype)) {
        throw Error(std::string("host backend: mean needs a floating dtype, got ") +
                    dtype_name(in.dtype));
      }
      break;
    case ReduceOp::Max:
    case ReduceOp::ArgMax: {
      const ScalarType expected = op == ReduceOp::Max ? in.dtype : kInt64;
      if (out.dtype != expected) {
        throw Error(std::string("host backend: ") + name + " of " + dtype_name(in.dtype) +
                    " writes " + dtype_name(expected) + ", got an output of " +
                    dtype_name(out.dtype));
      }
      if (count == 0) {
        throw Error(std::string("host backend: ") + name + " of input " + shape_string(in) +
                    ": the reduced (last) dim has size 0 and no maximum");
      }
      break;
    }
  }
  dispatch_all(in.dtype, [&](auto tag) { reduce_typed<typename decltype(tag)::type>(op, out, in); });
}

}  // namespace aliasguard::detail::cpu
