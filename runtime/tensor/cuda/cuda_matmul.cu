// out[M,N] = a[M,K] @ b[K,N] for float32/float64 with arbitrary strides: a shared-memory
// tiled kernel, so no cuBLAS is needed on a machine that only has the driver.

#include <cstdint>
#include <string>

#include "aliasguard/error.h"
#include "cuda_common.cuh"

namespace aliasguard::detail::cuda_impl {
namespace {

constexpr int kTile = 16;
// gridDim.y and gridDim.z are limited to 65535; larger matrices loop over tiles instead.
constexpr std::int64_t kMaxTilesPerAxis = 65535;

/// A 2-D operand: base pointer and strides in elements.
template <class T>
struct Matrix {
  T* data;
  std::int64_t row_stride;
  std::int64_t col_stride;

  __device__ T& at(std::int64_t r, std::int64_t c) const { return data[r * row_stride + c * col_stride]; }
};

// Each block computes kTile x kTile outputs; thread (ty, tx) owns out[row, col]. Both
// operands are staged through shared memory one kTile-wide slice of K at a time, so each
// global element is read once per tile instead of once per output. Out-of-range loads
// stage zeros, which add nothing to the dot product, so edges need no special case.
template <class T>
__global__ void __launch_bounds__(kTile* kTile) matmul_kernel(Matrix<T> out, Matrix<const T> a, Matrix<const T> b,
                                                              std::int64_t m, std::int64_t n, std::int64_t k) {
  // +1 column: threads of a warp reading a column of a tile hit different banks.
  __shared__ T a_tile[kTile][kTile + 1];
  __shared__ T b_tile[kTile][kTile + 1];
  const int tx = static_cast<int>(threadIdx.x);
  const int ty = static_cast<int>(threadIdx.y);
  const std::int64_t row_tiles = (m + kTile - 1) / kTile;
  const std::int64_t col_tiles = (n + kTile - 1) / kTile;
  // Tile loops depend only on blockIdx, so every thread of a block reaches the barriers.
  for (std::int64_t tile_row = blockIdx.y; tile_row < row_tiles; tile_row += gridDim.y) {
    for (std::int64_t tile_col = blockIdx.x; tile_col < col_tiles; tile_col += gridDim.x) {
      const std::int64_t row = tile_row * kTile + ty;
      const std::int64_t col = tile_col * kTile + tx;
      T acc = T(0);
      for (std::int64_t k0 = 0; k0 < k; k0 += kTile) {
        const std::int64_t a_col = k0 + tx;
        const std::int64_t b_row = k0 + ty;
        a_tile[ty][tx] = (row < m && a_col < k) ? a.at(row, a_col) : T(0);
        b_tile[ty][tx] = (b_row < k && col < n) ? b.at(b_row, col) : T(0);
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < kTile; ++kk) acc += a_tile[ty][kk] * b_tile[kk][tx];
        __syncthreads();  // the next slice overwrites the tiles
      }
      if (row < m && col < n) out.at(row, col) = acc;
    }
  }
}

std::string shape_of(const StridedView& v) {
  std::string s = "[";
  for (int d = 0; d < v.ndim; ++d) s += (d ? ", " : "") + std::to_string(v.sizes[d]);
  return s + "]";
}

}  // namespace

void launch_matmul(const StridedView& out, const StridedView& a, const StridedView& b, cudaStream_t stream) {
  if (a.ndim != 2 || b.ndim != 2 || out.ndim != 2 || a.sizes[1] != b.sizes[0] || out.sizes[0] != a.sizes[0] ||
      out.sizes[1] != b.sizes[1]) {
    throw Error("CUDA matmul: expected out[M,N] = a[M,K] @ b[K,N], got out" + shape_of(out) + ", a" + shape_of(a) +
                ", b" + shape_of(b) + " (internal error; please report)");
  }
  if (a.dtype != b.dtype || out.dtype != a.dtype) {
    throw Error(std::string("CUDA matmul: operands are ") + dtype_name(a.dtype) + " and " + dtype_name(b.dtype) +
                " with a " + dtype_name(out.dtype) + " output; they must share one dtype");
  }
  if (!is_floating(a.dtype)) {
    throw Error(std::string("CUDA matmul: supports float32 and float64, not ") + dtype_name(a.dtype) +
                "; convert with .to(kFloat32) first");
  }
  const std::int64_t m = a.sizes[0];
  const std::int64_t k = a.sizes[1];
  const std::int64_t n = b.sizes[1];
  if (m == 0 || n == 0) return;  // nothing to write; a 0-block launch would be an error
  // K == 0 still launches: every output is an empty sum and must be written as 0.
  const std::int64_t row_tiles = (m + kTile - 1) / kTile;
  const std::int64_t col_tiles = (n + kTile - 1) / kTile;
  const dim3 grid(static_cast<unsigned int>(col_tiles < kMaxTilesPerAxis ? col_tiles : kMaxTilesPerAxis),
                  static_cast<unsigned int>(row_tiles < kMaxTilesPerAxis ? row_tiles : kMaxTilesPerAxis));
  const dim3 block(kTile, kTile);
  auto run = [&](auto tag) {
    using T = decltype(tag);
    matmul_kernel<T><<<grid, block, 0, stream>>>(
        Matrix<T>{static_cast<T*>(out.data), out.strides[0], out.strides[1]},
        Matrix<const T>{static_cast<const T*>(a.data), a.strides[0], a.strides[1]},
        Matrix<const T>{static_cast<const T*>(b.data), b.strides[0], b.strides[1]}, m, n, k);
  };
  if (a.dtype == ScalarType::Float32) {
    run(float{});
  } else {
    run(double{});
  }
  check_launch("matmul");
}

}  // namespace aliasguard::detail::cuda_impl
