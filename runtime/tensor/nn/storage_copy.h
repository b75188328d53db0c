#pragma once
// Internal: whole-storage copies shared by deep_copy() and Module::to().

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aliasguard/device.h"
#include "aliasguard/tensor.h"
#include "backend.h"
#include "storage_impl.h"

namespace aliasguard::detail {

class CopyBatch;

/// A new storage on `device` holding every byte of `t`'s storage (not only the bytes `t`
/// views), so any handle's geometry on the old storage is valid on the new one. With a
/// `batch`, a copy within one device is queued there instead of issued (the caller
/// flushes the batch before anyone reads the new storage); the checked runtime sees the
/// same read and write either way.
std::shared_ptr<StorageImpl> copy_storage(const Tensor& t, Device device, CopyBatch* batch = nullptr);

// Note [Batched state-dict copies]
// deep_copy(StateDict) and Module::load_state_dict copy many tensors at once. Where source
// and destination are dense bytes on one device they queue the copy in a CopyBatch and
// issue all of them as one Backend::copy_many: on a CUDA device one kernel launch instead of
// one per tensor (Note [Batched copy] in cuda/cuda_copy.cu), on the host one pass that
// streams the bytes when the batch is larger than the cache (Note [Streaming batch copies]
// in cpu/cpu_copy.h). Everything else (copies between devices, strided views) takes the
// per-tensor copy_ path unchanged. Tracking is unchanged too: each tensor's read and write
// is recorded when it is queued, in the same order and with the same origin as copy_
// records them.

/// Whether the batched path is used (default true). Off, every copy goes through copy_ one
/// tensor at a time, which the GPU benchmark uses to show the gain. Process-wide.
bool batched_copies_enabled();
void set_batched_copies(bool enabled);

/// Whether copy_storage() batches a copy of `t`'s storage to `device` (a copy within one
/// device, batching on).
bool batches_copy(const Tensor& t, Device device);

// Note [Carved storages]
// On a GPU the bytes of a state dict's small tensors take less time to copy than the host
// takes to allocate them: each cudaMallocAsync is an API call, and deep_copy of ResNet-50
// made 161 of them for 102 MB that a current GPU copies in less time (bench/README.md, "GPU
// runs"). deep_copy(StateDict) therefore
// first reserves room for every storage it will copy in a batch, and then carves the small
// ones (up to kMaxCarvedBytes each, 256-byte aligned like the allocator's) from one
// allocation per device. Each carved storage is still a storage of its own (own id, own
// tracker state, own bytes, no overlap), as in PyTorch, whose caching allocator carves its
// blocks from larger segments too. The allocation is freed with the last storage carved
// from it, so one small tensor kept from a copied dict keeps at most the dict's small
// tensors (1 MiB each or less; 18 MB of ResNet-50's 102 MB) alive. Larger storages, and
// host copies, get their own allocation.
inline constexpr std::size_t kMaxCarvedBytes = std::size_t{1} << 20;
inline constexpr std::size_t kCarveAlignment = 256;

/// Byte copies within devices, collected and then issued as one Backend::copy_many per
/// device. Callers must not queue a copy whose destination overlaps an earlier queued copy's
/// bytes (flush first), and must flush before the destinations are read. It also hands out
/// the destinations' storages carved from one allocation per device (Note [Carved storages]).
class CopyBatch {
 public:
  CopyBatch() = default;
  CopyBatch(const CopyBatch&) = delete;
  CopyBatch& operator=(const CopyBatch&) = delete;

  /// Queues `nbytes` from `src` to `dst`, both on `device`.
  void add(Device device, void* dst, const void* src, std::size_t nbytes);
  /// Issues everything queued, one copy_many per device (asynchronous, like copy_).
  void flush();
  bool empty() const { return per_device_.empty(); }

  /// Sets aside room for a storage of `nbytes` on `device` in the allocation carve() takes
  /// from (nothing when `nbytes` is 0 or above kMaxCarvedBytes). Every reserve() comes
  /// before the first carve() on that device.
  void reserve(Device device, std::size_t nbytes);
  /// A new storage of `nbytes` carved from `device`'s allocation, made at the first carve()
  /// with all the room reserved; nullptr when `nbytes` is 0 or above kMaxCarvedBytes or the
  /// room left is too small (the caller allocates the storage itself).
  std::shared_ptr<StorageImpl> carve(Device device, std::size_t nbytes);

 private:
  struct Block {
    Device device;
    std::size_t reserved = 0;
    std::size_t used = 0;
    std::shared_ptr<void> memory;
  };

  Block* block_for(Device device);  // nullptr when nothing was reserved on `device`

  std::vector<std::pair<Device, std::vector<ByteCopy>>> per_device_;
  std::vector<Block> blocks_;
};

/// Maps an old storage id to its copy, so handles that shared one storage share the copy
/// (copy.deepcopy's memo; see Note [deep_copy keeps sharing] in state_dict.cpp).
class StorageMemo {
 public:
  /// Copies to `device`, or to each source's own device when it is nullopt. With a
  /// `batch`, copies within one device are queued there (see copy_storage).
  explicit StorageMemo(std::optional<Device> device, CopyBatch* batch = nullptr) : device_(device), batch_(batch) {}
  /// `t`'s storage copied to the memo's device, copied at most once per storage.
  const std::shared_ptr<StorageImpl>& copy_of(const Tensor& t);

 private:
  std::optional<Device> device_;
  CopyBatch* batch_ = nullptr;
  std::unordered_map<std::uint64_t, std::shared_ptr<StorageImpl>> copies_;
};

}  // namespace aliasguard::detail
