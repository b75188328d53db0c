#pragma once
// Internal: the stream the CUDA backend queues every op on a device on. For code outside the
// backend that must order its own CUDA calls with the runtime's work, such as a benchmark
// recording cudaEvents around runtime calls (bench/gpu_bench.cpp). Needs only the CUDA
// runtime's C API header, so plain C++ translation units can include it.

#include <cuda_runtime_api.h>

namespace aliasguard::detail::cuda_impl {

/// The one stream every op on `device` is queued on, created on first use; one stream per
/// device keeps allocation, kernels and copies in program order without events.
cudaStream_t stream_for(int device);

}  // namespace aliasguard::detail::cuda_impl
