#pragma once
/// \file TensorOptions: dtype, device and requires_grad for factory functions.

#include "aliasguard/device.h"
#include "aliasguard/dtype.h"

namespace aliasguard {

/// Options for factories, built LibTorch-style: `TensorOptions().dtype(kFloat64).device(...)`.
/// Converts implicitly from a ScalarType or a Device.
class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(ScalarType t) : dtype_(t) {}  // NOLINT(google-explicit-constructor)
  TensorOptions(Device d) : device_(d) {}     // NOLINT(google-explicit-constructor)

  TensorOptions dtype(ScalarType t) const { TensorOptions o = *this; o.dtype_ = t; return o; }
  TensorOptions device(Device d) const { TensorOptions o = *this; o.device_ = d; return o; }
  TensorOptions requires_grad(bool r) const { TensorOptions o = *this; o.requires_grad_ = r; return o; }

  ScalarType dtype() const { return dtype_; }
  Device device() const { return device_; }
  bool requires_grad() const { return requires_grad_; }

 private:
  ScalarType dtype_ = kFloat32;
  Device device_ = Device::cpu();
  bool requires_grad_ = false;
};

}  // namespace aliasguard
