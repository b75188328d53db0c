// The tracker's own costs: a write must cost the same whether 1, 100 or 10,000
// views of the storage are alive; a read of an unchanged handle is O(1); a handle is 64 bytes.

#include <benchmark/benchmark.h>

#include <aliasguard/tracker/tracker.h>

#include <array>
#include <memory>
#include <vector>

namespace tr = aliasguard::tracker;

namespace {

constexpr std::uint32_t kSliceBytes = 16;

tr::Extent slice(std::uint64_t index) { return tr::Extent{index * kSliceBytes, kSliceBytes, 1, kSliceBytes, true}; }

/// One flat storage with `views` live module-owned handles on disjoint 16-byte slices.
struct FlatBuffer {
  explicit FlatBuffer(std::int64_t views) : storage(static_cast<std::size_t>(views) * kSliceBytes) {
    const tr::Owner module{tr::OwnerKind::Module, 0};
    for (std::int64_t i = 0; i < views; ++i) {
      handles.push_back(std::make_unique<tr::Handle>(storage, slice(static_cast<std::uint64_t>(i)), module, 0,
                                                     tr::Origin::current()));
    }
  }
  tr::Storage storage;
  std::vector<std::unique_ptr<tr::Handle>> handles;
};

/// Two call sites (two lines: a site is file, line and function), so that no write repeats
/// the one before it (Note [Repeated writes] in runtime/tracker/tracker.cpp): each takes a
/// slot of the log, the full cost of a write.
std::array<tr::Origin, 2> two_sites() {
  const tr::Origin first = tr::Origin::current();
  const tr::Origin second = tr::Origin::current();
  return {first, second};
}

void BM_WriteWithLiveViews(benchmark::State& state) {
  FlatBuffer buffer(state.range(0));
  tr::Handle& writer = *buffer.handles.front();
  const std::array<tr::Origin, 2> sites = two_sites();
  std::size_t k = 0;
  for (auto _ : state) writer.write(sites[k++ & 1]);
  state.counters["live_views"] = static_cast<double>(state.range(0));
}
// 1 .. 10,000 views by 10x: bench/run.sh plots the write cost against the number of views.
BENCHMARK(BM_WriteWithLiveViews)->RangeMultiplier(10)->Range(1, 10000);

void BM_RepeatedWrite(benchmark::State& state) {
  // The same write at the same site over and over: the newest entry moves to the new epoch.
  FlatBuffer buffer(1);
  tr::Handle& writer = *buffer.handles.front();
  const tr::Origin here = tr::Origin::current();
  for (auto _ : state) writer.write(here);
}
BENCHMARK(BM_RepeatedWrite);

void BM_ReadUnchanged(benchmark::State& state) {
  FlatBuffer buffer(state.range(0));
  tr::Handle& reader = *buffer.handles.back();
  const tr::Origin here = tr::Origin::current();
  reader.read(here);
  for (auto _ : state) reader.read(here);
}
BENCHMARK(BM_ReadUnchanged)->Arg(1)->Arg(10000);

void BM_ReadAfterOwnOwnersWrite(benchmark::State& state) {
  FlatBuffer buffer(2);
  tr::Handle& writer = *buffer.handles[0];
  tr::Handle& reader = *buffer.handles[1];
  const tr::Origin here = tr::Origin::current();
  for (auto _ : state) {
    writer.write(here);
    reader.read(here);  // a write to check, by the same owner: never a violation
  }
}
BENCHMARK(BM_ReadAfterOwnOwnersWrite);

void BM_HandleCreateDestroy(benchmark::State& state) {
  FlatBuffer buffer(1);
  const tr::Origin here = tr::Origin::current();
  for (auto _ : state) {
    tr::Handle view(*buffer.handles.front(), buffer.storage, slice(0), here);
    benchmark::DoNotOptimize(&view);
  }
  state.counters["bytes_per_handle"] = static_cast<double>(sizeof(tr::Handle));
}
BENCHMARK(BM_HandleCreateDestroy);

}  // namespace

BENCHMARK_MAIN();
