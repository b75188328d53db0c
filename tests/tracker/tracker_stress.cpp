// 8 threads, one flat buffer: each thread owns a disjoint module view, writes it over and
// over, and reads a snapshot of it taken once at the start. In kPlanted known iterations the
// thread reads the snapshot right after writing (a stale-snapshot-read); otherwise it first
// re-takes the snapshot (observe_now), so there is nothing to report. Run with dedup=0: the
// program exits 0 iff exactly kThreads * kPlanted violations were reported, all planted. Run
// under the tsan preset it also shows the tracker is free of data races.
//
// `tracker_stress eager` runs the same under detect=write: every step is then reported at once
// against the thread's own snapshot (and only that one: the other views are disjoint), and the
// later reads must not report any step a second time: exactly kThreads * kEagerIterations.

#include <array>
#include <cstdio>
#include <latch>
#include <source_location>
#include <string>
#include <thread>
#include <vector>

#include "aliasguard/tracker/tracker.h"
#include "aliasguard/tracker/violation.h"

namespace {

using namespace aliasguard::tracker;

constexpr int kThreads = 8;
constexpr int kLazyIterations = 20000;
constexpr int kEagerIterations = 2000;
constexpr std::array<int, 5> kPlantedAt = {1, 5000, 10001, 15555, 19999};
constexpr std::uint32_t kViewBytes = 256;

std::source_location here(std::source_location at = std::source_location::current()) { return at; }

bool planted(int iteration) {
  for (int p : kPlantedAt)
    if (p == iteration) return true;
  return false;
}

// The sites every report must name: the planted read, and the step it saw.
const std::source_location kStep = std::source_location::current();
const std::source_location kPlantedRead = std::source_location::current();

void worker(Storage& flat, Owner module, int t, int iterations, std::latch& start) {
  const Extent mine{static_cast<std::uint64_t>(t) * kViewBytes, kViewBytes, 1, kViewBytes, true};
  const std::string key = "layers." + std::to_string(t) + ".weight";
  Handle param(flat, mine, module, intern_label(key), here());
  Handle best(flat, mine, new_owner(OwnerKind::Snapshot), intern_label(key), here());
  start.arrive_and_wait();  // all threads hammer the storage at once
  for (int i = 0; i < iterations; ++i) {
    param.write(kStep);  // the optimizer step
    param.read(here());   // other threads' writes are disjoint: never a report
    if (planted(i)) {
      best.read(kPlantedRead);  // planted: the snapshot saw the step
    } else {
      best.observe_now();  // a fresh snapshot: nothing to report
      best.read(here());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool eager = argc > 1 && std::string(argv[1]) == "eager";
  const int iterations = eager ? kEagerIterations : kLazyIterations;
  Storage flat(static_cast<std::size_t>(kThreads) * kViewBytes);
  const Owner module = new_owner(OwnerKind::Module);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back(worker, std::ref(flat), module, t, iterations, std::ref(start));
  for (auto& th : threads) th.join();

  const auto found = aliasguard::check::violations();
  const std::size_t expected = eager ? std::size_t{kThreads} * kEagerIterations : kThreads * kPlantedAt.size();
  // An eager report's read site is the write's site; a lazy one's is the planted read.
  const unsigned read_line = eager ? kStep.line() : kPlantedRead.line();
  std::size_t wrong = 0;
  for (const auto& v : found) {
    if (v.kind != aliasguard::check::Kind::StaleSnapshotRead || v.observer.line != read_line ||
        v.write.line != kStep.line() || v.observer.label != v.write.label)
      ++wrong;
  }
  aliasguard::check::reset();  // the result is the exit code below, not the at-exit summary
  std::printf("tracker_stress: %zu violations reported, %zu planted, %zu not at the planted sites\n",
              found.size(), expected, wrong);
  return found.size() == expected && wrong == 0 ? 0 : 1;
}
