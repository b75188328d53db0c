// deep_copy() of tensors and state dicts.

#include "aliasguard/state_dict.h"

#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "nn/storage_copy.h"
#include "tensor_impl.h"
#include "tracking.h"

namespace aliasguard {
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
    detail::note_deep_copied(*out.impl(), src, origin_);
    out.set_requires_grad(t.requires_grad());
    handles_.emplace(t.impl().get(), out);
    // deepcopy of a tensor copies its .grad too (torch.Tensor.__deepcopy__).
    if (t.grad().defined()) out.mutable_grad() = copy(t.grad());
    return out;
  }

  /// Reserves room for the storages of `t` and its gradient that copy(t) will copy in a
  /// batch, so they can be carved from one allocation (Note [Carved storages] in
  /// nn/storage_copy.h). A storage seen twice reserves twice; the second room goes unused.
  /// Host storages are not carved: there an allocation costs less than a GPU's API call,
  /// and a kept tensor should keep only its own bytes.
  void plan(const Tensor& t) {
    if (!t.defined()) return;
    if (t.is_cuda() && detail::batches_copy(t, t.device())) batch_.reserve(t.device(), t.impl()->storage()->nbytes());
    plan(t.grad());
  }

  /// Issues the queued storage copies (see Note [Batched state-dict copies] in
  /// nn/storage_copy.h); call once every tensor has been copied.
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
  for (const auto& item : dict) copier.plan(item.value());
  StateDict out(dict.key_description());
  for (const auto& item : dict) out.insert(item.key(), copier.copy(item.value(), item.key()));
  copier.flush();
  return out;
}

}  // namespace aliasguard
