// deep_copy() of tensors and state dicts, and the whole-storage copies behind Module::to().

#include "aliasguard/state_dict.h"

#include <memory>
#include <string>
#include <unordered_map>

#include "aliasguard/error.h"
#include "nn/storage_copy.h"
#include "ops_common.h"
#include "tensor_impl.h"
#include "tracking.h"

namespace aliasguard {
namespace detail {

// The copy goes through copy_() on a handle spanning the whole storage rather than through
// raw bytes, so the backend picks the right transfer (host, device, peer) and the checked
// runtime sees the read of the source.
std::shared_ptr<StorageImpl> copy_storage(const Tensor& t, Device device) {
  const std::shared_ptr<StorageImpl>& storage = t.impl()->storage();
  const std::size_t item = element_size(t.dtype());
  if (storage->nbytes() % item != 0) {
    throw Error("internal error: storage of " + std::to_string(storage->nbytes()) +
                " bytes does not hold whole " + dtype_name(t.dtype()) + " elements");
  }
  const auto count = static_cast<std::int64_t>(storage->nbytes() / item);
  Tensor whole(std::make_shared<TensorImpl>(storage, t.dtype(), Shape{count}, Shape{1}, 0));
  Tensor copy = make_tensor_for_copy({count}, t.dtype(), device, Origin::current());  // copy_ writes it all
  copy.copy_(whole);
  return copy.impl()->storage();
}

const std::shared_ptr<StorageImpl>& StorageMemo::copy_of(const Tensor& t) {
  auto it = copies_.find(t.storage_id());
  if (it == copies_.end()) {
    it = copies_.emplace(t.storage_id(), copy_storage(t, device_.value_or(t.device()))).first;
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

 private:
  Origin origin_;
  detail::OwnerTag owner_ = detail::new_user_owner();
  detail::StorageMemo storages_{std::nullopt};
  std::unordered_map<const detail::TensorImpl*, Tensor> handles_;
};

}  // namespace

Tensor deep_copy(const Tensor& t, Origin origin) { return DeepCopier(origin).copy(t); }

StateDict deep_copy(const StateDict& dict, Origin origin) {
  DeepCopier copier(origin);
  StateDict out(dict.key_description());
  for (const auto& item : dict) out.insert(item.key(), copier.copy(item.value(), item.key()));
  return out;
}

}  // namespace aliasguard
