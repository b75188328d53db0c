// deep_copy() of tensors and state dicts, and the whole-storage copies behind Module::to().

#include "aliasguard/state_dict.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aliasguard/error.h"
#include "nn/storage_copy.h"
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
  const int index = device.index();
  auto it = std::find_if(per_device_.begin(), per_device_.end(), [&](const auto& d) { return d.first == index; });
  if (it == per_device_.end()) it = per_device_.insert(per_device_.end(), {index, {}});
  it->second.push_back(ByteCopy{dst, src, nbytes});
}

void CopyBatch::flush() {
  // Emptied first, so a throwing launch does not leave copies to be issued twice.
  std::vector<std::pair<int, std::vector<ByteCopy>>> pending;
  pending.swap(per_device_);
  for (const auto& [index, copies] : pending) {
    backend_for(Device::cuda(index)).copy_many(copies.data(), copies.size(), index);
  }
}

// The copy goes through copy_() on a handle spanning the whole storage rather than through
// raw bytes, so the backend picks the right transfer (host, device, peer) and the checked
// runtime sees the read of the source. A batched copy records exactly what copy_() would
// (a read of the source, a write of the copy) and queues the bytes instead.
std::shared_ptr<StorageImpl> copy_storage(const Tensor& t, Device device, CopyBatch* batch) {
  const std::shared_ptr<StorageImpl>& storage = t.impl()->storage();
  const std::size_t item = element_size(t.dtype());
  if (storage->nbytes() % item != 0) {
    throw Error("internal error: storage of " + std::to_string(storage->nbytes()) +
                " bytes does not hold whole " + dtype_name(t.dtype()) + " elements");
  }
  const auto count = static_cast<std::int64_t>(storage->nbytes() / item);
  Tensor whole(std::make_shared<TensorImpl>(storage, t.dtype(), Shape{count}, Shape{1}, 0));
  Tensor copy = make_tensor_for_copy({count}, t.dtype(), device, Origin::current());  // copy_ writes it all
  const Origin at = Origin::current();
  if (batch != nullptr && batched_copies_enabled() && device.is_cuda() && t.device() == device) {
    note_read(*whole.impl(), at);
    batch->add(device, copy.impl()->data(), whole.impl()->data(), storage->nbytes());
    note_write(*copy.impl(), at);
  } else {
    copy.copy_(whole, at);
  }
  return copy.impl()->storage();
}

const std::shared_ptr<StorageImpl>& StorageMemo::copy_of(const Tensor& t) {
  auto it = copies_.find(t.storage_id());
  if (it == copies_.end()) {
    it = copies_.emplace(t.storage_id(), copy_storage(t, device_.value_or(t.device()), batch_)).first;
  }
  return it->second;
}

}  // namespace detail

namespace {

// Note [deep_copy keeps sharing]
// copy.deepcopy memoises by object: two entries that are the same tensor come back as one
// tensor, and two views of one storage come back as two views of one new storage (the
// storage is deep-copied once, whole, and each view keeps its offset and strides). That is
// what keeps tied weights tied in a copied state_dict, and what a view's geometry needs.
class DeepCopier {
 public:
  explicit DeepCopier(Origin origin) : origin_(origin) {}

  /// A deep copy of `t`, named `key` in reports, owning its new storage. Copying is not
  /// checked as a use of `t`: deep_copy() is the fix, and it takes the bytes as they are now
  /// (see docs/checked-runtime.md, "What counts as a use").
  Tensor copy(const Tensor& t, std::string_view key = {}) {
    if (!t.defined()) return Tensor();
    auto it = handles_.find(t.impl().get());
    if (it != handles_.end()) return it->second;
    const detail::TensorImpl& src = *t.impl();
    Tensor out(std::make_shared<detail::TensorImpl>(storages_.copy_of(t), src.dtype(), src.sizes(), src.strides(),
                                                    src.offset(), origin_));
    detail::mark_copy(*out.impl(), owner_, key);
    out.set_requires_grad(t.requires_grad());
    handles_.emplace(t.impl().get(), out);
    // deepcopy of a tensor copies its .grad too (torch.Tensor.__deepcopy__).
    if (t.grad().defined()) out.mutable_grad() = copy(t.grad());
    return out;
  }

  /// Issues the storage copies queued for CUDA tensors (see Note [Batched state-dict
  /// copies] in nn/storage_copy.h); call once every tensor has been copied.
  void flush() { batch_.flush(); }

 private:
  Origin origin_;
  detail::OwnerTag owner_ = detail::new_user_owner();
  detail::CopyBatch batch_;  // before storages_, which queues into it
  detail::StorageMemo storages_{std::nullopt, &batch_};
  std::unordered_map<const detail::TensorImpl*, Tensor> handles_;
};

}  // namespace

Tensor deep_copy(const Tensor& t, Origin origin) {
  DeepCopier copier(origin);
  Tensor out = copier.copy(t);
  copier.flush();
  return out;
}

StateDict deep_copy(const StateDict& dict, Origin origin) {
  DeepCopier copier(origin);
  StateDict out(dict.key_description());
  for (const auto& item : dict) out.insert(item.key(), copier.copy(item.value(), item.key()));
  copier.flush();
  return out;
}

}  // namespace aliasguard
