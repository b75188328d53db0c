// Backend::copy_many on CUDA: many (src, dst, nbytes) copies in one kernel launch.
//
// Note [Batched copy]
// PyTorch copies a state dict one tensor at a time: 161 launches (or cudaMemcpyAsync calls)
// for ResNet-50, most of them for BatchNorm vectors of a few KiB that cost a launch each and
// move next to nothing. Here every copy of one call becomes a segment of a table passed by
// value as the kernel's parameter (CUDA 12.1+ allows 32 KiB of parameters on sm_70+; the
// table is __grid_constant__, so blocks read it from the constant bank, uniformly, and it
// is never copied to local memory). No table upload, no pinned staging buffer, no sync:
// a call is one launch per kMaxSegments copies.
//
// Each segment is split on the host into a head, a body and a tail. The body is the part
// both pointers can move W bytes at a time, W the largest of 16, 8, 4, 2, 1 to which
// src and dst are aligned alike (storages from the allocator are 256-byte aligned, so whole
// tensors get W = 16; a narrow() view of floats gets at least 4). The head is the < W bytes
// before src reaches that alignment, the tail the < W bytes after the last full word.
//
// Load balance: the bodies are laid end to end in one virtual byte space (each starting at a
// multiple of 16) and that space is cut into one equal share per block, with as many blocks
// as the GPU holds resident at once (one wave, no tail wave), but no block with less than
// kMinBytesPerBlock. A block binary-searches the segment its share starts in and walks the
// segments it overlaps; a 9 MiB conv weight is spread over hundreds of blocks while one block
// sweeps dozens of 1 KiB BatchNorm vectors. Heads and tails (at most 30 bytes a segment) are
// copied byte-wise first, segment i by block i mod grid. Within a body each thread keeps
// kUnroll W-byte loads in flight before storing them.

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "cuda_common.cuh"

namespace aliasguard::detail::cuda_impl {
namespace {

constexpr int kCopyThreads = 256;
constexpr int kUnroll = 4;
// Below this a block's share costs more to schedule than to copy.
constexpr std::uint64_t kMinBytesPerBlock = 32 * 1024;

struct Segment {
  const unsigned char* src;
  unsigned char* dst;
  std::uint64_t body;   // bytes after the head copied W at a time (a multiple of W)
  std::uint64_t start;  // where the body begins in the launch's byte space (a multiple of 16)
  std::uint32_t meta;   // head bytes | tail bytes << 8 | log2(W) << 16
};

template <int Cap>
struct SegmentTable {
  std::uint32_t count;
  std::uint64_t total;      // size of the byte space (a multiple of 16)
  std::uint64_t per_block;  // each block's share of it (a multiple of 16)
  Segment seg[Cap];
};

// The largest table stays within the 32,764 bytes of kernel parameters CUDA 12.1+ allows.
constexpr int kMaxSegments = 800;
static_assert(sizeof(SegmentTable<kMaxSegments>) <= 32764, "copy table exceeds the kernel parameter limit");

/// Copies body bytes [lo, hi) of one segment (offsets past the head; multiples of sizeof(V)).
template <class V>
__device__ __forceinline__ void copy_body(const unsigned char* src, unsigned char* dst, std::uint64_t lo,
                                          std::uint64_t hi) {
  const V* s = reinterpret_cast<const V*>(src + lo);
  V* d = reinterpret_cast<V*>(dst + lo);
  const std::uint64_t n = (hi - lo) / sizeof(V);
  constexpr std::uint64_t step = kCopyThreads;
  std::uint64_t i = threadIdx.x;
  for (; i + (kUnroll - 1) * step < n; i += kUnroll * step) {
    V r[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) r[u] = __ldg(s + i + u * step);
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) d[i + u * step] = r[u];
  }
  for (; i < n; i += step) d[i] = __ldg(s + i);
}

template <int Cap>
__global__ void __launch_bounds__(kCopyThreads) copy_many_kernel(const __grid_constant__ SegmentTable<Cap> table) {
  // Heads and tails: under 32 bytes a segment, one byte a thread.
  for (std::uint32_t i = blockIdx.x; i < table.count; i += gridDim.x) {
    const Segment& s = table.seg[i];
    const std::uint32_t head = s.meta & 0xffu;
    const std::uint32_t tail = (s.meta >> 8) & 0xffu;
    const std::uint32_t t = threadIdx.x;
    if (t < head) {
      s.dst[t] = s.src[t];
    } else if (t < head + tail) {
      const std::uint64_t at = head + s.body + (t - head);
      s.dst[at] = s.src[at];
    }
  }
  // This block's share of the bodies.
  const std::uint64_t begin = static_cast<std::uint64_t>(blockIdx.x) * table.per_block;
  if (begin >= table.total) return;
  const std::uint64_t end = begin + table.per_block < table.total ? begin + table.per_block : table.total;
  // The last segment starting at or before `begin` is the one `begin` falls in (or the
  // padding after it); every thread of the block searches alike, so the reads are uniform.
  std::uint32_t lo = 0;
  std::uint32_t hi = table.count - 1;
  while (lo < hi) {
    const std::uint32_t mid = (lo + hi + 1) / 2;
    if (table.seg[mid].start <= begin) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  for (std::uint32_t i = lo; i < table.count && table.seg[i].start < end; ++i) {
    const Segment& s = table.seg[i];
    const std::uint64_t from = (begin > s.start ? begin : s.start) - s.start;
    const std::uint64_t body_end = s.start + s.body;
    const std::uint64_t to = (end < body_end ? end : body_end) - s.start;
    if (from >= to) continue;
    const std::uint32_t head = s.meta & 0xffu;
    const unsigned char* src = s.src + head;
    unsigned char* dst = s.dst + head;
    switch (s.meta >> 16) {
      case 4: copy_body<uint4>(src, dst, from, to); break;
      case 3: copy_body<uint2>(src, dst, from, to); break;
      case 2: copy_body<unsigned int>(src, dst, from, to); break;
      case 1: copy_body<unsigned short>(src, dst, from, to); break;
      default: copy_body<unsigned char>(src, dst, from, to); break;
    }
  }
}

std::uint64_t round_up16(std::uint64_t n) { return (n + 15) / 16 * 16; }

/// Head, body and tail of one copy (see Note [Batched copy]); `start` is filled in later.
Segment make_segment(const ByteCopy& c) {
  const auto src = reinterpret_cast<std::uintptr_t>(c.src);
  const auto dst = reinterpret_cast<std::uintptr_t>(c.dst);
  std::uint32_t log_w = 4;
  while (log_w > 0 && ((src ^ dst) & ((std::uintptr_t{1} << log_w) - 1)) != 0) --log_w;
  const std::uint64_t w = std::uint64_t{1} << log_w;
  const std::uint64_t n = c.nbytes;
  const std::uint64_t head = std::min<std::uint64_t>((w - (src & (w - 1))) & (w - 1), n);
  const std::uint64_t body = (n - head) / w * w;
  const std::uint64_t tail = n - head - body;
  Segment s{};
  s.src = static_cast<const unsigned char*>(c.src);
  s.dst = static_cast<unsigned char*>(c.dst);
  s.body = body;
  s.meta = static_cast<std::uint32_t>(head | (tail << 8) | (std::uint64_t{log_w} << 16));
  return s;
}

/// Blocks of copy_many_kernel<Cap> that `device` holds resident at once, asked once per
/// device and table size (the answer depends on the device's architecture only).
template <int Cap>
unsigned int resident_blocks(int device) {
  static std::mutex lock;
  static std::vector<unsigned int> known;
  std::lock_guard guard(lock);
  if (known.size() <= static_cast<std::size_t>(device)) known.resize(static_cast<std::size_t>(device) + 1, 0);
  unsigned int& blocks = known[static_cast<std::size_t>(device)];
  if (blocks == 0) {
    const std::string where = "sizing the batched copy on cuda:" + std::to_string(device);
    int sms = 0;
    check(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device), "cudaDeviceGetAttribute", where);
    int per_sm = 0;
    check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, copy_many_kernel<Cap>, kCopyThreads, 0),
          "cudaOccupancyMaxActiveBlocksPerMultiprocessor", where);
    blocks = static_cast<unsigned int>(std::max(1, sms) * std::max(1, per_sm));
  }
  return blocks;
}

template <int Cap>
void launch_table(const Segment* segs, std::uint32_t count, int device, cudaStream_t stream) {
  SegmentTable<Cap> table{};
  table.count = count;
  std::uint64_t pos = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    table.seg[i] = segs[i];
    table.seg[i].start = pos;
    pos = round_up16(pos + segs[i].body);
  }
  table.total = pos;
  const std::uint64_t wanted = std::max<std::uint64_t>(1, (pos + kMinBytesPerBlock - 1) / kMinBytesPerBlock);
  const auto blocks = static_cast<unsigned int>(std::min<std::uint64_t>(wanted, resident_blocks<Cap>(device)));
  table.per_block = std::max<std::uint64_t>(16, round_up16((pos + blocks - 1) / blocks));
  copy_many_kernel<Cap><<<blocks, kCopyThreads, 0, stream>>>(table);
  check_launch("copy_many_kernel");
}

}  // namespace

void launch_copy_many(const ByteCopy* copies, std::size_t count, int device, cudaStream_t stream) {
  std::vector<Segment> segs;
  segs.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (copies[i].nbytes != 0) segs.push_back(make_segment(copies[i]));
  }
  // Small tables for small calls: fewer parameter bytes to push with the launch.
  for (std::size_t first = 0; first < segs.size(); first += kMaxSegments) {
    const auto n = static_cast<std::uint32_t>(std::min<std::size_t>(kMaxSegments, segs.size() - first));
    if (n <= 32) {
      launch_table<32>(segs.data() + first, n, device, stream);
    } else if (n <= 192) {
      launch_table<192>(segs.data() + first, n, device, stream);
    } else {
      launch_table<kMaxSegments>(segs.data() + first, n, device, stream);
    }
  }
}

}  // namespace aliasguard::detail::cuda_impl
