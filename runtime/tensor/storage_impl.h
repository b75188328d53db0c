#pragma once
// Internal: the unit of alias identity. See Note [Handles and storage] in tensor.h.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "aliasguard/device.h"
#if AG_CHECKED
#include "aliasguard/tracker/tracker.h"
#endif

namespace aliasguard::detail {

class Backend;

/// A block of device or host memory. Two handles alias iff they point at the same StorageImpl.
class StorageImpl {
 public:
  /// Allocates `nbytes` on `device`, zero-filled unless the caller overwrites every byte at
  /// once (`zero_fill` false): the runtime never shows indeterminate bytes.
  StorageImpl(std::size_t nbytes, Device device, bool zero_fill = true);
  /// A storage of `nbytes` at `data`, inside a larger allocation that `block` owns; the
  /// block is freed with the last storage carved from it. Not zero-filled. See Note [Carved
  /// storages] in nn/storage_copy.h.
  StorageImpl(std::size_t nbytes, Device device, std::shared_ptr<void> block, void* data);
  ~StorageImpl();
  StorageImpl(const StorageImpl&) = delete;
  StorageImpl& operator=(const StorageImpl&) = delete;

  void* data() const { return data_; }
  std::size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  /// Never reused within a process, unlike addresses.
  std::uint64_t id() const { return id_; }
  Backend& backend() const { return *backend_; }
#if AG_CHECKED
  /// The tracker's record of these bytes (checked runtime only).
  tracker::Storage& tracked() const { return tracked_; }
#endif

 private:
  void* data_ = nullptr;
  std::size_t nbytes_;
  Device device_;
  std::uint64_t id_;
  Backend* backend_;
  std::shared_ptr<void> block_;  // set for a carved storage, which frees no memory itself
#if AG_CHECKED
  mutable tracker::Storage tracked_;
#endif
};

}  // namespace aliasguard::detail
