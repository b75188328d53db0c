// Built instead of cuda/ when the runtime is configured without CUDA: every CUDA request
// gets one clear error instead of a link failure or a silent fallback to the host.

#include <string>

#include "aliasguard/device.h"
#include "aliasguard/error.h"
#include "backend.h"
#include "cuda/cuda_status.h"

namespace aliasguard {
namespace detail {
namespace {

const char* const kNoCudaMessage =
    "aliasguard was built without CUDA support; reconfigure with -DAG_ENABLE_CUDA=ON on a machine with nvcc";

}  // namespace

Backend& cuda_backend() { throw Error(kNoCudaMessage); }

std::string cuda_unavailable_reason() { return kNoCudaMessage; }

}  // namespace detail

namespace cuda {

bool is_available() { return false; }

int device_count() { return 0; }

void synchronize(int /*device*/) { throw Error(detail::kNoCudaMessage); }

}  // namespace cuda
}  // namespace aliasguard
