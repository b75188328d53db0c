// The host backend: memory, fill, copy, and the Backend class that routes to the kernels in
// cpu_elementwise.cpp, cpu_reduce.cpp and cpu_matmul.cpp.

#include <cstdint>
#include <cstring>
#include <iterator>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "cpu_copy.h"
#include "cpu_kernels.h"

namespace aliasguard::detail {
namespace cpu {
namespace {

// 64 bytes: a cache line, and enough for any AVX-512 load, so kernels never straddle lines
// at the start of a storage.
constexpr std::size_t kAlignment = 64;

// Note [Large host blocks]
// A tensor's storage is usually written whole soon after it is allocated (a clone, a
// deep_copy, a matmul's output), so for large blocks the cost is the kernel's, not the
// allocator's: every fresh 4 KiB page faults on first touch (16,384 faults for a 64 MB
// clone, most of its time). Blocks of kLargeBlock bytes or more are therefore mapped
// directly, aligned to 2 MiB and marked MADV_HUGEPAGE, so transparent huge pages back them
// (512x fewer faults) wherever the system allows THP ("madvise" or "always"); elsewhere they
// behave like glibc's own mmap of large blocks. Fresh anonymous pages read as zero, so
// these blocks need no memset either: zero-filled storage costs nothing until touched.
// Even huge pages are cleared by the kernel on their first fault (about a third of a
// ResNet-50-sized deep_copy + load_state_dict), so a freed large block is kept, up to
// kCachedBytes in all, and handed out again for the next request of the same rounded size:
// the pattern of a training loop, whose activations, gradients and checkpoints come back
// with the same shapes every step. glibc does the same for blocks under its mmap threshold
// (it keeps them in its heap); PyTorch's CUDA allocator caches without a bound. A reused
// block is zero-filled with memset when the caller asks for zeros; the oldest cached blocks
// are unmapped when the bound is reached, and all of them before a failed mapping is retried.
// AddressSanitizer builds keep malloc, whose redzones catch overruns of any block.
#if defined(__SANITIZE_ADDRESS__)
#define AG_CPU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AG_CPU_ASAN 1
#endif
#endif
#if defined(__linux__) && !defined(AG_CPU_ASAN)
#define AG_CPU_LARGE_BLOCKS 1
constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kLargeBlock = kHugePage;

std::size_t large_block_bytes(std::size_t nbytes) { return (nbytes + kHugePage - 1) / kHugePage * kHugePage; }

/// A zero-filled, 2 MiB-aligned mapping of large_block_bytes(nbytes); nullptr when the
/// system refuses.
void* map_large_block(std::size_t nbytes) {
  const std::size_t size = large_block_bytes(nbytes);
  // Over-map by one huge page, then unmap the unaligned head and the tail.
  void* raw = ::mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto base = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t start = (base + kHugePage - 1) / kHugePage * kHugePage;
  const std::size_t head = start - base;
  if (head > 0) ::munmap(raw, head);
  ::munmap(reinterpret_cast<void*>(start + size), kHugePage - head);  // never empty: head < kHugePage
  void* block = reinterpret_cast<void*>(start);
  // Only advice: without THP the block still works, with 4 KiB pages.
  (void)::madvise(block, size, MADV_HUGEPAGE);
  return block;
}

/// At most this many bytes of freed large blocks are kept for reuse.
constexpr std::size_t kCachedBytes = std::size_t{256} << 20;

/// Freed large blocks, by rounded size; thread-safe. See Note [Large host blocks].
class LargeBlockCache {
 public:
  /// A cached block of exactly `size` (a large_block_bytes value), most recent first;
  /// nullptr when there is none.
  void* take(std::size_t size) {
    const std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = blocks_.rbegin(); it != blocks_.rend(); ++it) {
      if (it->size == size) {
        void* block = it->ptr;
        cached_ -= size;
        blocks_.erase(std::next(it).base());
        return block;
      }
    }
    return nullptr;
  }

  /// Keeps `block` for reuse, unmapping the oldest blocks beyond kCachedBytes; unmaps
  /// `block` itself when it cannot be kept.
  void give(void* block, std::size_t size) noexcept {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (size > kCachedBytes) {
      ::munmap(block, size);
      return;
    }
    std::size_t evicted = 0;
    while (cached_ + size > kCachedBytes) cached_ -= blocks_[evicted++].unmap();
    blocks_.erase(blocks_.begin(), blocks_.begin() + static_cast<std::ptrdiff_t>(evicted));
    try {
      blocks_.push_back({block, size});
      cached_ += size;
    } catch (const std::bad_alloc&) {
      ::munmap(block, size);
    }
  }

  /// Unmaps every cached block (before retrying a mapping the system refused).
  void release() noexcept {
    const std::lock_guard<std::mutex> lock(mutex_);
    for (Block& b : blocks_) b.unmap();
    blocks_.clear();
    cached_ = 0;
  }

 private:
  struct Block {
    void* ptr;
    std::size_t size;
    std::size_t unmap() const noexcept {
      ::munmap(ptr, size);
      return size;
    }
  };
  std::mutex mutex_;
  std::vector<Block> blocks_;  // oldest first
  std::size_t cached_ = 0;
};

// Never destroyed: a tensor with static storage duration may be freed after a function-local
// static would have been, at exit.
LargeBlockCache& large_block_cache() {
  static LargeBlockCache* const cache = new LargeBlockCache;
  return *cache;
}

/// A 2 MiB-aligned block of at least `nbytes`, zero-filled when `zero`; nullptr when the
/// system refuses even after the cache is released.
void* allocate_large_block(std::size_t nbytes, bool zero) {
  const std::size_t size = large_block_bytes(nbytes);
  if (void* block = large_block_cache().take(size)) {
    if (zero) std::memset(block, 0, nbytes);
    return block;
  }
  void* block = map_large_block(nbytes);
  if (block == nullptr) {
    large_block_cache().release();
    block = map_large_block(nbytes);
  }
  return block;  // fresh pages read as zero
}
#else
#define AG_CPU_LARGE_BLOCKS 0
#endif

template <class T>
void fill_typed(const StridedView& out, T value) {
  T* o = static_cast<T*>(out.data);
  if (out.is_contiguous()) {
    const std::int64_t n = out.numel();
    for (std::int64_t i = 0; i < n; ++i) o[i] = value;
    return;
  }
  const StridedView* const views[1] = {&out};
  for_each_row(make_loop(views), [&](const std::int64_t* off, const std::int64_t* st,
                                     std::int64_t count) {
    T* p = o + off[0];
    for (std::int64_t i = 0; i < count; ++i) p[i * st[0]] = value;
  });
}

}  // namespace

void fill(const StridedView& out, double value) {
  dispatch_all(out.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    fill_typed<T>(out, convert<T>(value));
  });
}

void copy(const StridedView& out, const StridedView& in) {
  if (out.dtype == in.dtype && out.is_contiguous() && in.is_contiguous()) {
    const auto nbytes = static_cast<std::size_t>(out.numel()) * element_size(out.dtype);
    copy_one(out.data, in.data, nbytes);
    return;
  }
  dispatch_all(out.dtype, [&](auto out_tag) {
    using O = typename decltype(out_tag)::type;
    dispatch_all(in.dtype, [&](auto in_tag) {
      using I = typename decltype(in_tag)::type;
      map1<O, I>(out, in, [](I v) { return convert<O>(v); });
    });
  });
}

}  // namespace cpu

namespace {

/// The host implementation of Backend; stateless, so one instance serves every thread.
class CpuBackend final : public Backend {
 public:
  DeviceType type() const override { return DeviceType::CPU; }

  void* allocate(std::size_t nbytes, int /*device*/, bool zero) override {
    // No object may exceed PTRDIFF_MAX bytes (pointer differences inside it would overflow),
    // so such a request is refused outright instead of asking the allocator.
    if (nbytes > static_cast<std::size_t>(PTRDIFF_MAX)) {
      throw Error("host backend: cannot allocate " + std::to_string(nbytes) +
                  " bytes: larger than the address space allows");
    }
#if AG_CPU_LARGE_BLOCKS
    if (nbytes >= cpu::kLargeBlock) {
      void* block = cpu::allocate_large_block(nbytes, zero);
      if (block == nullptr) {
        throw Error("host backend: out of memory allocating " + std::to_string(nbytes) + " bytes");
      }
      return block;
    }
#endif
    // Round up so nbytes == 0 still yields a unique, freeable pointer.
    const std::size_t rounded = (nbytes + cpu::kAlignment - 1) / cpu::kAlignment * cpu::kAlignment;
    void* ptr = ::operator new(rounded == 0 ? cpu::kAlignment : rounded,
                               std::align_val_t{cpu::kAlignment}, std::nothrow);
    if (ptr == nullptr) {
      throw Error("host backend: out of memory allocating " + std::to_string(nbytes) + " bytes");
    }
    if (zero && nbytes > 0) std::memset(ptr, 0, nbytes);
    return ptr;
  }

  /// `nbytes` must be the size that allocate() was asked for: it tells the two kinds apart.
  void deallocate(void* ptr, std::size_t nbytes, int /*device*/) noexcept override {
#if AG_CPU_LARGE_BLOCKS
    if (nbytes >= cpu::kLargeBlock) {
      cpu::large_block_cache().give(ptr, cpu::large_block_bytes(nbytes));
      return;
    }
#else
    (void)nbytes;
#endif
    ::operator delete(ptr, std::align_val_t{cpu::kAlignment});
  }

  void fill(const StridedView& out, double value) override { cpu::fill(out, value); }
  void copy(const StridedView& out, const StridedView& in) override { cpu::copy(out, in); }
  void unary(UnaryOp op, const StridedView& out, const StridedView& in) override {
    cpu::unary(op, out, in);
  }
  void binary(BinaryOp op, const StridedView& out, const StridedView& a, const StridedView& b,
              double alpha) override {
    cpu::binary(op, out, a, b, alpha);
  }
  void binary_scalar(BinaryOp op, const StridedView& out, const StridedView& a, double scalar,
                     bool scalar_first) override {
    cpu::binary_scalar(op, out, a, scalar, scalar_first);
  }
  void clamp(const StridedView& out, const StridedView& in, double lo, double hi) override {
    cpu::clamp(out, in, lo, hi);
  }
  void reduce(ReduceOp op, const StridedView& out, const StridedView& in) override {
    cpu::reduce(op, out, in);
  }
  void matmul(const StridedView& out, const StridedView& a, const StridedView& b) override {
    cpu::matmul(out, a, b);
  }

  // Host memory is one address space, so every kind is the same copy.
  void copy_bytes(void* dst, const void* src, std::size_t nbytes, CopyKind /*kind*/,
                  int /*device*/) override {
    cpu::copy_one(dst, src, nbytes);
  }

  // A batch larger than the cache streams (Note [Streaming batch copies] in cpu_copy.h).
  void copy_many(const ByteCopy* copies, std::size_t count, int /*device*/) override {
    cpu::copy_many(copies, count);
  }

  // Host kernels finish before they return; there is nothing to wait for.
  void synchronize(int /*device*/) override {}
};

}  // namespace

Backend& cpu_backend() {
  static CpuBackend backend;
  return backend;
}

}  // namespace aliasguard::detail
