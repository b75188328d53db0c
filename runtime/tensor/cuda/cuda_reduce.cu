// Last-dim reductions (sum, mean, max, argmax). A row is reduced by one warp when it is
// short and by one block when it is long; rows beyond the grid are taken in a grid-stride
// loop.

#include <cstdint>
#include <string>
#include <type_traits>

#include "aliasguard/error.h"
#include "cuda_common.cuh"

namespace aliasguard::detail::cuda_impl {
namespace {

constexpr unsigned int kFullMask = 0xffffffffu;
constexpr int kWarpSize = 32;
// Rows at least this long get a whole block; shorter rows would leave most of it idle.
constexpr std::int64_t kBlockPerRowLength = 1024;

__device__ __forceinline__ float shfl_down(float v, int delta) { return __shfl_down_sync(kFullMask, v, delta); }
__device__ __forceinline__ double shfl_down(double v, int delta) { return __shfl_down_sync(kFullMask, v, delta); }
__device__ __forceinline__ std::int64_t shfl_down(std::int64_t v, int delta) {
  return static_cast<std::int64_t>(__shfl_down_sync(kFullMask, static_cast<long long>(v), delta));
}
__device__ __forceinline__ bool shfl_down(bool v, int delta) {
  return __shfl_down_sync(kFullMask, static_cast<int>(v), delta) != 0;
}

/// Writes `v` converted to the output's dtype (sum of int64 may land in float32, etc.).
template <class V>
__device__ __forceinline__ void store_as(void* out, ScalarType dtype, std::int64_t offset, V v) {
  switch (dtype) {
    case ScalarType::Float32: static_cast<float*>(out)[offset] = convert<float>(v); return;
    case ScalarType::Float64: static_cast<double*>(out)[offset] = convert<double>(v); return;
    case ScalarType::Int64: static_cast<std::int64_t*>(out)[offset] = convert<std::int64_t>(v); return;
    case ScalarType::Bool: static_cast<bool*>(out)[offset] = convert<bool>(v); return;
  }
}

/// Sums in double for floating inputs (float32 rows of millions stay accurate) and in
/// wrapping int64 otherwise, as PyTorch's sum of int64/bool does.
template <class T>
struct SumReducer {
  using State = std::conditional_t<std::is_floating_point_v<T>, double, std::int64_t>;

  __host__ __device__ static State identity() { return State(0); }
  __host__ __device__ static State lift(T v, std::int64_t /*index*/) { return static_cast<State>(v); }
  __host__ __device__ static State combine(State a, State b) {
    if constexpr (std::is_floating_point_v<State>) {
      return a + b;
    } else {
      return static_cast<State>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
    }
  }
  __device__ static State shuffle(State s, int delta) { return shfl_down(s, delta); }
};

/// The maximum and its index. Kept trivial (no member initializers) so it can live in
/// __shared__ memory; index < 0 marks "no element yet".
template <class T>
struct MaxState {
  T value;
  std::int64_t index;
};

/// NaN beats every number and ties go to the lower index, so the result does not depend on
/// which thread saw which element: torch.max/argmax return the first maximum (first NaN).
template <class T>
struct MaxReducer {
  using State = MaxState<T>;

  __host__ __device__ static State identity() { return State{T(0), -1}; }
  __host__ __device__ static State lift(T v, std::int64_t index) { return State{v, index}; }
  __host__ __device__ static State combine(State a, State b) {
    if (b.index < 0) return a;
    if (a.index < 0) return b;
    const bool a_nan = is_nan(a.value);
    const bool b_nan = is_nan(b.value);
    bool take_b;
    if (a_nan || b_nan) {
      take_b = b_nan && (!a_nan || b.index < a.index);
    } else {
      take_b = b.value > a.value || (b.value == a.value && b.index < a.index);
    }
    return take_b ? b : a;
  }
  __device__ static State shuffle(State s, int delta) { return State{shfl_down(s.value, delta), shfl_down(s.index, delta)}; }
};

/// Combines the states of a row's kThreads threads; the row's first thread gets the result.
/// With a whole block per row every thread must call this (it synchronizes the block).
template <int kThreads, class R>
__device__ typename R::State reduce_row(typename R::State s) {
#pragma unroll
  for (int delta = kWarpSize / 2; delta > 0; delta /= 2) s = R::combine(s, R::shuffle(s, delta));
  if constexpr (kThreads > kWarpSize) {
    constexpr int kWarps = kThreads / kWarpSize;
    __shared__ typename R::State partial[kWarps];
    const int warp = static_cast<int>(threadIdx.x) / kWarpSize;
    const int lane = static_cast<int>(threadIdx.x) % kWarpSize;
    if (lane == 0) partial[warp] = s;
    __syncthreads();
    if (warp == 0) {
      s = lane < kWarps ? partial[lane] : R::identity();
#pragma unroll
      for (int delta = kWarpSize / 2; delta > 0; delta /= 2) s = R::combine(s, R::shuffle(s, delta));
    }
    __syncthreads();  // `partial` is reused by this block's next row
  }
  return s;
}

/// What every reduction kernel needs: where each row starts in `in` and lands in `out`.
struct RowLayout {
  OffsetCalc<2> rows;  // sizes of out; strides [0] of out, [1] of in's leading dims
  std::int64_t row_count;
  std::int64_t length;     // size of the reduced (last) dim
  std::int64_t in_stride;  // its stride in `in`
};

enum class Finish : std::uint8_t { Sum, Mean, Value, Index };

template <class T, int kThreads, class R>
__global__ void __launch_bounds__(kBlockSize)
    reduce_kernel(RowLayout layout, const T* in, void* out, ScalarType out_dtype, Finish finish) {
  constexpr int kRowsPerBlock = kBlockSize / kThreads;
  const std::int64_t lane = threadIdx.x % kThreads;
  const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * kRowsPerBlock;
  // The loop bound is the same for all threads of a row (a warp, or the whole block when
  // kThreads == kBlockSize), so the shuffles and barriers in reduce_row stay converged.
  for (std::int64_t row = static_cast<std::int64_t>(blockIdx.x) * kRowsPerBlock + threadIdx.x / kThreads;
       row < layout.row_count; row += step) {
    std::int64_t offsets[2];
    layout.rows.get(row, offsets);
    const T* base = in + offsets[1];
    typename R::State s = R::identity();
    for (std::int64_t j = lane; j < layout.length; j += kThreads) {
      s = R::combine(s, R::lift(base[j * layout.in_stride], j));
    }
    s = reduce_row<kThreads, R>(s);
    if (lane != 0) continue;
    if constexpr (std::is_same_v<R, SumReducer<T>>) {
      if (finish == Finish::Mean) {
        // An empty row gives 0/0 = NaN, as torch.mean does.
        store_as(out, out_dtype, offsets[0], static_cast<double>(s) / static_cast<double>(layout.length));
      } else {
        store_as(out, out_dtype, offsets[0], s);
      }
    } else {
      if (finish == Finish::Index) {
        store_as(out, out_dtype, offsets[0], s.index);
      } else {
        store_as(out, out_dtype, offsets[0], s.value);
      }
    }
  }
}

template <class T, class R>
void launch_rows(const RowLayout& layout, const StridedView& out, const StridedView& in, Finish finish,
                 cudaStream_t stream, const char* name) {
  const T* data = static_cast<const T*>(in.data);
  if (layout.length >= kBlockPerRowLength) {
    reduce_kernel<T, kBlockSize, R>
        <<<blocks_for(layout.row_count, 1), kBlockSize, 0, stream>>>(layout, data, out.data, out.dtype, finish);
  } else {
    reduce_kernel<T, kWarpSize, R><<<blocks_for(layout.row_count, kBlockSize / kWarpSize), kBlockSize, 0, stream>>>(
        layout, data, out.data, out.dtype, finish);
  }
  check_launch(name);
}

// Inconsistent geometry from the core would read out of bounds on the device, where it is
// far harder to diagnose than here.
RowLayout make_layout(const char* name, const StridedView& out, const StridedView& in) {
  if (in.ndim != out.ndim + 1) {
    throw Error(std::string("CUDA ") + name + ": input has " + std::to_string(in.ndim) + " dims, output " +
                std::to_string(out.ndim) + "; expected one more in the input (internal error; please report)");
  }
  RowLayout layout{};
  layout.rows.ndim = out.ndim;
  for (int d = 0; d < out.ndim; ++d) {
    if (in.sizes[d] != out.sizes[d]) {
      throw Error(std::string("CUDA ") + name + ": input and output sizes differ in dim " + std::to_string(d) +
                  " (internal error; please report)");
    }
    layout.rows.sizes[d] = out.sizes[d];
    layout.rows.strides[0][d] = out.strides[d];
    layout.rows.strides[1][d] = in.strides[d];
  }
  layout.row_count = out.numel();
  layout.length = in.sizes[in.ndim - 1];
  layout.in_stride = in.strides[in.ndim - 1];
  return layout;
}

}  // namespace

void launch_reduce(ReduceOp op, const StridedView& out, const StridedView& in, cudaStream_t stream) {
  const char* name = op_name(op);
  const RowLayout layout = make_layout(name, out, in);
  if (op == ReduceOp::ArgMax && out.dtype != ScalarType::Int64) {
    throw Error(std::string("CUDA argmax: the output must be int64, not ") + dtype_name(out.dtype) +
                " (internal error; please report)");
  }
  if (op == ReduceOp::Max && out.dtype != in.dtype) {
    throw Error(std::string("CUDA max: the output must have the input's dtype ") + dtype_name(in.dtype) +
                " (internal error; please report)");
  }
  if (op == ReduceOp::Mean && !is_floating(in.dtype)) {
    throw Error(std::string("CUDA mean: needs a floating dtype, got ") + dtype_name(in.dtype) +
                "; convert with .to(kFloat32) first");
  }
  if (layout.row_count == 0) return;
  if (layout.length == 0 && (op == ReduceOp::Max || op == ReduceOp::ArgMax)) {
    throw Error(std::string("CUDA ") + name +
                ": cannot reduce a dimension of size 0 (there is no maximum of nothing); check the tensor's shape");
  }
  dispatch_dtype(in.dtype, [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case ReduceOp::Sum: launch_rows<T, SumReducer<T>>(layout, out, in, Finish::Sum, stream, name); return;
      case ReduceOp::Mean: launch_rows<T, SumReducer<T>>(layout, out, in, Finish::Mean, stream, name); return;
      case ReduceOp::Max: launch_rows<T, MaxReducer<T>>(layout, out, in, Finish::Value, stream, name); return;
      case ReduceOp::ArgMax: launch_rows<T, MaxReducer<T>>(layout, out, in, Finish::Index, stream, name); return;
    }
  });
}

}  // namespace aliasguard::detail::cuda_impl
