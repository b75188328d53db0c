#include "tracking.h"

#if AG_CHECKED

namespace aliasguard::detail {

OwnerTag new_snapshot_owner() { return {tracker::new_owner(tracker::OwnerKind::Snapshot).id}; }
OwnerTag new_user_owner() { return {tracker::new_owner(tracker::OwnerKind::User).id}; }

void mark_module(const TensorImpl& t, std::string_view path) {
  t.tracked().set_owner(tracker::Owner{tracker::OwnerKind::Module, 0}, tracker::intern_label(path));
}

void mark_snapshot(const TensorImpl& t, OwnerTag owner, std::string_view key) {
  tracker::Handle& h = t.tracked();
  h.set_owner(tracker::Owner{tracker::OwnerKind::Snapshot, owner.id}, tracker::intern_label(key));
  h.start_family();
  h.observe_now();
}

void mark_copy(const TensorImpl& t, OwnerTag owner, std::string_view key) {
  t.tracked().set_owner(tracker::Owner{tracker::OwnerKind::User, owner.id}, tracker::intern_label(key));
}

void mark_detached(const TensorImpl& t) { t.tracked().start_family(); }

}  // namespace aliasguard::detail

#endif
