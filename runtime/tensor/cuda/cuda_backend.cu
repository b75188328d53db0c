// The CUDA backend object: device discovery, the device guard, per-device streams, memory
// and raw copies. Kernels live in cuda_elementwise.cu, cuda_reduce.cu and cuda_matmul.cu.

#include <cstdint>
#include <mutex>
#include <string>

#include "aliasguard/device.h"
#include "aliasguard/error.h"
#include "backend.h"
#include "cuda/cuda_status.h"
#include "cuda_common.cuh"

namespace aliasguard::detail {
namespace cuda_impl {
namespace {

/// What cudaGetDeviceCount said, asked once: the answer cannot change within a process.
struct DeviceProbe {
  cudaError_t status = cudaSuccess;
  int count = 0;
};

const DeviceProbe& probe() {
  static const DeviceProbe result = [] {
    DeviceProbe p;
    p.status = cudaGetDeviceCount(&p.count);
    if (p.status != cudaSuccess) {
      (void)cudaGetLastError();  // do not let the probe's failure surface in a later check
      p.count = 0;
    } else if (p.count == 0) {
      p.status = cudaErrorNoDevice;
    }
    return p;
  }();
  return result;
}

std::string unavailable_message(const DeviceProbe& p) {
  return std::string("no usable CUDA device: ") + cudaGetErrorString(p.status) + " (" +
         cudaGetErrorName(p.status) +
         " from cudaGetDeviceCount); create the tensor on Device::cpu(), or run where an NVIDIA "
         "GPU and a matching driver are visible (check nvidia-smi and CUDA_VISIBLE_DEVICES)";
}

void check_device_index(int device) {
  const DeviceProbe& p = probe();
  if (p.count == 0) throw Error(unavailable_message(p));
  if (device < 0 || device >= p.count) {
    throw Error("CUDA device " + std::to_string(device) + " requested, but " + std::to_string(p.count) +
                " CUDA device(s) are visible (valid: cuda:0 to cuda:" + std::to_string(p.count - 1) + ")");
  }
}

/// A device's stream and whether its default memory pool serves cudaMallocAsync.
struct DeviceState {
  std::once_flag once;
  cudaStream_t stream = nullptr;
  bool pooled = false;
};

// Leaked on purpose: storages freed during static destruction still need their device's
// stream, and CUDA objects must not be destroyed after the runtime has unloaded.
DeviceState* device_states() {
  static DeviceState* states = new DeviceState[static_cast<std::size_t>(probe().count)];
  return states;
}

DeviceState& device_state(int device) {
  check_device_index(device);
  DeviceState& state = device_states()[device];
  std::call_once(state.once, [&] {
    DeviceGuard guard(device);
    const std::string where = "setting up cuda:" + std::to_string(device);
    int pools = 0;
    check(cudaDeviceGetAttribute(&pools, cudaDevAttrMemoryPoolsSupported, device), "cudaDeviceGetAttribute",
          where);
    if (pools != 0) {
      // The default pool returns memory to the driver at every synchronization; keeping it
      // (as PyTorch's caching allocator does) makes allocation after a sync cheap.
      cudaMemPool_t pool = nullptr;
      check(cudaDeviceGetDefaultMemPool(&pool, device), "cudaDeviceGetDefaultMemPool", where);
      std::uint64_t keep_all = UINT64_MAX;
      check(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep_all), "cudaMemPoolSetAttribute",
            where);
    }
    cudaStream_t stream = nullptr;
    check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags", where);
    state.stream = stream;
    state.pooled = pools != 0;
  });
  return state;
}

std::string device_name(int device) { return "cuda:" + std::to_string(device); }

}  // namespace

void check(cudaError_t status, const char* call, const std::string& context) {
  if (status == cudaSuccess) return;
  // Clear the (non-sticky) error so the next check reports its own call, not this one.
  (void)cudaGetLastError();
  std::string message = std::string("CUDA error: ") + call + " failed";
  if (!context.empty()) message += " while " + context;
  message += ": ";
  message += cudaGetErrorString(status);
  message += " (";
  message += cudaGetErrorName(status);
  message += ")";
  if (status == cudaErrorMemoryAllocation) {
    message += "; free device memory (drop tensors you no longer need) or use smaller tensors";
  }
  throw Error(message);
}

void check_launch(const char* kernel) {
  check(cudaGetLastError(), "kernel launch", std::string("launching ") + kernel);
}

DeviceGuard::DeviceGuard(int device) {
  check_device_index(device);
  check(cudaGetDevice(&previous_), "cudaGetDevice", "selecting " + device_name(device));
  if (previous_ != device) {
    check(cudaSetDevice(device), "cudaSetDevice", "selecting " + device_name(device));
    switched_ = true;
  }
}

DeviceGuard::~DeviceGuard() {
  // A destructor cannot throw; restoring a device that was current a moment ago only fails
  // when the CUDA runtime is already broken, and then the next checked call reports it.
  if (switched_) (void)cudaSetDevice(previous_);
}

cudaStream_t stream_for(int device) { return device_state(device).stream; }

namespace {

/// Device memory and kernels for Device::cuda(i). See Note [Kernel contract].
class CudaBackend final : public Backend {
 public:
  DeviceType type() const override { return DeviceType::CUDA; }

  void* allocate(std::size_t nbytes, int device, bool zero) override {
    if (nbytes == 0) return nullptr;
    DeviceGuard guard(device);
    DeviceState& state = device_state(device);
    void* ptr = nullptr;
    const cudaError_t allocated =
        state.pooled ? cudaMallocAsync(&ptr, nbytes, state.stream) : cudaMalloc(&ptr, nbytes);
    // The message is built only on failure: a deep copy allocates once per tensor.
    if (allocated != cudaSuccess) {
      check(allocated, state.pooled ? "cudaMallocAsync" : "cudaMalloc",
            "allocating " + std::to_string(nbytes) + " bytes on " + device_name(device));
    }
    const cudaError_t zeroed = zero ? cudaMemsetAsync(ptr, 0, nbytes, state.stream) : cudaSuccess;
    if (zeroed != cudaSuccess) {
      release(ptr, state);
      check(zeroed, "cudaMemsetAsync", "zero-filling " + std::to_string(nbytes) + " bytes on " + device_name(device));
    }
    return ptr;
  }

  void deallocate(void* ptr, std::size_t /*nbytes*/, int device) noexcept override {
    if (ptr == nullptr) return;
    // allocate() succeeded on this device, so its state exists; errors here (typically the
    // runtime unloading at exit) cannot be reported from a noexcept path and free nothing
    // that the process still needs.
    int previous = 0;
    if (cudaGetDevice(&previous) != cudaSuccess) return;
    if (previous != device && cudaSetDevice(device) != cudaSuccess) return;
    release(ptr, device_states()[device]);
    if (previous != device) (void)cudaSetDevice(previous);
  }

  void fill(const StridedView& out, double value) override {
    DeviceGuard guard(out.device);
    cuda_impl::launch_fill(out, value, stream_for(out.device));
  }

  void copy(const StridedView& out, const StridedView& in) override {
    DeviceGuard guard(out.device);
    cuda_impl::launch_copy(out, in, stream_for(out.device));
  }

  void unary(UnaryOp op, const StridedView& out, const StridedView& in) override {
    DeviceGuard guard(out.device);
    cuda_impl::launch_unary(op, out, in, stream_for(out.device));
  }

  void binary(BinaryOp op, const StridedView& out, const StridedView& a, const StridedView& b,
              double alpha) override {
    DeviceGuard guard(out.device);
    cuda_impl::launch_binary(op, out, a, b, alpha, stream_for(out.device));
  }

  void binary_scalar(BinaryOp op, const StridedView& out, const StridedView& a, double scalar,
                     bool scalar_first) override {
    DeviceGuard guard(out.device);
    cuda_impl::launch_binary_scalar(op, out, a, scalar, scalar_first, stream_for(out.device));
  }

  void clamp(const StridedView& out, const StridedView& in, double lo, double hi) override {
    DeviceGuard guard(out.device);
    cuda_impl::launch_clamp(out, in, lo, hi, stream_for(out.device));
  }

  void reduce(ReduceOp op, const StridedView& out, const StridedView& in) override {
    DeviceGuard guard(out.device);
    cuda_impl::launch_reduce(op, out, in, stream_for(out.device));
  }

  void matmul(const StridedView& out, const StridedView& a, const StridedView& b) override {
    DeviceGuard guard(out.device);
    cuda_impl::launch_matmul(out, a, b, stream_for(out.device));
  }

  void copy_bytes(void* dst, const void* src, std::size_t nbytes, CopyKind kind, int device) override {
    if (nbytes == 0) return;
    DeviceGuard guard(device);
    cudaStream_t stream = stream_for(device);
    const std::string what = "copying " + std::to_string(nbytes) + " bytes " + direction(kind) + " " +
                             device_name(device);
    // Host memory here is pageable (the host backend never pins), so an asynchronous
    // host-to-device copy has staged the source before it returns and the caller may free it.
    check(cudaMemcpyAsync(dst, src, nbytes, memcpy_kind(kind), stream), "cudaMemcpyAsync", what);
    if (kind == CopyKind::DeviceToHost) {
      check(cudaStreamSynchronize(stream), "cudaStreamSynchronize", what);
    }
  }

  // One kernel launch for all of them; see Note [Batched copy] in cuda_copy.cu.
  void copy_many(const ByteCopy* copies, std::size_t count, int device) override {
    if (count == 0) return;
    DeviceGuard guard(device);
    cuda_impl::launch_copy_many(copies, count, device, stream_for(device));
  }

  void synchronize(int device) override {
    DeviceGuard guard(device);
    check(cudaStreamSynchronize(stream_for(device)), "cudaStreamSynchronize",
          "waiting for work queued on " + device_name(device));
  }

 private:
  // Frees on the allocating stream, so memory still read by queued kernels is reused only
  // after them.
  static void release(void* ptr, const DeviceState& state) noexcept {
    if (state.pooled) {
      (void)cudaFreeAsync(ptr, state.stream);
    } else {
      // cudaFree does not wait for this (non-blocking) stream's kernels; wait first.
      (void)cudaStreamSynchronize(state.stream);
      (void)cudaFree(ptr);
    }
  }

  static cudaMemcpyKind memcpy_kind(CopyKind kind) {
    switch (kind) {
      case CopyKind::HostToDevice: return cudaMemcpyHostToDevice;
      case CopyKind::DeviceToHost: return cudaMemcpyDeviceToHost;
      case CopyKind::DeviceToDevice: return cudaMemcpyDeviceToDevice;
    }
    throw Error("CUDA backend: unknown copy kind");
  }

  static const char* direction(CopyKind kind) {
    switch (kind) {
      case CopyKind::HostToDevice: return "from the host to";
      case CopyKind::DeviceToHost: return "to the host from";
      case CopyKind::DeviceToDevice: return "within";
    }
    return "on";
  }
};

}  // namespace
}  // namespace cuda_impl

Backend& cuda_backend() {
  const cuda_impl::DeviceProbe& p = cuda_impl::probe();
  if (p.count == 0) throw Error(cuda_impl::unavailable_message(p));
  // Leaked: storages released during static destruction still call into it.
  static cuda_impl::CudaBackend* backend = new cuda_impl::CudaBackend();
  return *backend;
}

std::string cuda_unavailable_reason() {
  const cuda_impl::DeviceProbe& p = cuda_impl::probe();
  return p.count > 0 ? std::string() : cuda_impl::unavailable_message(p);
}

}  // namespace aliasguard::detail

namespace aliasguard::cuda {

bool is_available() { return detail::cuda_impl::probe().count > 0; }

int device_count() { return detail::cuda_impl::probe().count; }

void synchronize(int device) { detail::cuda_backend().synchronize(device); }

}  // namespace aliasguard::cuda
