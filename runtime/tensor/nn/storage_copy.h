#pragma once
// Internal: whole-storage copies shared by deep_copy() and Module::to().

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>

#include "aliasguard/device.h"
#include "aliasguard/tensor.h"
#include "storage_impl.h"

namespace aliasguard::detail {

/// A new storage on `device` holding every byte of `t`'s storage (not only the bytes `t`
/// views), so any handle's geometry on the old storage is valid on the new one.
std::shared_ptr<StorageImpl> copy_storage(const Tensor& t, Device device);

/// Maps an old storage id to its copy, so handles that shared one storage share the copy
/// (copy.deepcopy's memo; see Note [deep_copy keeps sharing] in state_dict.cpp).
class StorageMemo {
 public:
  /// Copies to `device`, or to each source's own device when it is nullopt.
  explicit StorageMemo(std::optional<Device> device) : device_(device) {}
  /// `t`'s storage copied to the memo's device, copied at most once per storage.
  const std::shared_ptr<StorageImpl>& copy_of(const Tensor& t);

 private:
  std::optional<Device> device_;
  std::unordered_map<std::uint64_t, std::shared_ptr<StorageImpl>> copies_;
};

}  // namespace aliasguard::detail
