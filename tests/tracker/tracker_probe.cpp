// Scenarios for the modes fixed at start-up (detect=write, domains=handle), run by
// tracker_modes.cmake under each ALIASGUARD_OPTIONS. Prints one line,
//   violations=N kinds=K1,K2 at_write=yes|no caught_up=yes|no frames=R/W
// (at_write: every report's observer origin is its write's origin, as eager reports are;
// caught_up: the observing handle ended at the storage's epoch; frames: the stack sizes of
// the first report's read and write, 0 unless stack_depth is set), forgets the violations so the
// exit code stays 0, and exits.

#include <cstdio>
#include <cstring>
#include <source_location>
#include <string>

#include "aliasguard/tracker/tracker.h"
#include "aliasguard/tracker/violation.h"

namespace {

using namespace aliasguard::tracker;

std::source_location here(std::source_location at = std::source_location::current()) { return at; }
Extent bytes(std::uint64_t begin, std::uint32_t length) { return Extent{begin, length, 1, length, true}; }

// Runs `scenario`; returns whether its observing handle ended caught up.
bool run(const std::string& scenario) {
  Storage storage(64);
  const Owner module = new_owner(OwnerKind::Module);
  const Owner snapshot = new_owner(OwnerKind::Snapshot);
  auto caught_up = [&](const Handle& h) {
    Handle probe(storage, bytes(0, 0), module, 0, here());  // observes the epoch now
    return h.observed_epoch() == probe.observed_epoch();
  };
  if (scenario == "unread-snapshot") {  // lazy: nothing; eager: reported at the write
    Handle param(storage, bytes(0, 64), module, 0, here());
    Handle entry(storage, bytes(0, 64), snapshot, 0, here());
    param.write(here());
    return caught_up(entry);
  }
  if (scenario == "read-after-write") {  // one report in either mode, never two
    Handle param(storage, bytes(0, 64), module, 0, here());
    Handle entry(storage, bytes(0, 64), snapshot, 0, here());
    param.write(here());
    entry.read(here());
    entry.read(here());
    return caught_up(entry);
  }
  if (scenario == "disjoint") {  // never, in any mode
    Handle param(storage, bytes(0, 32), module, 0, here());
    Handle entry(storage, bytes(32, 32), snapshot, 0, here());
    param.write(here());
    entry.read(here());
    return caught_up(entry);
  }
  if (scenario == "families") {  // two handles of one owner, not views of one another
    const Owner user = new_owner(OwnerKind::User);
    Handle a(storage, bytes(0, 64), user, 0, here());
    Handle b(storage, bytes(0, 64), user, 0, here());
    a.write(here());
    b.read(here());
    return caught_up(b);
  }
  if (scenario == "views") {  // views of one another: one family, never shared-write
    Handle a(storage, bytes(0, 64), new_owner(OwnerKind::User), 0, here());
    Handle view(a, storage, bytes(16, 16), here());
    view.write(here());
    a.read(here());
    a.write(here());
    view.read(here());
    Handle detached(a, storage, bytes(0, 64), here());
    detached.start_family();  // detach(): a family of its own
    a.write(here());
    detached.read(here());
    return caught_up(detached);
  }
  std::fprintf(stderr, "tracker_probe: unknown scenario '%s'\n", scenario.c_str());
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: tracker_probe SCENARIO\n");
    return 2;
  }
  const bool caught_up = run(argv[1]);
  const auto found = aliasguard::check::violations();
  std::string kinds;
  bool at_write = true;
  for (const auto& v : found) {
    kinds += std::string(kinds.empty() ? "" : ",") + aliasguard::check::kind_name(v.kind);
    at_write = at_write && v.observer.line == v.write.line && v.observer.file == v.write.file;
  }
  const std::size_t read_frames = found.empty() ? 0 : found[0].observer.stack.size();
  const std::size_t write_frames = found.empty() ? 0 : found[0].write.stack.size();
  std::printf("violations=%zu kinds=%s at_write=%s caught_up=%s frames=%zu/%zu\n", found.size(), kinds.c_str(),
              at_write ? "yes" : "no", caught_up ? "yes" : "no", read_frames, write_frames);
  aliasguard::check::reset();
  return 0;
}
