// The detector: storages, handles, owners, the per-storage write log, and the decision
// whether a write became visible through a handle of another owner.

#include <execinfo.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "options.h"
#include "registry.h"
#include "report.h"
#include "tracker_internal.h"

namespace aliasguard::tracker {

// The per-handle budget: a tensor handle pays at most 64 bytes for tracking.
static_assert(sizeof(Handle) == 64, "tracker::Handle must stay 64 bytes; see the field list in tracker.h");

namespace {

using detail::DroppedRegion;
using detail::DroppedWrite;
using detail::LoggedWrite;
using detail::Site;
using detail::StorageState;
using detail::WriteLog;

thread_local bool t_untracked = false;

std::atomic<std::uint64_t> g_next_storage_id{1};
std::atomic<std::uint32_t> g_next_family{1};

std::size_t kind_index(OwnerKind kind) { return static_cast<std::size_t>(kind); }

// Live storages are looked up from destructors that may run during static destruction, so
// the table is created once and never destroyed.
struct StorageRegistry {
  std::mutex lock;
  std::map<std::uint64_t, const Storage*> live;  // by id, so dumps come out in creation order
};
StorageRegistry& registry() {
  static auto* table = new StorageRegistry;
  return *table;
}

std::uint32_t new_family() { return g_next_family.fetch_add(1, std::memory_order_relaxed); }

void check_bounds(const Storage& storage, const Extent& extent) {
  if (extent.rows != 0 && extent.end() > storage.nbytes())
    throw std::out_of_range("aliasguard tracker: handle bytes [" + std::to_string(extent.begin) + ", " +
                            std::to_string(extent.end()) + ") lie outside storage #" + std::to_string(storage.id()) +
                            " of " + std::to_string(storage.nbytes()) + " bytes; compute the extent with extent_of() "
                            "from the view's own offset, sizes and strides");
}

// Note [Kept snapshots]
// A write through a snapshot is a bug only if the snapshot is kept: the user meant a copy.
// EMA code updates a model through a dict it never keeps (`for v in ema.state_dict().values():
// v.mul_(d)...`, timm's ModelEmaV2, YOLOv5's ModelEMA); such a write is the model's update, and
// when the model reads it no tensor of that snapshot is alive any more. So the module's read
// reports write-through-snapshot only while some tensor of the writing snapshot is alive: the
// tracker counts the live handles of each snapshot owner, and a layer whose handles outlive its
// tensors (the LibTorch layer's records wait for a sweep) answers instead through
// SiteHooks::snapshot_alive. A snapshot read after a module write is always reported: the
// reader is alive. detect=write reports at the write, before it can know, so it reports both.
class LiveSnapshots {
 public:
  void add(Owner o, int delta) {
    if (o.kind != OwnerKind::Snapshot) return;
    std::lock_guard guard(lock_);
    auto it = counts_.emplace(o.id, 0).first;
    it->second += delta;
    if (it->second <= 0) counts_.erase(it);
  }
  bool alive(Owner o) {
    if (auto hook = detail::site_hooks().snapshot_alive) return hook(o);
    std::lock_guard guard(lock_);
    return counts_.count(o.id) != 0;
  }

 private:
  std::mutex lock_;
  std::unordered_map<std::uint32_t, int> counts_;
};

LiveSnapshots& live_snapshots() {
  static auto* counts = new LiveSnapshots;  // never destroyed: handles die in static destructors
  return *counts;
}

// Whether a write by `writer` is a violation when seen through `reader`. See Note [Owners].
std::optional<check::Kind> conflict(Owner reader, std::uint32_t reader_family, Owner writer,
                                    std::uint32_t writer_family) {
  if (detail::options().domains == detail::DomainMode::Handle) {
    if (reader_family == writer_family) return std::nullopt;
    return check::Kind::SharedWrite;
  }
  switch (reader.kind) {
    case OwnerKind::User:
      return std::nullopt;
    case OwnerKind::Module:
      if (writer.kind == OwnerKind::Snapshot) return check::Kind::WriteThroughSnapshot;
      return std::nullopt;
    case OwnerKind::Snapshot:
      if (writer.kind == OwnerKind::Module) return check::Kind::StaleSnapshotRead;
      if (writer.kind == OwnerKind::Snapshot && writer.id != reader.id) return check::Kind::StaleSnapshotRead;
      return std::nullopt;
  }
  return std::nullopt;
}

// The handle that saw a write, copied while its storage is locked.
struct Observer {
  Owner owner;
  std::uint32_t family = 0;
  std::uint32_t label = 0;
  Extent extent;
  Site created;
  Site at;
  std::uint64_t epoch = 0;
  std::vector<void*> stack;
};

// A violation found under the storage lock, reported after it is released: report() may
// halt the program, and the exit handler locks storages again (dump_alias_graph).
struct Finding {
  check::Kind kind = check::Kind::StaleSnapshotRead;
  Observer observer;
  LoggedWrite write;
  std::uint64_t write_end = 0;
  bool write_known = true;
  bool may_overlap = false;
  std::uint64_t storage_id = 0;
  std::string device;
  std::uint64_t storage_bytes = 0;
  Site copied{};  // the late deep copy that carried it (Note [Late deep copies]), or none
};

std::vector<std::string> symbolize(const std::vector<void*>& frames) {
  std::vector<std::string> out;
  if (frames.empty()) return out;
  if (auto describe = detail::site_hooks().describe) {
    for (void* pc : frames) out.push_back(describe(pc));
    return out;
  }
  char** names = backtrace_symbols(frames.data(), static_cast<int>(frames.size()));
  for (std::size_t k = 0; k < frames.size(); ++k) out.emplace_back(names ? names[k] : "?");
  std::free(names);  // NOLINT: backtrace_symbols returns one malloc'd block
  return out;
}

check::Access access_of(Owner owner, std::uint32_t label, const Site& at, const Extent& extent, std::uint64_t end,
                        std::uint64_t epoch, const std::vector<void*>& stack) {
  const std::uint64_t begin = extent.begin;
  check::Access a;
  // Runs with gaps between them, known exactly: a strided view, not its bounding range.
  if (extent.exact && extent.rows > 1 && extent.row_stride > extent.row_bytes && end == extent.end()) {
    a.runs = extent.rows;
    a.run_bytes = extent.row_bytes;
    a.run_stride = extent.row_stride;
  }
  a.owner = detail::owner_name(owner);
  a.label = label_name(label);
  a.file = at.file;
  a.line = at.line;
  a.function = at.function;
  a.begin = begin;
  a.end = end;
  a.epoch = epoch;
  a.stack = symbolize(stack);
  return a;
}

void report_finding(const Finding& f) {
  check::Violation v;
  v.kind = f.kind;
  const Observer& o = f.observer;
  v.observer = access_of(o.owner, o.label, o.at, o.extent, o.extent.end(), o.epoch, o.stack);
  v.observer_created_file = o.created.file;
  v.observer_created_line = o.created.line;
  const LoggedWrite& w = f.write;
  v.write = access_of(w.owner, w.label, w.site, w.extent, f.write_end, w.epoch, w.stack);
  v.write_known = f.write_known;
  v.may_overlap = f.may_overlap;
  v.storage_id = f.storage_id;
  v.device = f.device;
  v.storage_bytes = f.storage_bytes;
  if (f.copied.file != nullptr && f.copied.file[0] != '\0') {
    v.copied_file = f.copied.file;
    v.copied_line = f.copied.line;
  }
  detail::report(std::move(v));
}

Observer observer_of(const Handle& h, const Site& at, std::uint64_t epoch) {
  return Observer{h.owner(), h.family(), h.label(), h.extent(), detail::created_site(h), at, epoch, {}};
}

// [begin, end) as an inexact extent, to compare a dropped region with a handle.
Extent region_extent(std::uint64_t begin, std::uint64_t end) {
  const std::int64_t span = static_cast<std::int64_t>(end - begin);
  const std::int64_t unit = 1;
  Extent e = extent_of(1, static_cast<std::int64_t>(begin), &span, &unit, 1);
  e.exact = false;
  return e;
}

// Folds a write pushed out of the ring into the dropped regions. See Note [Dropped writes].
void fold_dropped(WriteLog& log, const LoggedWrite& w) {
  if (w.checked_eagerly || w.extent.rows == 0) return;
  const std::uint64_t begin = w.extent.begin;
  const std::uint64_t end = w.extent.end();
  DroppedRegion* region = nullptr;
  for (DroppedRegion& r : log.dropped)
    if (r.begin == begin && r.end == end) region = &r;
  if (!region && log.dropped.size() < detail::kDroppedRegions) {
    log.dropped.push_back(DroppedRegion{begin, end, {}, 0, 0, false, false});
    region = &log.dropped.back();
  }
  if (!region) {
    auto growth = [&](const DroppedRegion& r) {
      return (std::max(r.end, end) - std::min(r.begin, begin)) - (r.end - r.begin);
    };
    region = &*std::min_element(log.dropped.begin(), log.dropped.end(),
                                [&](const DroppedRegion& x, const DroppedRegion& y) { return growth(x) < growth(y); });
    region->begin = std::min(region->begin, begin);
    region->end = std::max(region->end, end);
  }
  DroppedWrite& latest = region->latest[kind_index(w.owner.kind)];
  const bool first_write = std::all_of(region->latest.begin(), region->latest.end(),
                                       [](const DroppedWrite& d) { return d.epoch == 0; });
  if (first_write) region->family = w.family;
  else if (region->family != w.family) region->many_families = true;
  if (w.owner.kind == OwnerKind::Snapshot) {
    if (latest.epoch == 0) region->snapshot_id = w.owner.id;
    else if (region->snapshot_id != w.owner.id) region->many_snapshots = true;
  }
  latest = DroppedWrite{w.epoch, w.owner, w.family, w.label, w.site};
}

// The ring slot for the next write, its previous write folded into the dropped regions. The
// caller fills it in place (a LoggedWrite built on the stack and moved in cost a
// store-forwarding stall on every write: its one-byte fields were read back as 16 bytes).
LoggedWrite& next_slot(WriteLog& log) {
  LoggedWrite& slot = log.ring[log.next];
  if (log.size == detail::kLogCapacity) fold_dropped(log, slot);
  else ++log.size;
  log.next = static_cast<std::uint32_t>((log.next + 1) % detail::kLogCapacity);
  return slot;
}

// Note [Repeated writes]
// A write with the same extent, owner, family, label and call site as the storage's newest
// logged write is that write again: an in-place op in a loop, an optimizer's update of a
// parameter each step. It moves the newest entry to the new epoch instead of taking a slot.
// Reports do not change: find_conflict returns the newest conflicting write after a reader's
// epoch, and of a run of identical writes that is the last one, whose epoch the entry now
// carries. The ring meanwhile keeps more distinct writes exactly, and a write costs a compare
// instead of a slot (and, once the ring is full, a fold into the dropped regions). Writes
// with a stack (stack_depth > 0) are always logged apart: their stacks may differ.
bool same_site(const Site& a, const Site& b) {
  return a.line == b.line && a.file == b.file && a.function == b.function;
}

bool same_extent(const Extent& a, const Extent& b) {
  return a.begin == b.begin && a.row_stride == b.row_stride && a.rows == b.rows && a.row_bytes == b.row_bytes &&
         a.exact == b.exact;
}

// The newest logged write when a write through `h` over `extent` at `at`, without a stack,
// repeats it; else nullptr.
LoggedWrite* repeated_write(WriteLog& log, const Handle& h, const Extent& extent, const Site& at, bool eager) {
  if (log.size == 0) return nullptr;
  LoggedWrite& newest = log.ring[(log.next + detail::kLogCapacity - 1) % detail::kLogCapacity];
  const Owner owner = h.owner();
  const bool same = newest.stack.empty() && newest.checked_eagerly == eager && newest.owner.kind == owner.kind &&
                    newest.owner.id == owner.id && newest.family == h.family() && newest.label == h.label() &&
                    same_extent(newest.extent, extent) && same_site(newest.site, at);
  return same ? &newest : nullptr;
}

// The most recent write after epoch `observed` that conflicts with `reader` over its bytes:
// from the ring when it is there, else (conservatively) from the dropped regions.
// Note [Loading a dict back]
// Code that edits a model through its own state_dict (pruning, re-initialising a layer, model
// surgery) loads the edited dict back: `sd[k].mul_(mask); m.load_state_dict(sd)`. Each entry is
// then copied onto the same bytes, which changes nothing and means "these are the module's
// values now". The layers turn such a copy into a read of the entry (a stale snapshot restored
// is still reported) and Handle::observe_now() on the module's tensor: it accepts the writes
// made through the dict, and logs no write of its own, so the dict stays usable. A write
// that merely covers a reader's bytes hides nothing: its extent bounds what it wrote
// (masked_fill_, index_put_ write some of it), so it cannot stand for an acceptance.

std::optional<Finding> find_conflict(const WriteLog& log, const Observer& reader, std::uint64_t observed) {
  for (std::uint32_t k = 0; k < log.size; ++k) {
    const LoggedWrite& w = log.ring[(log.next + detail::kLogCapacity - 1 - k) % detail::kLogCapacity];
    if (w.epoch <= observed) break;  // the ring holds consecutive epochs, newest first here
    if (w.checked_eagerly) continue;
    const auto kind = conflict(reader.owner, reader.family, w.owner, w.family);
    if (!kind) continue;
    const Overlap ov = overlap(w.extent, reader.extent);
    if (ov == Overlap::No) continue;
    Finding f{*kind, reader, w, w.extent.end(), true, ov == Overlap::Maybe, 0, {}, 0, {}};
    return f;
  }
  std::optional<Finding> best;
  for (const DroppedRegion& r : log.dropped) {
    const Overlap ov = overlap(region_extent(r.begin, r.end), reader.extent);
    if (ov == Overlap::No) continue;
    for (const DroppedWrite& d : r.latest) {
      if (d.epoch <= observed || (best && best->write.epoch >= d.epoch)) continue;
      auto kind = conflict(reader.owner, reader.family, d.owner, d.family);
      // The region remembers one writer per kind: when several snapshots or families wrote
      // there, another one may have written after `observed` too.
      if (!kind && detail::options().domains == detail::DomainMode::Handle && r.many_families)
        kind = check::Kind::SharedWrite;
      if (!kind && d.owner.kind == OwnerKind::Snapshot && reader.owner.kind == OwnerKind::Snapshot && r.many_snapshots)
        kind = check::Kind::StaleSnapshotRead;
      if (!kind) continue;
      LoggedWrite w;
      w.epoch = d.epoch;
      w.extent.begin = r.begin;
      w.owner = d.owner;
      w.family = d.family;
      w.label = d.label;
      w.site = d.site;
      best = Finding{*kind, reader, std::move(w), r.end, false, true, 0, {}, 0, {}};
    }
  }
  return best;
}

void fill_storage(Finding& f, const Storage& s) {
  f.storage_id = s.id();
  f.device = detail::device_name(StorageState::device_type(s), StorageState::device_index(s));
  f.storage_bytes = s.nbytes();
}

}  // namespace

// Note [Late deep copies]
// deep_copy() (copy.deepcopy) is the fix, not a use: the seed deep-copies a dict after its
// module changed and means the new values. But a stale snapshot deep-copied only to be
// loaded back -- `init = state_dict()`, train, `load_state_dict(deep_copy(init))`, the
// lottery-ticket rewind -- restores the trained values, which is the stale read the deep copy
// hid. So the copy remembers the read it skipped: copied_from() looks up, without reporting
// it or moving the source on, the write the source snapshot has not observed, and keeps it
// on the copy's storage. read_into() a module handle (the copy restored into a module)
// reports it there, naming the deep copy. Any other use of the copy stays silent, and a
// write to the copy (its epoch moved) means it no longer holds those bytes: the record goes.
namespace detail {
struct StaleCopy {
  Finding finding;
  std::uint64_t epoch = 0;  // the copy's epoch when it was made
};
StorageState::StorageState() = default;
StorageState::~StorageState() = default;
}  // namespace detail

// ---- Storage ----------------------------------------------------------------------------

Storage::Storage(std::size_t nbytes, int device_type, int device_index)
    : id_(g_next_storage_id.fetch_add(1, std::memory_order_relaxed)),
      nbytes_(nbytes),
      device_type_(device_type),
      device_index_(device_index),
      state_(new StorageState) {
  static std::once_flag exit_handler;
  std::call_once(exit_handler, detail::install_exit_handler);
  std::lock_guard guard(registry().lock);
  registry().live.emplace(id_, this);
}

Storage::~Storage() {
  {
    std::lock_guard guard(registry().lock);
    registry().live.erase(id_);
  }
  delete state_;
}

std::uint32_t Storage::generation() const {
  std::lock_guard guard(state_->lock);
  return state_->generation;
}

void Storage::record_write_sites(bool on) { state_->record_write_sites.store(on, std::memory_order_relaxed); }

void Storage::reset() {
  // The epoch keeps counting (handles compare against it); only the history goes, so no
  // handle can see a write made to the previous contents.
  std::lock_guard guard(state_->lock);
  ++state_->generation;
  state_->log.reset();
  state_->stale.reset();
  state_->carries_stale.store(false, std::memory_order_relaxed);
}

// ---- Handle -----------------------------------------------------------------------------

namespace {

// Enters `h` into its storage's live set (when kept) and sets what it has observed; under
// the storage lock, so no write slips between the two (detect=write relies on it).
void attach(Handle& h, std::atomic<std::uint64_t>& observed, const Handle* source) {
  Storage& s = h.storage();
  auto observe = [&] {
    if (source && &source->storage() == &s) observed.store(source->observed_epoch(), std::memory_order_relaxed);
    else observed.store(StorageState::epoch(s), std::memory_order_relaxed);
  };
  if (!detail::keeps_live_handles()) return observe();
  StorageState& st = StorageState::of(s);
  std::lock_guard guard(st.lock);
  observe();
  st.live.insert(&h);
}

void detach(Handle& h) {
  if (!detail::keeps_live_handles()) return;
  StorageState& st = StorageState::of(h.storage());
  std::lock_guard guard(st.lock);
  st.live.erase(&h);
}

}  // namespace

Handle::Handle(Storage& storage, Extent extent, Owner owner, std::uint32_t label, Origin created)
    : storage_(&storage), created_(created), owner_id_(owner.id), owner_kind_(owner.kind), label_(label),
      family_(new_family()) {
  check_bounds(storage, extent);
  set_extent(extent);
  attach(*this, observed_, nullptr);
  live_snapshots().add(owner, 1);
}

Handle::Handle(const Handle& source, Storage& storage, Extent extent, Origin created)
    : storage_(&storage), created_(created), owner_id_(source.owner_id_), owner_kind_(source.owner_kind_),
      label_(source.label_), family_(source.family_) {
  check_bounds(storage, extent);
  set_extent(extent);
  attach(*this, observed_, &source);
  live_snapshots().add(this->owner(), 1);
}

Handle::~Handle() {
  detach(*this);
  live_snapshots().add(owner(), -1);
}

void Handle::set_extent(const Extent& e) {
  begin_ = e.begin;
  row_stride_ = e.row_stride;
  rows_ = e.rows;
  row_bytes_ = e.row_bytes;
  exact_ = e.exact;
}

// Owner, label and family are read by other threads only through the live set (eager
// detection, the alias graph), and those hold the storage lock.
void Handle::set_owner(Owner owner, std::uint32_t label) {
  std::unique_lock guard(storage_->state_->lock, std::defer_lock);
  if (detail::keeps_live_handles()) guard.lock();
  live_snapshots().add(this->owner(), -1);
  live_snapshots().add(owner, 1);
  owner_kind_ = owner.kind;
  owner_id_ = owner.id;
  label_ = label;
}

void Handle::start_family() {
  std::unique_lock guard(storage_->state_->lock, std::defer_lock);
  if (detail::keeps_live_handles()) guard.lock();
  family_ = new_family();
  if (owner_kind_ != OwnerKind::Module || observed_.load(std::memory_order_relaxed) ==
                                               storage_->epoch_.load(std::memory_order_acquire))
    return;
  // A module handle's new family (a detach() of a parameter) starts where the bytes are now
  // when none of the writes it has not observed would be reported to it: it loses nothing,
  // and a later restore of it (Note [Kept handles]) counts only what was written after it
  // was taken. A pending write that would be reported (through a snapshot) is kept for it.
  if (!guard.owns_lock()) guard.lock();
  const std::uint64_t now = storage_->epoch_.load(std::memory_order_relaxed);
  const WriteLog* log = storage_->state_->log.get();
  const std::uint64_t observed = observed_.load(std::memory_order_relaxed);
  if (log == nullptr || !find_conflict(*log, observer_of(*this, Site{}, now), observed))
    observed_.store(now, std::memory_order_relaxed);
}

void Handle::observe_now() {
  observed_.store(storage_->epoch_.load(std::memory_order_acquire), std::memory_order_relaxed);
}

void Handle::rebind(Storage& storage, Extent extent) {
  check_bounds(storage, extent);
  detach(*this);
  storage_ = &storage;
  set_extent(extent);
  attach(*this, observed_, nullptr);
}

void Handle::read(Origin at) {
  // The O(1) path: nothing was written since this handle last looked. See Note [Epochs].
  if (observed_.load(std::memory_order_relaxed) == storage_->epoch_.load(std::memory_order_acquire)) return;
  StorageState::read(*this, detail::site_of(at));
}

void Handle::write(Origin at) { StorageState::write(*this, detail::site_of(at)); }

// Note [Kept handles]
// A list of detach()ed parameters (or data(), or parameters() itself) kept as "the best
// weights" is the module's own storage: the tracker cannot tell it from a live view until it
// is used as a copy. Its use is restoring it -- copying it onto the parameter it came from --
// and such a copy moves no byte. So a copy onto the same bytes from a module handle of
// another family reads the source as if it were a snapshot: a write through any other family
// since the source last observed the bytes means the "restore" keeps the new values
// (stale-kept-read). A handle's own writes are observed by it (Note [Epochs]); a detach()
// starts at the bytes as they are when it is taken (Handle::start_family).
namespace {
bool restores_kept_copy(const Handle& src, const Handle& dst) {
  return src.owner().kind == OwnerKind::Module && dst.owner().kind == OwnerKind::Module &&
         src.family() != dst.family();
}
}  // namespace

void Handle::read_onto(const Handle& dst, Origin at) {
  if (observed_.load(std::memory_order_relaxed) == storage_->epoch_.load(std::memory_order_acquire)) return;
  StorageState::read(*this, detail::site_of(at), restores_kept_copy(*this, dst));
}

void Handle::read_onto(const Handle& dst, const Site& at) {
  if (observed_.load(std::memory_order_relaxed) == storage_->epoch_.load(std::memory_order_acquire)) return;
  StorageState::read(*this, at, restores_kept_copy(*this, dst));
}

void Handle::copied_from(const Handle& source, Origin at) {
  StorageState::copied(*this, source, detail::site_of(at));
}

void Handle::copied_from(const Handle& source, const Site& at) { StorageState::copied(*this, source, at); }

void Handle::read_into(const Handle& dst, Origin at) { read_into(dst, detail::site_of(at)); }

void Handle::read_into(const Handle& dst, const Site& at) {
  if (dst.owner_kind_ == OwnerKind::Module && storage_->state_->carries_stale.load(std::memory_order_acquire))
    StorageState::restore_stale_copy(*this, at);
  read(at);
}

// See Note [Late deep copies].
void StorageState::copied(Handle& copy, const Handle& source, const Site& at) {
  if (copy.storage_ == source.storage_) return;
  std::optional<Finding> found;
  {
    StorageState& src = *source.storage_->state_;
    std::lock_guard guard(src.lock);
    const std::uint64_t now = source.storage_->epoch_.load(std::memory_order_relaxed);
    const std::uint64_t observed = source.observed_.load(std::memory_order_relaxed);
    if (src.carries_stale.load(std::memory_order_relaxed) && src.stale &&
        src.stale->epoch == now) {
      found = src.stale->finding;  // a deep copy of a late deep copy carries the same read
    } else if (observed < now && src.log) {
      found = find_conflict(*src.log, observer_of(source, at, now), observed);
      if (found && found->kind != check::Kind::StaleSnapshotRead) found.reset();
      if (found) {
        fill_storage(*found, *source.storage_);
        found->copied = at;
      }
    }
  }
  if (!found) return;
  if (at.file == nullptr) {  // resolved now: the deep copy's caller is on this thread's stack
    std::vector<void*> stack;
    found->copied = detail::resolve_deferred(stack);
  }
  StorageState& dst = *copy.storage_->state_;
  std::lock_guard guard(dst.lock);
  dst.stale = std::make_unique<detail::StaleCopy>(
      detail::StaleCopy{std::move(*found), copy.storage_->epoch_.load(std::memory_order_relaxed)});
  dst.carries_stale.store(true, std::memory_order_release);
}

void StorageState::restore_stale_copy(const Handle& copy, const Site& at) {
  std::unique_ptr<detail::StaleCopy> record;
  {
    StorageState& st = *copy.storage_->state_;
    std::lock_guard guard(st.lock);
    record = std::move(st.stale);
    st.carries_stale.store(false, std::memory_order_relaxed);
    if (!record || record->epoch != copy.storage_->epoch_.load(std::memory_order_relaxed)) return;
  }
  Finding& f = record->finding;
  f.observer.at = at;
  if (at.file == nullptr) {
    f.observer.at = detail::resolve_deferred(f.observer.stack);
    if (is_not_a_use(f.observer.at)) return;
  } else {
    f.observer.stack = detail::capture_stack();
  }
  report_finding(f);
}

void Handle::read(const Site& at) {
  if (observed_.load(std::memory_order_relaxed) == storage_->epoch_.load(std::memory_order_acquire)) return;
  StorageState::read(*this, at);
}

void Handle::write(const Site& at) { StorageState::write(*this, at); }

// Note [Epochs]
// Each storage counts its writes (epoch) and each handle remembers the epoch it last
// observed. A read compares the two: equal means nothing changed, and costs two atomic
// loads. Otherwise, under the storage lock, the writes after `observed` are looked up in the
// ring (and the dropped regions), the most recent conflicting one is reported, and the
// handle catches up. A write appends to the ring under the lock: O(1) whatever the number
// of live handles. A handle's own write does not make it stale: when it had seen everything
// before, it has seen its own write too. detect=write compares each write with every live
// handle at once; such writes are marked checked_eagerly so a later read does not report
// them again, and caught-up handles move to the new epoch so their next read stays O(1).

__attribute__((noinline)) void StorageState::read(Handle& h, const Site& at, bool kept) {
  if (t_untracked) return;
  Storage& s = *h.storage_;
  if (h.observed_.load(std::memory_order_relaxed) == s.epoch_.load(std::memory_order_acquire)) return;
  std::optional<Finding> found;
  std::uint64_t now = 0;
  std::uint64_t observed = 0;
  {
    std::lock_guard guard(s.state_->lock);
    now = s.epoch_.load(std::memory_order_relaxed);
    observed = h.observed_.load(std::memory_order_relaxed);
    if (observed >= now) return;
    if (s.state_->log) {
      Observer reader = observer_of(h, at, now);
      // Read as a snapshot no other snapshot is: every write of another family conflicts.
      if (kept) reader.owner = Owner{OwnerKind::Snapshot, std::numeric_limits<std::uint32_t>::max()};
      found = find_conflict(*s.state_->log, reader, observed);
    }
    h.observed_.store(now, std::memory_order_relaxed);
  }
  if (!found) return;
  if (kept) {
    if (found->kind == check::Kind::StaleSnapshotRead) found->kind = check::Kind::StaleKeptRead;
    found->observer.owner = h.owner();
  }
  if (found->kind == check::Kind::WriteThroughSnapshot && !live_snapshots().alive(found->write.owner))
    return;  // See Note [Kept snapshots]
  fill_storage(*found, s);
  if (at.file == nullptr) {
    found->observer.at = detail::resolve_deferred(found->observer.stack);
    if (is_not_a_use(found->observer.at)) {  // See Note [Deferred sites]
      std::lock_guard guard(s.state_->lock);
      if (h.observed_.load(std::memory_order_relaxed) == now) h.observed_.store(observed, std::memory_order_relaxed);
      return;
    }
  } else {
    found->observer.stack = detail::capture_stack();
  }
  report_finding(*found);
}

// A handle that had seen every write before `epoch` has seen this one too. Called under the
// storage lock, which every other update of `observed_` holds too (observe_now() and attach()
// on a handle being made store a fresh epoch without it, and a compare-exchange would order
// them no better), so a load and a store do: a compare-exchange is a locked instruction,
// about a quarter of the cost of a write.
void StorageState::catch_up(Handle& h, std::uint64_t epoch) {
  if (h.observed_.load(std::memory_order_relaxed) == epoch - 1) h.observed_.store(epoch, std::memory_order_relaxed);
}

__attribute__((noinline)) void StorageState::write(Handle& h, const Site& given) {
  Storage& s = *h.storage_;
  StorageState& st = *s.state_;
  const detail::Options& options = detail::options();
  const bool eager = options.detect == detail::DetectMode::Write;
  std::vector<void*> stack;
  Site at = given;
  if (given.file == nullptr) {  // See Note [Deferred sites]
    at = eager || st.record_write_sites.load(std::memory_order_relaxed) ? detail::resolve_deferred(stack)
                                                                         : detail::kUnrecordedSite;
  } else if (options.stack_depth > 0) {
    stack = detail::capture_stack();
  }
  std::vector<Finding> found;
  {
    std::lock_guard guard(st.lock);
    if (!st.log) st.log = std::make_unique<WriteLog>();
    const std::uint64_t epoch = s.epoch_.load(std::memory_order_relaxed) + 1;
    s.epoch_.store(epoch, std::memory_order_release);
    const Extent extent = h.extent();
    catch_up(h, epoch);
    if (eager) {
      for (const Handle* other : st.live) {
        if (other == &h) continue;
        catch_up(*const_cast<Handle*>(other), epoch);
        const auto kind = conflict(other->owner(), other->family_, h.owner(), h.family_);
        if (!kind) continue;
        const Overlap ov = overlap(extent, other->extent());
        if (ov == Overlap::No) continue;
        Observer o = observer_of(*other, at, epoch);
        o.stack = stack;
        LoggedWrite w{epoch, extent, h.owner(), h.family_, h.label_, at, true, stack};
        found.push_back(Finding{*kind, std::move(o), std::move(w), extent.end(), true, ov == Overlap::Maybe, 0, {}, 0, {}});
      }
    }
    LoggedWrite* repeated = stack.empty() ? repeated_write(*st.log, h, extent, at, eager) : nullptr;
    if (repeated != nullptr) {
      repeated->epoch = epoch;  // See Note [Repeated writes]
    } else {
      LoggedWrite& slot = next_slot(*st.log);
      slot.epoch = epoch;
      slot.extent = extent;
      slot.owner = h.owner();
      slot.family = h.family_;
      slot.label = h.label_;
      slot.site = at;
      slot.checked_eagerly = eager;
      slot.stack = std::move(stack);
    }
  }
  for (Finding& f : found) {
    fill_storage(f, s);
    report_finding(f);
  }
}

// ---- ScopedUntracked ----------------------------------------------------------------------

ScopedUntracked::ScopedUntracked() : previous_(t_untracked) { t_untracked = true; }
ScopedUntracked::~ScopedUntracked() { t_untracked = previous_; }

// ---- registry.h ---------------------------------------------------------------------------

namespace detail {

bool keeps_live_handles() {
  static const bool keeps = options().detect == DetectMode::Write || !options().dump_alias_graph.empty();
  return keeps;
}

void for_each_storage(const std::function<void(const Storage&, int device_type, int device_index,
                                               const std::vector<const Handle*>&)>& fn) {
  std::lock_guard guard(registry().lock);
  for (const auto& [id, storage] : registry().live) {
    StorageState& st = StorageState::of(*storage);
    std::lock_guard storage_guard(st.lock);
    std::vector<const Handle*> handles(st.live.begin(), st.live.end());
    std::sort(handles.begin(), handles.end(), [](const Handle* a, const Handle* b) {
      return a->extent().begin != b->extent().begin ? a->extent().begin < b->extent().begin : a->family() < b->family();
    });
    fn(*storage, StorageState::device_type(*storage), StorageState::device_index(*storage), handles);
  }
}

__attribute__((noinline)) std::vector<void*> capture_stack() {
  const int depth = options().stack_depth;
  if (depth <= 0) return {};
  // Skips this function, StorageState::read/write (never inlined) and their one caller:
  // Handle::read/write or ag_track_read/write. The first frame kept is the user's.
  constexpr int kSkip = 3;
  std::vector<void*> frames(static_cast<std::size_t>(depth + kSkip));
  const int n = backtrace(frames.data(), depth + kSkip);
  if (n <= kSkip) return {};
  frames.resize(static_cast<std::size_t>(n));
  frames.erase(frames.begin(), frames.begin() + kSkip);
  return frames;
}

}  // namespace detail
}  // namespace aliasguard::tracker
