// The checking layer's tables: LibTorch's TensorImpls and StorageImpls mapped to the
// tracker's handles and storages, and the marks the state_dict API makes on them.

#include "handles.h"

#include <c10/core/StorageImpl.h>
#include <c10/core/TensorImpl.h>
#include <c10/util/intrusive_ptr.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>

#include "layer.h"
#include "marks.h"

namespace aliasguard::torch::detail {

namespace tr = aliasguard::tracker;

// Note [Handle table]
// LibTorch's tensors have no room for the tracker's records, so the layer keeps them beside
// them, keyed by address: StorageImpl* -> StorageRecord (a tracker::Storage) and
// TensorImpl* -> HandleRecord (a tracker::Handle). Three rules keep this right:
// - No record keeps a tensor or a storage alive: records hold weak references. A weak
//   reference also keeps the object's memory from being freed, so while a record exists no
//   new TensorImpl or StorageImpl can take its address: a hit is the same object. Records
//   whose object died are swept when the table has doubled since the last sweep.
// - Only storages that a module or a snapshot shares are tracked (mark_module, mark_snapshot,
//   mark_copy create them; views of tracked tensors join them). In the default domains a
//   write can conflict only with a handle of another owner, and every other tensor is a
//   plain user tensor, so the operator calls of ordinary training touch one hash lookup per
//   tensor and nothing else. With domains=handle every storage is tracked.
// - A tensor's geometry can change under the same TensorImpl (t_(), resize_(), set_(),
//   set_data) and a storage's data can move (resize_ growing it). Each access compares the
//   storage, its data pointer and the extent with what the handle was made for, and rebinds
//   the handle (a new tracker::Storage when the data moved: its old history is not about
//   these bytes).

namespace {

int device_type_of(const at::Tensor& t) {
  if (t.is_cpu()) return 0;
  if (t.is_cuda()) return 1;
  return 2 + static_cast<int>(t.device().type());
}

struct StorageRecord {
  StorageRecord(const at::Tensor& t, const StorageRecord* previous)
      : impl(t.storage().getWeakStorageImpl()),
        data(t.storage().data()),
        storage(t.storage().nbytes(), device_type_of(t), t.device().has_index() ? t.device().index() : 0) {
    if (previous) {
      default_owner = previous->default_owner;
      default_label = previous->default_label;
      shared.store(previous->shared.load(std::memory_order_relaxed), std::memory_order_relaxed);
    }
    if (shared.load(std::memory_order_relaxed)) storage.record_write_sites();
  }
  c10::weak_intrusive_ptr<c10::StorageImpl> impl;
  const void* data;
  tr::Storage storage;
  // Guarded by the table lock.
  tr::Owner default_owner = tr::new_owner(tr::OwnerKind::User);  // of tensors first seen here
  std::uint32_t default_label = 0;
  // A tensor of a snapshot may be alive on it: its writes resolve their sites. Set under the
  // write lock, cleared under either. See Note [Deferred sites] in the tracker.
  std::atomic<bool> shared{false};
  std::vector<const c10::TensorImpl*> handles;  // keys of its handles (some may be dead)
};

using WeakTensorImpl = c10::weak_intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>;

struct HandleRecord {
  explicit HandleRecord(const at::Tensor& t) : impl(t.getIntrusivePtr()) {}
  WeakTensorImpl impl;
  std::shared_ptr<StorageRecord> storage;  // declared before `sited`: outlives the handle
  std::unique_ptr<tr::SitedHandle> sited;
  tr::Extent extent;
  bool kept = false;  // a detach() of a module tensor: may be restored later (Note [Kept handles])
};

bool same_extent(const tr::Extent& a, const tr::Extent& b) {
  return a.begin == b.begin && a.row_stride == b.row_stride && a.rows == b.rows && a.row_bytes == b.row_bytes &&
         a.exact == b.exact;
}

tr::Extent extent_of(const at::Tensor& t) {
  const auto sizes = t.sizes();
  const auto strides = t.strides();
  return tr::extent_of(t.dtype().itemsize(), t.storage_offset(), sizes.data(), strides.data(),
                       static_cast<int>(t.dim()));
}

bool trackable(const at::Tensor& t) {
  return t.defined() && t.has_storage() && t.layout() == c10::kStrided && t.storage().data() != nullptr;
}

class HandleTable;
HandleTable& table();

class HandleTable {
 public:
  tr::Handle* find(const at::Tensor& t, bool for_write) {
    const c10::TensorImpl* key = t.unsafeGetTensorImpl();
    {
      std::shared_lock read(lock_);
      auto it = handles_.find(key);
      if (it != handles_.end()) {
        const bool prune = for_write && it->second->storage->shared && tr::keeps_live_handles();
        if (!prune && current(*it->second, t)) {
          if (for_write) settle_recording(*it->second->storage);
          return &it->second->sited->handle;
        }
      } else if (!tr::strict_domains() && storages_.find(t.storage().unsafeGetStorageImpl()) == storages_.end()) {
        return nullptr;
      }
    }
    std::unique_lock write(lock_);
    HandleRecord* r = update(t, tr::strict_domains());
    if (r != nullptr && for_write && r->storage->shared && tr::keeps_live_handles()) prune(*r->storage);
    if (r != nullptr && for_write) settle_recording(*r->storage);
    return r ? &r->sited->handle : nullptr;
  }

  // A write's site is needed only while a tensor of a snapshot, or a detach() of a module
  // tensor, on its storage is alive to report it later (Note [Deferred sites], Note [Kept
  // handles]): once the last one has died, writes stop resolving sites (for Python, a call
  // into the interpreter each) until a new one is taken. Under either lock.
  void settle_recording(StorageRecord& storage) {
    if (!storage.shared.load(std::memory_order_relaxed)) return;
    for (const c10::TensorImpl* key : storage.handles) {
      auto it = handles_.find(key);
      if (it == handles_.end() || it->second->storage.get() != &storage) continue;
      const HandleRecord& r = *it->second;
      if ((r.kept || r.sited->handle.owner().kind == tr::OwnerKind::Snapshot) && !r.impl.expired()) return;
    }
    storage.shared.store(false, std::memory_order_relaxed);
    storage.storage.record_write_sites(false);
  }

  // Destroys the handles of dead tensors on `storage`, so that detect=write does not compare
  // a write with a snapshot that no longer exists. Under the write lock.
  void prune(StorageRecord& storage) {
    auto& keys = storage.handles;
    keys.erase(std::remove_if(keys.begin(), keys.end(),
                              [&](const c10::TensorImpl* key) {
                                auto it = handles_.find(key);
                                if (it == handles_.end() || it->second->storage.get() != &storage) return true;
                                if (!it->second->impl.expired()) return false;
                                handles_.erase(it);
                                return true;
                              }),
               keys.end());
  }

  // Every dead tensor's handle, at exit before the tracker draws the alias graph.
  void sweep_now() {
    std::unique_lock write(lock_);
    sweep();
  }

  void view(const at::Tensor& base, const at::Tensor& view, bool own_family) {
    {
      std::shared_lock read(lock_);  // most views are of untracked tensors: no exclusive lock
      if (handles_.count(base.unsafeGetTensorImpl()) == 0) return;
    }
    std::unique_lock write(lock_);
    auto found = handles_.find(base.unsafeGetTensorImpl());
    if (found == handles_.end() || handles_.count(view.unsafeGetTensorImpl()) != 0) return;
    HandleRecord& source = *found->second;
    if (source.storage->impl._unsafe_get_target() != view.storage().unsafeGetStorageImpl() ||
        source.storage->data != view.storage().data())
      return;  // not a view of the same bytes after all: first seen when used
    auto record = std::make_unique<HandleRecord>(view);
    record->storage = source.storage;
    record->extent = extent_of(view);
    record->sited = std::make_unique<tr::SitedHandle>(source.sited->handle, record->storage->storage, record->extent,
                                                      source.sited->created);
    if (own_family) record->sited->handle.start_family();
    if (own_family && record->sited->handle.owner().kind == tr::OwnerKind::Module) {
      record->kept = true;
      if (!record->storage->shared.exchange(true, std::memory_order_relaxed))
        record->storage->storage.record_write_sites();
    }
    insert(view.unsafeGetTensorImpl(), std::move(record));
  }

  // Whether a tensor of snapshot `owner` is alive. See Note [Kept snapshots] in the tracker:
  // the records of dead tensors wait for a sweep, so their handles do not say. A snapshot
  // found dead stays dead (new tensors of an owner are views of its live ones), so each
  // owner is scanned for until it is found dead, and reads of its writes cost O(1) after.
  bool snapshot_alive(tr::Owner owner) {
    {
      std::lock_guard guard(dead_lock_);
      if (dead_.count(owner.id) != 0) return false;
    }
    std::shared_lock read(lock_);
    for (const auto& [key, r] : handles_) {
      const tr::Owner o = r->sited->handle.owner();
      if (o.kind == owner.kind && o.id == owner.id && !r->impl.expired()) return true;
    }
    std::lock_guard guard(dead_lock_);
    if (dead_.size() >= kMinSweep) dead_.clear();  // bounded; a cleared owner is scanned again
    dead_.insert(owner.id);
    return false;
  }

  // The record for `t`, created (with its storage's) when missing; under the write lock.
  HandleRecord& mark(const at::Tensor& t) { return *update(t, /*create=*/true); }
  StorageRecord& storage_of(HandleRecord& r) { return *r.storage; }
  std::unique_lock<std::shared_mutex> lock() { return std::unique_lock(lock_); }

  // Every handle on `storage` owned by a user becomes the module's (mark_snapshot: the tensors
  // a user snapshot shares storage with are the live ones).
  void adopt_users(const StorageRecord& storage, tr::Owner module) {
    for (const c10::TensorImpl* key : storage.handles) {
      auto it = handles_.find(key);
      if (it == handles_.end() || it->second->storage.get() != &storage) continue;
      tr::Handle& h = it->second->sited->handle;
      if (h.owner().kind == tr::OwnerKind::User) h.set_owner(module, h.label());
    }
  }

 private:
  // Whether `r` still describes `t`: same storage, same data, same bytes.
  static bool current(const HandleRecord& r, const at::Tensor& t) {
    return r.storage->impl._unsafe_get_target() == t.storage().unsafeGetStorageImpl() &&
           r.storage->data == t.storage().data() && same_extent(r.extent, extent_of(t));
  }

  std::shared_ptr<StorageRecord> storage_record(const at::Tensor& t, bool create) {
    const c10::StorageImpl* key = t.storage().unsafeGetStorageImpl();
    auto it = storages_.find(key);
    if (it != storages_.end() && it->second->data == t.storage().data() &&
        it->second->storage.nbytes() == t.storage().nbytes())
      return it->second;
    if (it == storages_.end() && !create) return nullptr;
    auto record = std::make_shared<StorageRecord>(t, it == storages_.end() ? nullptr : it->second.get());
    storages_[key] = record;
    static std::once_flag at_exit;  // after the tracker's exit handler, so it runs before it
    std::call_once(at_exit, [] { std::atexit([] { table().sweep_now(); }); });
    return record;
  }

  HandleRecord* update(const at::Tensor& t, bool create) {
    const c10::TensorImpl* key = t.unsafeGetTensorImpl();
    auto it = handles_.find(key);
    std::shared_ptr<StorageRecord> storage = storage_record(t, create || it != handles_.end());
    if (!storage) return nullptr;
    const tr::Extent extent = extent_of(t);
    if (it != handles_.end()) {
      HandleRecord& r = *it->second;
      if (r.storage != storage || !same_extent(r.extent, extent)) {
        std::shared_ptr<StorageRecord> previous = r.storage;  // alive until the handle left it
        r.sited->handle.rebind(storage->storage, extent);
        if (r.storage != storage) storage->handles.push_back(key);
        r.storage = std::move(storage);
        r.extent = extent;
      }
      return &r;
    }
    auto record = std::make_unique<HandleRecord>(t);
    record->storage = std::move(storage);
    record->extent = extent;
    record->sited = std::make_unique<tr::SitedHandle>(record->storage->storage, extent, record->storage->default_owner,
                                                      record->storage->default_label, tr::Site{});
    return insert(key, std::move(record));
  }

  HandleRecord* insert(const c10::TensorImpl* key, std::unique_ptr<HandleRecord> record) {
    if (handles_.size() >= sweep_at_) sweep();
    record->storage->handles.push_back(key);
    return (handles_[key] = std::move(record)).get();
  }

  void sweep() {
    for (auto it = handles_.begin(); it != handles_.end();) it = it->second->impl.expired() ? handles_.erase(it) : ++it;
    for (auto it = storages_.begin(); it != storages_.end();) {
      StorageRecord& s = *it->second;
      std::erase_if(s.handles, [&](const c10::TensorImpl* key) {
        auto h = handles_.find(key);
        return h == handles_.end() || h->second->storage.get() != &s;
      });
      it = s.impl.expired() ? storages_.erase(it) : ++it;
    }
    sweep_at_ = std::max<std::size_t>(kMinSweep, 2 * handles_.size());
  }

  static constexpr std::size_t kMinSweep = 4096;
  std::shared_mutex lock_;
  std::unordered_map<const c10::TensorImpl*, std::unique_ptr<HandleRecord>> handles_;
  std::unordered_map<const c10::StorageImpl*, std::shared_ptr<StorageRecord>> storages_;
  std::size_t sweep_at_ = kMinSweep;
  std::mutex dead_lock_;
  std::unordered_set<std::uint32_t> dead_;  // snapshot owners with no live tensor
};

HandleTable& table() {
  static auto* t = new HandleTable;  // never destroyed: operator calls may run during exit
  return *t;
}

thread_local const CallSite* t_api_site = nullptr;
thread_local bool t_checked = false;

tr::Site site_of(const CallSite& at) {
  return tr::intern_site(at.file ? at.file : "", static_cast<std::uint32_t>(std::max(at.line, 0)),
                         at.function ? at.function : "");
}

}  // namespace

tracker::Handle* handle_of(const at::Tensor& t, bool for_write) noexcept {
  try {
    if (!trackable(t)) return nullptr;
    return table().find(t, for_write);
  } catch (const std::exception& e) {
    internal_error("handle_of", e.what());
    return nullptr;
  }
}

void note_view(const at::Tensor& base, const at::Tensor& view, bool own_family) noexcept {
  try {
    if (trackable(base) && trackable(view)) table().view(base, view, own_family);
  } catch (const std::exception& e) {
    internal_error("note_view", e.what());
  }
}

bool snapshot_alive(tracker::Owner owner) noexcept {
  try {
    return table().snapshot_alive(owner);
  } catch (const std::exception& e) {
    internal_error("snapshot_alive", e.what());
    return true;
  }
}

const CallSite* api_site() noexcept { return t_api_site; }
bool paused() noexcept { return t_api_site != nullptr && !t_checked; }

void internal_error(const char* where, const char* what) noexcept {
  static std::atomic<bool> printed{false};
  if (!printed.exchange(true))
    std::fprintf(stderr, "aliasguard: internal error in %s: %s (checking goes on; further internal errors are not "
                         "printed)\n", where, what);
}

// ---- marks.h ------------------------------------------------------------------------------

bool checking() { return true; }

void mark_module(const at::Tensor& t, std::string_view path) {
  if (!trackable(t)) return;
  HandleTable& h = table();
  auto guard = h.lock();
  HandleRecord& r = h.mark(t);
  const tr::Owner module{tr::OwnerKind::Module, 0};
  const std::uint32_t label = tr::intern_label(path);
  r.sited->handle.set_owner(module, label);
  r.storage->default_owner = module;
  r.storage->default_label = label;
}

std::uint32_t new_snapshot_owner() { return tr::new_owner(tr::OwnerKind::Snapshot).id; }
std::uint32_t new_user_owner() { return tr::new_owner(tr::OwnerKind::User).id; }

void mark_snapshot(const at::Tensor& t, std::uint32_t owner, std::string_view key, const CallSite& at) {
  if (!trackable(t)) return;
  HandleTable& h = table();
  auto guard = h.lock();
  HandleRecord& r = h.mark(t);
  StorageRecord& s = h.storage_of(r);
  const tr::Owner module{tr::OwnerKind::Module, 0};
  if (s.default_owner.kind != tr::OwnerKind::Module) {
    s.default_owner = module;
    h.adopt_users(s, module);
  }
  tr::Handle& handle = r.sited->handle;
  handle.set_owner(tr::Owner{tr::OwnerKind::Snapshot, owner}, tr::intern_label(key));
  handle.start_family();
  handle.observe_now();
  r.sited->created = site_of(at);
  if (!s.shared.load(std::memory_order_relaxed)) {
    s.shared.store(true, std::memory_order_relaxed);
    s.storage.record_write_sites();
  }
}

void mark_copy(const at::Tensor& t, std::uint32_t owner, std::string_view key, const CallSite& at) {
  if (!trackable(t)) return;
  HandleTable& h = table();
  auto guard = h.lock();
  HandleRecord& r = h.mark(t);
  r.sited->handle.set_owner(tr::Owner{tr::OwnerKind::User, owner}, tr::intern_label(key));
  r.sited->created = site_of(at);
}

void mark_copied_from(const at::Tensor& copy, const at::Tensor& source, const CallSite& at) {
  tr::Handle* from = handle_of(source);
  if (from == nullptr) return;
  if (tr::Handle* to = handle_of(copy)) to->copied_from(*from, site_of(at));
}

ApiScope::ApiScope(const CallSite& at) : previous_(t_api_site) { t_api_site = &at; }
ApiScope::~ApiScope() { t_api_site = previous_; }
CheckedScope::CheckedScope() : previous_(t_checked) { t_checked = true; }
CheckedScope::~CheckedScope() { t_checked = previous_; }

}  // namespace aliasguard::torch::detail
