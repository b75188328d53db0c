#pragma once
// Internal: the runtime's calls into the alias tracker. In aliasguard::runtime_checked
// (AG_CHECKED=1) they record reads and writes and tag owners; in aliasguard::runtime they are
// empty and compile away. See Note [Owners] in aliasguard/tracker/tracker.h.

#include <cstdint>
#include <string_view>

#include "aliasguard/origin.h"
#include "tensor_impl.h"

namespace aliasguard::detail {

/// An owner id for the entries of one state_dict() call, or of one deep copy.
struct OwnerTag {
  std::uint32_t id = 0;
};

#if AG_CHECKED
inline void note_read(const TensorImpl& t, Origin at) { t.tracked().read(at); }
inline void note_write(const TensorImpl& t, Origin at) { t.tracked().write(at); }
/// `t` takes its bytes as they are now, writes through other handles included: a copy of the
/// same bytes onto themselves (loading a module's own state_dict back).
/// See Note [Loading a dict back] in the tracker.
inline void note_accept(const TensorImpl& t) { t.tracked().observe_now(); }
/// `src` is copied onto `dst`, the same bytes: the copy is a read of `src` (as a kept copy
/// when it is a detach() of the module kept as "best"). See Note [Kept handles] in the tracker.
inline void note_restore_read(const TensorImpl& dst, const TensorImpl& src, Origin at) {
  src.tracked().read_onto(dst.tracked(), at);
}
/// `copy` holds a deep copy of `src`'s bytes, just made: not a use of `src`, but a stale
/// snapshot's copy restored later is. See Note [Late deep copies] in the tracker.
inline void note_deep_copied(const TensorImpl& copy, const TensorImpl& src, Origin at) {
  copy.tracked().copied_from(src.tracked(), at);
}
/// `src` is read to be copied into `dst` (copy_, load_state_dict).
inline void note_read_into(const TensorImpl& dst, const TensorImpl& src, Origin at) {
  src.tracked().read_into(dst.tracked(), at);
}
OwnerTag new_snapshot_owner();
OwnerTag new_user_owner();
/// `t` is now parameter or buffer `path` of a module (its views follow).
void mark_module(const TensorImpl& t, std::string_view path);
/// `t` is entry `key` of snapshot `owner`: a family of its own, and it has seen the bytes as
/// they are now.
void mark_snapshot(const TensorImpl& t, OwnerTag owner, std::string_view key);
/// `t` is a private copy (deep_copy) named `key`, owned by user owner `owner`.
void mark_copy(const TensorImpl& t, OwnerTag owner, std::string_view key);
/// A handle made by detach()/data(): the same owner, a family of its own.
void mark_detached(const TensorImpl& t);
#else
inline void note_read(const TensorImpl&, Origin) {}
inline void note_write(const TensorImpl&, Origin) {}
inline void note_accept(const TensorImpl&) {}
inline void note_restore_read(const TensorImpl&, const TensorImpl&, Origin) {}
inline void note_deep_copied(const TensorImpl&, const TensorImpl&, Origin) {}
inline void note_read_into(const TensorImpl&, const TensorImpl&, Origin) {}
inline OwnerTag new_snapshot_owner() { return {}; }
inline OwnerTag new_user_owner() { return {}; }
inline void mark_module(const TensorImpl&, std::string_view) {}
inline void mark_snapshot(const TensorImpl&, OwnerTag, std::string_view) {}
inline void mark_copy(const TensorImpl&, OwnerTag, std::string_view) {}
inline void mark_detached(const TensorImpl&) {}
#endif

/// Reads in scope are not checked: printing a tensor for a person is not a use of its values.
#if AG_CHECKED
using UntrackedScope = tracker::ScopedUntracked;
#else
struct UntrackedScope {
  UntrackedScope() {}  // user-provided, so a scope object is not an unused variable
};
#endif

}  // namespace aliasguard::detail
