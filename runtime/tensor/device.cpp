#include "aliasguard/device.h"

#include <ostream>
#include <string>

#include "aliasguard/error.h"
#include "backend.h"

namespace aliasguard {

std::string Device::str() const {
  if (is_cpu()) return "cpu";
  return "cuda:" + std::to_string(index_);
}

std::ostream& operator<<(std::ostream& os, Device device) { return os << device.str(); }

namespace detail {

Backend& backend_for(Device device) {
  switch (device.type()) {
    case DeviceType::CPU:
      return cpu_backend();
    case DeviceType::CUDA: {
      Backend& backend = cuda_backend();  // throws when CUDA is missing or unusable
      const int count = cuda::device_count();
      if (device.index() < 0 || device.index() >= count) {
        throw Error("CUDA device " + std::to_string(device.index()) + " requested, but " +
                    std::to_string(count) + " CUDA device(s) are available");
      }
      return backend;
    }
  }
  throw Error("unknown device type");
}

}  // namespace detail
}  // namespace aliasguard
