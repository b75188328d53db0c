// The host backend: memory, fill, copy, and the Backend class that routes to the kernels in
// cpu_elementwise.cpp, cpu_reduce.cpp and cpu_matmul.cpp.

#include <cstring>
#include <new>
#include <string>

#include "cpu_kernels.h"

namespace aliasguard::detail {
namespace cpu {
namespace {

// 64 bytes: a cache line, and enough for any AVX-512 load, so kernels never straddle lines
// at the start of a storage.
constexpr std::size_t kAlignment = 64;

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
    if (nbytes > 0) std::memcpy(out.data, in.data, nbytes);
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

  void deallocate(void* ptr, std::size_t /*nbytes*/, int /*device*/) noexcept override {
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

  // Host memory is one address space, so every kind is the same memcpy.
  void copy_bytes(void* dst, const void* src, std::size_t nbytes, CopyKind /*kind*/,
                  int /*device*/) override {
    if (nbytes > 0) std::memcpy(dst, src, nbytes);
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
