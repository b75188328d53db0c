// Whole-storage copies and the batch that queues them (declared in nn/storage_copy.h),
// behind deep_copy(), Module::load_state_dict and Module::to().

#include "nn/storage_copy.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aliasguard/error.h"
#include "ops_common.h"
#include "tensor_impl.h"
#include "tracking.h"

namespace aliasguard {
namespace detail {

namespace {
std::atomic<bool> g_batched_copies{true};
}  // namespace

bool batched_copies_enabled() { return g_batched_copies.load(std::memory_order_relaxed); }

void set_batched_copies(bool enabled) { g_batched_copies.store(enabled, std::memory_order_relaxed); }

void CopyBatch::add(Device device, void* dst, const void* src, std::size_t nbytes) {
  if (nbytes == 0) return;
  auto it = std::find_if(per_device_.begin(), per_device_.end(), [&](const auto& d) { return d.first == device; });
  if (it == per_device_.end()) it = per_device_.insert(per_device_.end(), {device, {}});
  it->second.push_back(ByteCopy{dst, src, nbytes});
}

void CopyBatch::flush() {
  // Emptied first, so a throwing launch does not leave copies to be issued twice.
  std::vector<std::pair<Device, std::vector<ByteCopy>>> pending;
  pending.swap(per_device_);
  for (const auto& [device, copies] : pending) {
    backend_for(device).copy_many(copies.data(), copies.size(), device.index());
  }
}

namespace {
std::size_t carved_size(std::size_t nbytes) { return (nbytes + kCarveAlignment - 1) / kCarveAlignment * kCarveAlignment; }
bool carvable(std::size_t nbytes) { return nbytes != 0 && nbytes <= kMaxCarvedBytes; }
}  // namespace

CopyBatch::Block* CopyBatch::block_for(Device device) {
  auto it = std::find_if(blocks_.begin(), blocks_.end(), [&](const Block& b) { return b.device == device; });
  return it == blocks_.end() ? nullptr : &*it;
}

void CopyBatch::reserve(Device device, std::size_t nbytes) {
  if (!carvable(nbytes)) return;
  Block* block = block_for(device);
  if (block == nullptr) block = &blocks_.emplace_back(Block{device, 0, 0, nullptr});
  block->reserved += carved_size(nbytes);
}

std::shared_ptr<StorageImpl> CopyBatch::carve(Device device, std::size_t nbytes) {
  if (!carvable(nbytes)) return nullptr;
  Block* it = block_for(device);
  if (it == nullptr || it->used + carved_size(nbytes) > it->reserved) return nullptr;
  if (!it->memory) {
    Backend* backend = &backend_for(device);
    void* memory = backend->allocate(it->reserved, device.index(), /*zero=*/false);
    // The deleter keeps a pointer to the backend, as every StorageImpl does.
    it->memory = std::shared_ptr<void>(memory, [backend, device, n = it->reserved](void* p) {
      backend->deallocate(p, n, device.index());
    });
  }
  void* at = static_cast<char*>(it->memory.get()) + it->used;
  it->used += carved_size(nbytes);
  return std::make_shared<StorageImpl>(nbytes, device, it->memory, at);
}

bool batches_copy(const Tensor& t, Device device) { return batched_copies_enabled() && t.device() == device; }

// A copy between devices goes through copy_() on a handle spanning the whole storage, so
// the backend picks the transfer (host to device, device to host, peer). A copy within one
// device moves the bytes directly: a queued segment of a batched copy (Note [Batched
// state-dict copies]), or, without a batch, a memcpy on the host and copy_() on a CUDA
// device. Either way the checked runtime records exactly what copy_() would: a read of the
// whole source, a write of the whole copy.
//
// The direct path builds no tensors in the unchecked runtime: deep_copy of a state dict
// calls this once per entry, and on a GPU the host's time per entry, not the bytes, bounds
// a dict of small tensors (bench/README.md, "GPU runs"). Two throw-away tensors (six
// allocations) per entry were half of deep_copy's host time.
std::shared_ptr<StorageImpl> copy_storage(const Tensor& t, Device device, CopyBatch* batch) {
  const std::shared_ptr<StorageImpl>& storage = t.impl()->storage();
  const std::size_t item = element_size(t.dtype());
  const std::size_t nbytes = storage->nbytes();
  if (nbytes % item != 0) {
    throw Error("internal error: storage of " + std::to_string(nbytes) + " bytes does not hold whole " +
                dtype_name(t.dtype()) + " elements");
  }
  const Shape whole_shape{static_cast<std::int64_t>(nbytes / item)};
  const Origin at = Origin::current();
  auto whole = [&](std::shared_ptr<StorageImpl> s) {
    return Tensor(std::make_shared<TensorImpl>(std::move(s), t.dtype(), whole_shape, Shape{1}, 0, at));
  };
  const bool on_host = device.is_cpu() && t.device().is_cpu();
  const bool batched = batch != nullptr && batches_copy(t, device);
  if (!on_host && !batched) {
    Tensor copy = make_tensor_for_copy(whole_shape, t.dtype(), device, at);  // copy_ writes it all
    copy.copy_(whole(storage), at);
    return copy.impl()->storage();
  }
  std::shared_ptr<StorageImpl> copy = batched ? batch->carve(device, nbytes) : nullptr;
  if (!copy) copy = std::make_shared<StorageImpl>(nbytes, device, /*zero_fill=*/false);
#if AG_CHECKED
  note_read(*whole(storage).impl(), at);
#endif
  if (batched) {
    batch->add(device, copy->data(), storage->data(), nbytes);
  } else if (nbytes != 0) {
    std::memcpy(copy->data(), storage->data(), nbytes);
  }
#if AG_CHECKED
  note_write(*whole(copy).impl(), at);
#endif
  return copy;
}

const std::shared_ptr<StorageImpl>& StorageMemo::copy_of(const Tensor& t) {
  auto it = copies_.find(t.storage_id());
  if (it == copies_.end()) {
    it = copies_.emplace(t.storage_id(), copy_storage(t, device_.value_or(t.device()), batch_)).first;
  }
  return it->second;
}

}  // namespace detail

}  // namespace aliasguard
