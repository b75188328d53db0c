#pragma once
/// \file Inspecting the checked runtime: the violations it reported, and why two tensors alias.

#include <cstdint>
#include <string>
#include <vector>


namespace aliasguard {

class Tensor;

namespace check {

/// The three kinds, named as in reports and suppression files.
enum class Kind : std::uint8_t { StaleSnapshotRead, WriteThroughSnapshot, SharedWrite };
/// "stale-snapshot-read", "write-through-snapshot", "shared-write".
constexpr const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::StaleSnapshotRead: return "stale-snapshot-read";
    case Kind::WriteThroughSnapshot: return "write-through-snapshot";
    case Kind::SharedWrite: return "shared-write";
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

}  // namespace check

/// One sentence on how two tensors share memory, e.g. "share storage #7, bytes [0, 16): a
/// write through either is visible through the other". Works in both runtimes.
std::string explain(const Tensor& a, const Tensor& b);

}  // namespace aliasguard
