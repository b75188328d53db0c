#pragma once
/// \file The tracker's record of violations: their kinds, the two accesses of each, and the
/// process-wide list. No tensor types: a tensor library that embeds the tracker reads its
/// reports through these alone; aliasguard's runtime re-exports them from aliasguard/check.h.
///
/// Declared in aliasguard::check, the namespace programs inspect the checked runtime through:
/// the tracker defines the functions below, and aliasguard::runtime, where tracking is
/// compiled out, defines them as "nothing tracked".

#include <cstdint>
#include <string>
#include <vector>

#include "aliasguard/tracker/violation_kinds.h"

namespace aliasguard::check {

/// The kinds of violation (aliasguard/tracker/violation_kinds.h), named as in reports.
enum class Kind : std::uint8_t {
#define AG_KIND_ENUMERATOR(Enumerator, Name, Cause, Fix, PythonFix) Enumerator,
  AG_FOR_EACH_VIOLATION_KIND(AG_KIND_ENUMERATOR)
#undef AG_KIND_ENUMERATOR
};

/// "stale-snapshot-read", "write-through-snapshot", "shared-write": as reports, JSON and
/// suppression files spell the kind.
constexpr const char* kind_name(Kind kind) {
  switch (kind) {
#define AG_KIND_NAME(Enumerator, Name, Cause, Fix, PythonFix) \
  case Kind::Enumerator: return Name;
    AG_FOR_EACH_VIOLATION_KIND(AG_KIND_NAME)
#undef AG_KIND_NAME
  }
  return "unknown";
}

/// One side of a violation: who, where, which bytes.
struct Access {
  std::string owner;     // "snapshot #3", "module", "user #5"
  std::string label;     // "fc.weight" (state_dict key or parameter path), or empty
  std::string file;      // where the access happened (empty when no longer known)
  unsigned line = 0;
  std::string function;
  std::uint64_t begin = 0;  // byte range within the storage
  std::uint64_t end = 0;
  std::uint64_t epoch = 0;  // the storage's write counter at the access
  std::vector<std::string> stack;  // symbolised frames, innermost first (stack_depth=N)
  /// A strided view's bytes exactly: `runs` runs of `run_bytes` bytes, `run_stride` apart,
  /// from `begin` (runs 0: the whole range [begin, end), or not known run by run).
  std::uint32_t runs = 0;
  std::uint32_t run_bytes = 0;
  std::uint64_t run_stride = 0;
};

/// A write made through one handle that became visible through a handle of another owner.
struct Violation {
  Kind kind = Kind::StaleSnapshotRead;
  Access observer;          // the handle that saw the write (read at `file:line`)
  std::string observer_created_file;
  unsigned observer_created_line = 0;
  Access write;             // the write it saw
  bool write_known = true;  // false: the write fell out of the storage's log (summary only)
  bool may_overlap = false; // the byte ranges could not be compared exactly
  std::uint64_t storage_id = 0;
  std::string device;       // "cpu", "cuda:0"
  std::uint64_t storage_bytes = 0;
  /// Where a deep copy took the stale bytes that were restored (a stale-snapshot-read found at
  /// the restore of that copy), or empty.
  std::string copied_file;
  unsigned copied_line = 0;
  /// The other entries (labels) that made the same violation at the same two lines, merged
  /// into this report by de-duplication (`dedup=1`): a stale dict loaded reports once and
  /// names every entry. The exit summary lists them.
  std::vector<std::string> also_entries;
};

/// True in aliasguard::runtime_checked, false in aliasguard::runtime (tracking compiled out).
bool enabled();
/// Every violation reported so far in this process (after suppressions and de-duplication).
std::vector<Violation> violations();
/// Forgets reported violations (for tests); the exit code then ignores them too.
void reset();
/// Writes the current alias graph (storages, live handles, owners, shared bytes) as Graphviz
/// DOT; throws aliasguard::Error if the file cannot be written or tracking is off.
void dump_alias_graph(const std::string& path);

}  // namespace aliasguard::check
