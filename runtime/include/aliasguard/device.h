#pragma once
/// \file Device: where a tensor's storage lives.

#include <cstdint>
#include <iosfwd>
#include <string>

namespace aliasguard {

enum class DeviceType : std::int8_t { CPU = 0, CUDA = 1 };

/// A device: the host, or CUDA device `index`. Printed as PyTorch prints it ("cpu", "cuda:0").
class Device {
 public:
  constexpr Device() = default;
  constexpr Device(DeviceType type, int index) : type_(type), index_(index) {}

  static constexpr Device cpu() { return Device(DeviceType::CPU, 0); }
  static constexpr Device cuda(int index = 0) { return Device(DeviceType::CUDA, index); }

  constexpr DeviceType type() const { return type_; }
  constexpr int index() const { return index_; }
  constexpr bool is_cpu() const { return type_ == DeviceType::CPU; }
  constexpr bool is_cuda() const { return type_ == DeviceType::CUDA; }
  std::string str() const;

  friend constexpr bool operator==(Device a, Device b) {
    return a.type_ == b.type_ && a.index_ == b.index_;
  }
  friend constexpr bool operator!=(Device a, Device b) { return !(a == b); }

 private:
  DeviceType type_ = DeviceType::CPU;
  int index_ = 0;
};

/// Prints Device::str() ("cpu", "cuda:0").
std::ostream& operator<<(std::ostream& os, Device device);

namespace cuda {
/// True when the runtime was built with CUDA and at least one GPU can be used.
bool is_available();
/// Number of usable CUDA devices (0 without CUDA support or GPU).
int device_count();
/// Blocks until all work queued on `device` has finished.
void synchronize(int device = 0);
}  // namespace cuda

}  // namespace aliasguard
