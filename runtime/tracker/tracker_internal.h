#pragma once
// Internal: the detector's per-storage state, shared by tracker.cpp (the C++ API) and
// c_api.cpp (the C ABI). Nothing here is visible to users of the tracker.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <source_location>
#include <thread>
#include <unordered_set>
#include <vector>

#include "aliasguard/tracker/tracker.h"

namespace aliasguard::tracker::detail {

/// A call site whose strings outlive every report: the static strings of a
/// std::source_location, interned strings (the C ABI, intern_site()), or kDeferredSite.
using Site = tracker::Site;

inline Site site_of(const std::source_location& at) {
  return Site{at.file_name(), at.function_name(), at.line()};
}

/// The call site to print for the handle's creation: its std::source_location, or for a
/// handle made through the C ABI the site its caller passed (c_api.cpp).
Site created_site(const Handle& handle);

/// Up to options().stack_depth return addresses of the caller, innermost first; empty when
/// stack_depth is 0.
std::vector<void*> capture_stack();

/// The hooks set_site_hooks() installed (all null until then).
const SiteHooks& site_hooks();
/// Resolves kDeferredSite through the hooks, on the accessing thread, with up to
/// options().stack_depth frames in `stack`; a site the hooks cannot give prints as unknown.
Site resolve_deferred(std::vector<void*>& stack);
/// The site a write given kDeferredSite keeps when no other owner can see it: such a write is
/// never reported (see Note [Deferred sites]), so nothing is spent finding where it was made.
inline constexpr Site kUnrecordedSite{"", "", 0};

/// One logged write.
struct LoggedWrite {
  std::uint64_t epoch = 0;
  Extent extent;
  Owner owner;
  std::uint32_t family = 0;
  std::uint32_t label = 0;
  Site site;
  bool checked_eagerly = false;  // detect=write already compared it with every live handle
  std::vector<void*> stack;      // empty unless stack_depth > 0
};

/// The most recent write of one owner kind that fell out of the ring (no extent: the region
/// it belongs to bounds it).
struct DroppedWrite {
  std::uint64_t epoch = 0;  // 0: none
  Owner owner;
  std::uint32_t family = 0;
  std::uint32_t label = 0;
  Site site;
};

// Note [Dropped writes]
// The ring keeps the last kLogCapacity writes of a storage exactly. A write pushed out of it
// is folded into one of kDroppedRegions byte regions: the region with exactly its bounds, a
// free one, or else the one whose bounding range grows least. A region keeps, per owner
// kind, the latest dropped write, plus whether more than one snapshot / family wrote there.
// That is enough to decide conservatively whether a reader that fell far behind missed a
// conflicting write (reported with write_known = false), while writers of disjoint views of
// one flat buffer keep disjoint regions and so never conflict through the summary (the
// 8-thread stress test relies on this: 8 disjoint views fit in the regions).
inline constexpr std::size_t kLogCapacity = 32;
inline constexpr std::size_t kDroppedRegions = 16;

struct DroppedRegion {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::array<DroppedWrite, 3> latest;  // indexed by OwnerKind
  std::uint32_t snapshot_id = 0;       // the first snapshot that wrote here
  std::uint32_t family = 0;            // the first family that wrote here
  bool many_snapshots = false;
  bool many_families = false;
};

/// The writes of one storage: allocated on its first write.
struct WriteLog {
  std::array<LoggedWrite, kLogCapacity> ring;
  std::uint32_t next = 0;  // slot of the next write
  std::uint32_t size = 0;
  std::vector<DroppedRegion> dropped;  // at most kDroppedRegions; see Note [Dropped writes]
};

// Note [Storage lock]
// Each storage's state is guarded by a spin lock rather than a std::mutex. What it guards
// is short: a write appends to the ring, a read that found new writes scans at most 32
// entries and 16 regions. Taking either lock is one locked instruction, but releasing a
// std::mutex is a second one (glibc must find out whether a waiter sleeps). Releasing this
// lock is a plain store, which bench/tracker_bench.cpp's repeated write measures (figures in
// bench/README.md). Waiters spin briefly and then yield, so a long holder (detect=write
// comparing a write with thousands of live handles, the exit-time alias graph) costs them a
// time slice, not a busy core. The sanitizers' runtimes guard their own short critical
// sections the same way.
class SpinLock {
 public:
  void lock() noexcept {
    while (held_.exchange(true, std::memory_order_acquire)) {
      for (unsigned spins = 0; held_.load(std::memory_order_relaxed); ++spins) {
        if (spins < kSpinsBeforeYield) {
          relax();
        } else {
          std::this_thread::yield();
        }
      }
    }
  }
  void unlock() noexcept { held_.store(false, std::memory_order_release); }

 private:
  static constexpr unsigned kSpinsBeforeYield = 128;
  static void relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  std::atomic<bool> held_{false};
};

struct StaleCopy;  // tracker.cpp; see Note [Late deep copies]

/// Everything the tracker keeps per storage besides its id and epoch. Every field is guarded
/// by `lock` (one per storage: there is no global lock on the read/write path).
struct StorageState {
  StorageState();
  ~StorageState();
  StorageState(const StorageState&) = delete;
  StorageState& operator=(const StorageState&) = delete;

  SpinLock lock;
  std::uint32_t generation = 0;
  std::unique_ptr<WriteLog> log;
  std::atomic<bool> record_write_sites{false};  // Storage::record_write_sites()
  std::unordered_set<const Handle*> live;  // only when keeps_live_handles()
  // Set when the bytes are a late deep copy of a stale snapshot: Note [Late deep copies].
  std::atomic<bool> carries_stale{false};
  std::unique_ptr<StaleCopy> stale;

  // Entry points that take a Site rather than a std::source_location; the public
  // Handle::read/write forward here. StorageState is a friend of Storage and Handle.
  static void read(Handle& handle, const Site& at, bool kept = false);
  static void write(Handle& handle, const Site& at);
  static void catch_up(Handle& handle, std::uint64_t epoch);
  static void copied(Handle& copy, const Handle& source, const Site& at);
  static void restore_stale_copy(const Handle& copy, const Site& at);
  static StorageState& of(const Storage& storage) { return *storage.state_; }
  static int device_type(const Storage& storage) { return storage.device_type_; }
  static int device_index(const Storage& storage) { return storage.device_index_; }
  static std::uint64_t epoch(const Storage& storage) { return storage.epoch_.load(std::memory_order_acquire); }
};

}  // namespace aliasguard::tracker::detail
