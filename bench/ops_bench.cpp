// The same tensor workload, built against aliasguard::runtime (aliasguard_ops_bench) and
// aliasguard::runtime_checked (aliasguard_ops_bench_checked); bench/run.sh divides the two.

#include <benchmark/benchmark.h>

#include <aliasguard/aliasguard.h>

namespace ag = aliasguard;

namespace {

void BM_AddInPlace(benchmark::State& state) {
  const ag::Tensor a = ag::ones({state.range(0)});
  const ag::Tensor b = ag::ones({state.range(0)});
  for (auto _ : state) {
    a.add_(b, 0.5);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AddInPlace)->Arg(64)->Arg(1 << 20);

void BM_MulScalarInPlace(benchmark::State& state) {
  const ag::Tensor a = ag::ones({state.range(0)});
  for (auto _ : state) {
    a.mul_(1.0000001);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MulScalarInPlace)->Arg(64)->Arg(1 << 20);

void BM_SnapshotAndRead(benchmark::State& state) {
  // state_dict() + a read of every entry: what a training loop that keeps snapshots does.
  ag::nn::Sequential net({std::make_shared<ag::nn::Linear>(64, 64), std::make_shared<ag::nn::ReLU>(),
                          std::make_shared<ag::nn::Linear>(64, 8)});
  for (auto _ : state) {
    const ag::StateDict sd = net.state_dict();
    for (const auto& item : sd) benchmark::DoNotOptimize(item.value().const_data_ptr());
  }
}
BENCHMARK(BM_SnapshotAndRead);

}  // namespace

BENCHMARK_MAIN();
