// A program with planted violations, run by run_probe.py under various ALIASGUARD_OPTIONS to
// check what a user sees: reports, exit codes, log files, suppressions, the alias graph.
//
//   report_probe one            one stale-snapshot-read (module write, snapshot read)
//   report_probe two            two stale-snapshot-reads at different sites
//   report_probe repeat         the same stale-snapshot-read three times (one site)
//   report_probe write-through  one write-through-snapshot (snapshot write, module read)
//   report_probe json           one stale-snapshot-read under a key that needs JSON escaping

#include <cstdio>
#include <cstring>
#include <source_location>

#include <unistd.h>

#include "aliasguard/tracker/tracker.h"

#ifdef AG_PROBE_DEFAULT_OPTIONS
// The weak hook a program defines to bake in its defaults; ALIASGUARD_OPTIONS overrides it.
extern "C" const char* __aliasguard_default_options() { return AG_PROBE_DEFAULT_OPTIONS; }
#endif

namespace {

using namespace aliasguard::tracker;

// A module parameter and a state_dict() entry of it: two owners, the same 16 bytes.
struct Planted {
  Storage storage{16};
  Handle module;
  Handle snapshot;

  Planted(Owner module_owner, const char* key)
      : module(storage, Extent{0, 16, 1, 16, true}, module_owner, intern_label(key),
               std::source_location::current()),
        snapshot(storage, Extent{0, 16, 1, 16, true}, new_owner(OwnerKind::Snapshot), intern_label(key),
                 std::source_location::current()) {}
};

// Kept alive (and reachable) until exit, so dump_alias_graph at exit sees them.
Planted* planted[4];

Planted& plant(int i, const char* key = "fc.weight") {
  static const Owner module_owner = new_owner(OwnerKind::Module);
  planted[i] = new Planted(module_owner, key);
  return *planted[i];
}

void optimizer_step(Planted& p) { p.module.write(std::source_location::current()); }
void evaluate_snapshot(Planted& p) { p.snapshot.read(std::source_location::current()); }
void evaluate_other_snapshot(Planted& p) { p.snapshot.read(std::source_location::current()); }
void edit_snapshot(Planted& p) { p.snapshot.write(std::source_location::current()); }
void forward(Planted& p) { p.module.read(std::source_location::current()); }

}  // namespace

int main(int argc, char** argv) {
  std::fprintf(stderr, "probe: main started, pid %ld\n", static_cast<long>(getpid()));
  const char* mode = argc > 1 ? argv[1] : "one";
  if (std::strcmp(mode, "one") == 0) {
    Planted& p = plant(0);
    optimizer_step(p);
    evaluate_snapshot(p);
  } else if (std::strcmp(mode, "two") == 0) {
    Planted& a = plant(0);
    Planted& b = plant(1, "fc.bias");
    optimizer_step(a);
    optimizer_step(b);
    evaluate_snapshot(a);
    evaluate_other_snapshot(b);
  } else if (std::strcmp(mode, "repeat") == 0) {
    Planted& p = plant(0);
    for (int i = 0; i < 3; ++i) {
      optimizer_step(p);
      evaluate_snapshot(p);
    }
  } else if (std::strcmp(mode, "write-through") == 0) {
    Planted& p = plant(0);
    edit_snapshot(p);
    forward(p);
  } else if (std::strcmp(mode, "json") == 0) {
    Planted& p = plant(0, "fc.\"w\"\\\n\t\x01\xc3\xa9\xff");
    optimizer_step(p);
    evaluate_snapshot(p);
  } else {
    std::fprintf(stderr, "probe: unknown mode '%s'\n", mode);
    return 2;
  }
  std::fprintf(stderr, "probe: main done\n");
  return 0;
}
