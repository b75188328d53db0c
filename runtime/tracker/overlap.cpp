// Byte extents of strided views, and whether two of them share a byte.

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "aliasguard/tracker/tracker.h"

namespace aliasguard::tracker {
namespace {

// Note [Extents]
// The bytes of a strided view are {offset + sum_k i_k * stride_k}, a set that does not
// depend on the order of the dimensions. So extent_of sorts dimensions by stride, drops the
// ones that do not move (size 1, or stride 0 from expand), and merges a dimension into the
// one inside it when it steps exactly over it (stride == inner size * inner stride). What is
// left is a contiguous block (1 row), or a block repeated along one dimension (exact rows:
// a row-major block of a matrix, a column, every k-th element), or something with several
// steps, which is described by its bounding runs with exact == false. A transpose of a
// contiguous matrix is thus the same contiguous block, exactly.

constexpr std::uint64_t kMaxField = std::numeric_limits<std::uint32_t>::max();

struct Dim {
  std::uint64_t size;
  std::uint64_t stride;  // bytes
};

// [begin, end) as bounding runs: not exact.
Extent bounding(std::uint64_t begin, std::uint64_t end) {
  const std::uint64_t span = end - begin;
  if (span <= kMaxField) return Extent{begin, span, 1, static_cast<std::uint32_t>(span), false};
  constexpr std::uint64_t chunk = std::uint64_t{1} << 31;
  const std::uint64_t rows = std::min((span + chunk - 1) / chunk, kMaxField);
  return Extent{begin, chunk, static_cast<std::uint32_t>(rows), static_cast<std::uint32_t>(chunk), false};
}

// `span` contiguous bytes at `begin`. Spans over 4 GiB are cut into equal rows when a power
// of two divides them, so they stay exact.
Extent contiguous(std::uint64_t begin, std::uint64_t span, bool exact) {
  if (span <= kMaxField) return Extent{begin, span, 1, static_cast<std::uint32_t>(span), exact};
  for (std::uint64_t chunk = std::uint64_t{1} << 31; chunk > 1; chunk >>= 1) {
    if (span % chunk == 0 && span / chunk <= kMaxField)
      return Extent{begin, chunk, static_cast<std::uint32_t>(span / chunk), static_cast<std::uint32_t>(chunk), exact};
  }
  return bounding(begin, begin + span);
}

// `rows` runs of `row_bytes`, `stride` apart.
Extent runs(std::uint64_t begin, std::uint64_t stride, std::uint64_t rows, std::uint64_t row_bytes, bool exact) {
  if (rows == 1) return contiguous(begin, row_bytes, exact);
  // Runs that touch or overlap one another cover one contiguous span.
  if (stride <= row_bytes) return contiguous(begin, (rows - 1) * stride + row_bytes, exact);
  if (rows > kMaxField || row_bytes > kMaxField) return bounding(begin, begin + (rows - 1) * stride + row_bytes);
  return Extent{begin, stride, static_cast<std::uint32_t>(rows), static_cast<std::uint32_t>(row_bytes), exact};
}

// Floor division for a positive divisor.
std::int64_t floor_div(std::int64_t x, std::int64_t d) {
  std::int64_t q = x / d;
  if (x % d != 0 && x < 0) --q;
  return q;
}

// Do the bytes [lo, hi) meet a row of `r`? Rows are sorted by start since stride > 0.
bool range_meets_rows(std::uint64_t lo, std::uint64_t hi, const Extent& r) {
  if (r.rows == 1 || r.row_stride == 0) return r.begin < hi && r.begin + r.row_bytes > lo;
  // The first row that ends after `lo`; if it starts before `hi` they meet, else none does.
  const std::uint64_t first_end = r.begin + r.row_bytes;
  const std::uint64_t j = lo < first_end ? 0 : (lo - first_end) / r.row_stride + 1;
  if (j >= r.rows) return false;
  return r.begin + j * r.row_stride < hi;
}

// Rows of a and b with one stride s: row i of a and row j of b meet iff, with
// d = b.begin - a.begin + (j - i) * s, -b.row_bytes < d < a.row_bytes. Only k = j - i in
// [-(a.rows - 1), b.rows - 1] is reachable, so take the smallest k above the lower bound.
bool equal_strides_meet(const Extent& a, const Extent& b) {
  const auto s = static_cast<std::int64_t>(a.row_stride);
  const std::int64_t d0 = static_cast<std::int64_t>(b.begin) - static_cast<std::int64_t>(a.begin);
  const std::int64_t la = a.row_bytes;
  const std::int64_t lb = b.row_bytes;
  std::int64_t k = floor_div(-lb - d0, s) + 1;
  k = std::max<std::int64_t>(k, -(static_cast<std::int64_t>(a.rows) - 1));
  if (k > static_cast<std::int64_t>(b.rows) - 1) return false;
  return d0 + k * s < la;
}

// Whether the runs of a and b (taken as exact) share a byte; Maybe when too costly to say.
Overlap runs_overlap(const Extent& a, const Extent& b) {
  if (a.rows == 1 && b.rows == 1) return Overlap::Yes;  // bounding ranges already meet
  if (a.rows == 1) return range_meets_rows(a.begin, a.end(), b) ? Overlap::Yes : Overlap::No;
  if (b.rows == 1) return range_meets_rows(b.begin, b.end(), a) ? Overlap::Yes : Overlap::No;
  // Signed arithmetic below; storages are far below 2^62 bytes, but never guess.
  constexpr std::uint64_t kSafe = std::uint64_t{1} << 62;
  if (a.end() >= kSafe || b.end() >= kSafe) return Overlap::Maybe;
  if (a.row_stride == b.row_stride) return equal_strides_meet(a, b) ? Overlap::Yes : Overlap::No;
  constexpr std::uint32_t kBruteForceRows = 4096;
  const Extent& few = a.rows <= b.rows ? a : b;
  const Extent& many = a.rows <= b.rows ? b : a;
  if (few.rows > kBruteForceRows) return Overlap::Maybe;
  for (std::uint32_t i = 0; i < few.rows; ++i) {
    const std::uint64_t lo = few.begin + i * few.row_stride;
    if (range_meets_rows(lo, lo + few.row_bytes, many)) return Overlap::Yes;
  }
  return Overlap::No;
}

}  // namespace

Extent extent_of(std::size_t element_size, std::int64_t offset, const std::int64_t* sizes,
                 const std::int64_t* strides, int ndim) {
  const std::uint64_t es = element_size;
  const std::uint64_t begin = static_cast<std::uint64_t>(std::max<std::int64_t>(offset, 0)) * es;
  // Views have few dimensions: keep them on the stack (extent_of runs at every view made).
  constexpr int kInline = 12;
  std::array<Dim, kInline> inline_dims;
  std::vector<Dim> heap_dims(ndim > kInline ? static_cast<std::size_t>(ndim) : 0);
  Dim* const dims = ndim > kInline ? heap_dims.data() : inline_dims.data();
  std::size_t count = 0;
  bool negative = false;
  std::int64_t low = 0;   // element offsets reached relative to `offset`, for negative strides
  std::int64_t high = 0;
  for (int k = 0; k < ndim; ++k) {
    if (sizes[k] == 0) return Extent{begin, 0, 0, 0, true};
    if (sizes[k] == 1 || strides[k] == 0) continue;
    const std::int64_t reach = (sizes[k] - 1) * strides[k];
    (reach < 0 ? low : high) += reach;
    if (strides[k] < 0) negative = true;
    else dims[count++] = Dim{static_cast<std::uint64_t>(sizes[k]), static_cast<std::uint64_t>(strides[k]) * es};
  }
  if (negative) {  // not produced by aliasguard's views; stay correct anyway
    const auto lo = static_cast<std::uint64_t>(std::max<std::int64_t>(offset + low, 0)) * es;
    return bounding(lo, static_cast<std::uint64_t>(offset + high) * es + es);
  }
  // See Note [Extents].
  std::sort(dims, dims + count, [](const Dim& x, const Dim& y) { return x.stride < y.stride; });
  std::size_t merged = 0;  // merged in place: dims[0, merged)
  for (std::size_t k = 0; k < count; ++k) {
    Dim* inner = merged > 0 ? &dims[merged - 1] : nullptr;
    if (inner && dims[k].stride == inner->size * inner->stride) inner->size *= dims[k].size;
    else dims[merged++] = dims[k];
  }
  std::uint64_t block = es;  // the contiguous run each remaining step repeats
  std::size_t first = 0;
  if (merged > 0 && dims[0].stride == es) {
    block = dims[0].size * es;
    first = 1;
  }
  const std::size_t steps = merged - first;
  if (steps == 0) return contiguous(begin, block, true);
  if (steps == 1) return runs(begin, dims[first].stride, dims[first].size, block, true);
  // Several steps: the outermost one as rows, each row bounding everything inside it.
  std::uint64_t inner = block;
  for (std::size_t k = first; k + 1 < merged; ++k) inner += (dims[k].size - 1) * dims[k].stride;
  const Dim& outer = dims[merged - 1];
  return runs(begin, outer.stride, outer.size, inner, false);
}

Overlap overlap(const Extent& a, const Extent& b) {
  if (a.rows == 0 || b.rows == 0 || a.row_bytes == 0 || b.row_bytes == 0) return Overlap::No;
  if (a.end() <= b.begin || b.end() <= a.begin) return Overlap::No;
  const Overlap runs_meet = runs_overlap(a, b);
  // Inexact runs bound the bytes from above: runs that do not meet prove No, nothing more.
  if (runs_meet == Overlap::No) return Overlap::No;
  if (!a.exact || !b.exact) return Overlap::Maybe;
  return runs_meet;
}

}  // namespace aliasguard::tracker
