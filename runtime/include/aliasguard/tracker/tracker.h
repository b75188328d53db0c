#pragma once
/// \file The alias tracker: framework-agnostic records of storages and the handles that see
/// them, and the detection of writes that become visible through a handle of another owner.
/// It knows nothing of tensors; aliasguard's runtime embeds a Storage in each storage and a
/// Handle in each tensor handle, and so can any other tensor library (docs/tracker.md).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

namespace aliasguard::tracker {

/// Where an access happened: the user's call site.
using Origin = std::source_location;

// Note [Owners]
// Every handle has an owner. `Module`: a registered parameter or buffer and its views;
// `Snapshot`: the entries of one state_dict() call (id = the call); `User`: everything else
// (id = the clone/factory that made it). A violation is a write made through one owner that
// becomes visible through a handle of another: a snapshot seeing a module write
// (stale-snapshot-read), the module seeing a snapshot write (write-through-snapshot). In
// strict mode (domains=handle) every family of views is its own owner (shared-write).
enum class OwnerKind : std::uint8_t { User = 0, Module = 1, Snapshot = 2 };

struct Owner {
  OwnerKind kind = OwnerKind::User;
  std::uint32_t id = 0;
};

/// A call site given as strings, for accesses that have no std::source_location (a tensor
/// library's dispatcher, the C ABI). The strings must outlive every report: literals, or
/// what intern_site() returns.
struct Site {
  const char* file = "";
  const char* function = "";
  std::uint32_t line = 0;
};
/// `file` and `function` copied into storage that lives as long as the process.
Site intern_site(std::string_view file, std::uint32_t line, std::string_view function);
/// An access whose site is found only when a report needs it. See Note [Deferred sites].
inline constexpr Site kDeferredSite{nullptr, nullptr, 0};
/// What SiteHooks::current returns for a read that is not a use of the values (printing a
/// tensor for a person): it is not reported and the handle stays as it was.
inline constexpr Site kNotAUseSite{nullptr, nullptr, 1};
inline bool is_not_a_use(const Site& s) { return s.file == nullptr && s.line == 1; }

/// How a caller that passes kDeferredSite supplies sites. See Note [Deferred sites].
struct SiteHooks {
  /// The access now being made on this thread: its site, and in `stack` up to `depth` return
  /// addresses of its callers, innermost first.
  Site (*current)(std::vector<void*>& stack, int depth) = nullptr;
  /// One report line for a return address ("0x4012ab in train() train.cpp:42").
  std::string (*describe)(void* pc) = nullptr;
  /// Whether a tensor of snapshot `owner` is still alive, for a layer whose handles outlive
  /// its tensors (null: the tracker counts live handles itself). See Note [Kept snapshots].
  bool (*snapshot_alive)(Owner owner) = nullptr;
};
/// Installs `hooks` for the process (a tensor library's layer does, once, at load).
void set_site_hooks(const SiteHooks& hooks);
/// Whether every family of views is its own owner (ALIASGUARD_OPTIONS=domains=handle): a
/// layer that tracks only storages a snapshot or module shares must then track them all.
bool strict_domains();
/// Whether the tracker keeps every live handle of each storage (detect=write compares each
/// write with them; dump_alias_graph draws them): a layer that learns of dead tensors late
/// must then destroy their handles before they are compared or drawn.
bool keeps_live_handles();

/// A new owner id of `kind` (never reused).
Owner new_owner(OwnerKind kind);
/// A stable small id for a name shown in reports ("fc.weight"); 0 is "no name".
std::uint32_t intern_label(std::string_view name);
std::string label_name(std::uint32_t label);

/// The bytes a handle covers: `rows` runs of `row_bytes` contiguous bytes, `row_stride`
/// bytes apart, starting at byte `begin` of the storage. Contiguous views, simply strided
/// views and row-major blocks are described exactly; anything else by its bounding runs
/// with `exact` false (overlap with it is then "may overlap").
struct Extent {
  std::uint64_t begin = 0;
  std::uint64_t row_stride = 0;
  std::uint32_t rows = 0;
  std::uint32_t row_bytes = 0;
  bool exact = true;

  std::uint64_t end() const { return rows == 0 ? begin : begin + (rows - 1) * row_stride + row_bytes; }
  std::uint64_t bytes() const { return static_cast<std::uint64_t>(rows) * row_bytes; }
};

/// The extent of a strided view: element size, offset, sizes and strides in elements.
Extent extent_of(std::size_t element_size, std::int64_t offset, const std::int64_t* sizes,
                 const std::int64_t* strides, int ndim);

/// Whether two extents of one storage share a byte: No, Yes, or Maybe (when an extent is
/// not exact or the arithmetic would be too costly).
enum class Overlap : std::uint8_t { No, Yes, Maybe };
Overlap overlap(const Extent& a, const Extent& b);

class Handle;
namespace detail { struct StorageState; }

/// The tracker's record of one allocation; embed one per buffer. Thread-safe.
class Storage {
 public:
  /// `device_type` 0 = host, 1 = CUDA (printed in reports).
  Storage(std::size_t nbytes, int device_type = 0, int device_index = 0);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  std::uint64_t id() const { return id_; }
  std::uint32_t generation() const;
  std::size_t nbytes() const { return nbytes_; }
  /// The buffer now holds unrelated contents (a pool reused it): forget its history.
  void reset();
  /// From now on a write given kDeferredSite is resolved when it is made, because a handle
  /// of another owner may report it later; `false` when none is left. See Note [Deferred sites].
  void record_write_sites(bool on = true);

 private:
  friend class Handle;
  friend struct detail::StorageState;
  std::uint64_t id_;
  std::size_t nbytes_;
  int device_type_;
  int device_index_;
  std::atomic<std::uint64_t> epoch_{0};
  detail::StorageState* state_;  // write log, live handles; see tracker.cpp
};

/// One view of a Storage: its extent, owner, name, origin and the last write it observed.
/// 64 bytes; embed one per tensor handle. See Note [Owners].
class Handle {
 public:
  /// A handle that starts out having observed everything written so far.
  Handle(Storage& storage, Extent extent, Owner owner, std::uint32_t label, Origin created);
  /// A view of `source`: same owner and name, and it has observed what `source` observed.
  Handle(const Handle& source, Storage& storage, Extent extent, Origin created);
  ~Handle();
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  /// Re-tags the handle (register_parameter makes a user tensor a module parameter).
  void set_owner(Owner owner, std::uint32_t label);
  /// Gives the handle a new family of its own (detach(), data(), state_dict entries):
  /// only matters in strict mode, where each family is an owner.
  void start_family();
  /// Forgets unobserved writes (a snapshot taken now sees the bytes as they are now).
  void observe_now();
  /// Points the handle at another storage (a module moved to another device).
  void rebind(Storage& storage, Extent extent);

  /// A read through this handle: reports every write made since this handle last observed
  /// the storage, through another owner, over overlapping bytes. O(1) when nothing changed.
  void read(Origin at);
  void read(const Site& at);
  /// A read of this handle copied onto `dst`, a handle of the same bytes (a copy that moves
  /// no byte: a module's own state_dict loaded back, `p.copy_(kept)`). When both are the
  /// module's and of different families, this one is read as a kept copy (`kept =
  /// p.detach()` taken earlier): every write since it last observed, through another family,
  /// is reported as stale-kept-read. Otherwise a plain read. See Note [Kept handles].
  void read_onto(const Handle& dst, Origin at);
  void read_onto(const Handle& dst, const Site& at);
  /// This handle's bytes were just copied from `source` without using them (deep_copy,
  /// copy.deepcopy: the fix, not a use). When `source` is a snapshot that missed a write of
  /// its module, the copy holds the module's new values under the snapshot's name, and
  /// restoring it later (read_into() a module handle) is that stale read. Call it once the
  /// copy's bytes are written. See Note [Late deep copies].
  void copied_from(const Handle& source, Origin at);
  void copied_from(const Handle& source, const Site& at);
  /// A read of this handle whose values are copied into `dst` (copy_, load_state_dict): as
  /// read(), and when this handle is a late deep copy of a stale snapshot (copied_from) and
  /// `dst` is a module's, that snapshot's stale read is reported here.
  void read_into(const Handle& dst, Origin at);
  void read_into(const Handle& dst, const Site& at);
  /// A write through this handle: logged on the storage in O(1); with detect=write, also
  /// reported against every live overlapping handle of another owner.
  void write(Origin at);
  void write(const Site& at);

  Owner owner() const { return Owner{owner_kind_, owner_id_}; }
  std::uint32_t label() const { return label_; }
  std::uint32_t family() const { return family_; }
  Extent extent() const { return Extent{begin_, row_stride_, rows_, row_bytes_, exact_}; }
  Storage& storage() const { return *storage_; }
  Origin created() const { return created_; }
  std::uint64_t observed_epoch() const { return observed_.load(std::memory_order_relaxed); }

 private:
  friend struct detail::StorageState;
  void set_extent(const Extent& e);

  // 64 bytes in all (checked in tracker.cpp): the budget per live handle.
  Storage* storage_;
  std::uint64_t begin_;
  std::uint64_t row_stride_;
  std::uint32_t rows_;
  std::uint32_t row_bytes_;
  std::atomic<std::uint64_t> observed_{0};
  Origin created_;
  std::uint32_t owner_id_;
  OwnerKind owner_kind_;
  bool exact_;
  std::uint32_t label_;
  std::uint32_t family_;  // views share one; strict mode compares families
};

/// A Handle whose creation site is a Site rather than a std::source_location (the C ABI, a
/// dispatcher layer). Reports find the Site through the Handle: see Note [C origins].
struct SitedHandle {
  SitedHandle(Storage& storage, Extent extent, Owner owner, std::uint32_t label, Site created);
  /// A view of `source` (its owner, name and what it has observed).
  SitedHandle(const Handle& source, Storage& storage, Extent extent, Site created);
  Handle handle;  // first: created_site() converts a Handle* to its SitedHandle*
  Site created;
};

/// Within its scope, reads on this thread are not checked (printing a tensor for a human is
/// not a use of its values; see docs/tracker.md).
class ScopedUntracked {
 public:
  ScopedUntracked();
  ~ScopedUntracked();
  ScopedUntracked(const ScopedUntracked&) = delete;
  ScopedUntracked& operator=(const ScopedUntracked&) = delete;

 private:
  bool previous_;
};

}  // namespace aliasguard::tracker
