// Host matmul: out[M,N] = a[M,K] @ b[K,N] for float32 and float64, any strides.
//
// Note [Host matmul]
// The kernel is the i-k-j order over row-major operands: for each row i of out and each k,
// add a[i,k] * b[k,:] to out[i,:]. The inner loop is a contiguous axpy, which vectorises,
// and b's rows are reused from cache across i when K is blocked so that one block of b
// (kBlockBytes) stays resident. Operands whose rows are not unit-stride (a transposed or
// expanded view) are first packed into contiguous temporaries: an O(MK + KN) copy that
// turns O(MKN) strided loads into unit-stride ones. No zero-skipping: 0 * inf must still
// give NaN.

#include <algorithm>
#include <string>
#include <vector>

#include "cpu_kernels.h"

namespace aliasguard::detail::cpu {
namespace {

// Roughly a per-core L2 share; the exact value matters little (see Note [Host matmul]).
constexpr std::int64_t kBlockBytes = 256 * 1024;
// Packing walks the source in kTile x kTile tiles: a transposed operand's column stride is
// a whole row, and a tile's kTile source lines stay in L1 while its rows are written.
constexpr std::int64_t kTile = 64;

/// Scratch memory of the host backend, not zero-filled: large packing buffers then reuse
/// the backend's cached blocks (Note [Large host blocks] in cpu_backend.cpp) instead of
/// faulting in fresh pages on every call.
template <class T>
class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() {
    if (data_ != nullptr) cpu_backend().deallocate(data_, nbytes_, 0);
  }
  /// Room for `count` elements; contents indeterminate until written.
  T* allocate(std::int64_t count) {
    nbytes_ = static_cast<std::size_t>(count) * sizeof(T);
    data_ = static_cast<T*>(cpu_backend().allocate(nbytes_, 0, /*zero=*/false));
    return data_;
  }

 private:
  T* data_ = nullptr;
  std::size_t nbytes_ = 0;
};

/// A row-major matrix: element (r, c) at data[r * ld + c].
template <class T>
struct RowMajor {
  const T* data;
  std::int64_t ld;
};

// A view of `rows` x `cols` with unit column stride as is, anything else packed into `buf`.
template <class T>
RowMajor<T> as_row_major(const StridedView& v, Scratch<T>& buf) {
  const std::int64_t rows = v.sizes[0];
  const std::int64_t cols = v.sizes[1];
  const T* src = static_cast<const T*>(v.data);
  if (v.strides[1] == 1 || cols == 1) return {src, v.strides[0]};
  T* dst = buf.allocate(rows * cols);
  for (std::int64_t r0 = 0; r0 < rows; r0 += kTile) {
    const std::int64_t r1 = std::min(rows, r0 + kTile);
    for (std::int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const std::int64_t c1 = std::min(cols, c0 + kTile);
      for (std::int64_t r = r0; r < r1; ++r) {
        for (std::int64_t c = c0; c < c1; ++c) dst[r * cols + c] = src[r * v.strides[0] + c * v.strides[1]];
      }
    }
  }
  return {dst, cols};
}

template <class T>
void matmul_typed(const StridedView& out, const StridedView& a, const StridedView& b) {
  const std::int64_t m = a.sizes[0];
  const std::int64_t k_total = a.sizes[1];
  const std::int64_t n = b.sizes[1];
  if (m == 0 || n == 0) return;

  Scratch<T> a_buf;
  Scratch<T> b_buf;
  std::vector<T> c_buf;
  const RowMajor<T> pa = as_row_major(a, a_buf);
  const RowMajor<T> pb = as_row_major(b, b_buf);
  // Accumulate straight into out when its rows are unit-stride, else into a temporary.
  T* c = static_cast<T*>(out.data);
  std::int64_t ldc = out.strides[0];
  const bool direct = out.strides[1] == 1 || n == 1;
  if (!direct) {
    c_buf.assign(static_cast<std::size_t>(m * n), T(0));
    c = c_buf.data();
    ldc = n;
  } else {
    for (std::int64_t i = 0; i < m; ++i) std::fill_n(c + i * ldc, n, T(0));
  }

  const std::int64_t row_bytes = n * static_cast<std::int64_t>(sizeof(T));
  const std::int64_t block = std::max<std::int64_t>(1, kBlockBytes / row_bytes);
  for (std::int64_t k0 = 0; k0 < k_total; k0 += block) {
    const std::int64_t k1 = std::min(k_total, k0 + block);
    for (std::int64_t i = 0; i < m; ++i) {
      T* crow = c + i * ldc;
      const T* arow = pa.data + i * pa.ld;
      for (std::int64_t k = k0; k < k1; ++k) {
        const T aik = arow[k];
        const T* brow = pb.data + k * pb.ld;
        for (std::int64_t j = 0; j < n; ++j) crow[j] += aik * brow[j];
      }
    }
  }

  if (!direct) {
    T* o = static_cast<T*>(out.data);
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t j = 0; j < n; ++j) o[i * out.strides[0] + j * out.strides[1]] = c[i * n + j];
    }
  }
}

std::string dims_string(const StridedView& v) {
  std::string s = "[";
  for (int d = 0; d < v.ndim; ++d) s += (d > 0 ? ", " : "") + std::to_string(v.sizes[d]);
  return s + "]";
}

}  // namespace

void matmul(const StridedView& out, const StridedView& a, const StridedView& b) {
  // The core validates shapes; these checks keep a core bug from reading out of bounds.
  if (a.ndim != 2 || b.ndim != 2 || out.ndim != 2 || a.sizes[1] != b.sizes[0] ||
      out.sizes[0] != a.sizes[0] || out.sizes[1] != b.sizes[1]) {
    throw Error("host backend: matmul needs out[M,N] = a[M,K] @ b[K,N], got out " +
                dims_string(out) + ", a " + dims_string(a) + ", b " + dims_string(b));
  }
  if (a.dtype != b.dtype || out.dtype != a.dtype) {
    throw Error(std::string("host backend: matmul needs one dtype, got out ") +
                dtype_name(out.dtype) + ", a " + dtype_name(a.dtype) + ", b " +
                dtype_name(b.dtype));
  }
  switch (a.dtype) {
    case ScalarType::Float32: return matmul_typed<float>(out, a, b);
    case ScalarType::Float64: return matmul_typed<double>(out, a, b);
    case ScalarType::Int64:
    case ScalarType::Bool: break;
  }
  throw Error(std::string("host backend: matmul supports float32 and float64, got ") +
              dtype_name(a.dtype));
}

}  // namespace aliasguard::detail::cpu
