// The same tensor workload, built against aliasguard::runtime (aliasguard_ops_bench) and
// aliasguard::runtime_checked (aliasguard_ops_bench_checked); bench/run.sh divides the two.

#include <benchmark/benchmark.h>

#include <aliasguard/aliasguard.h>

#include "resnet50_shapes.h"

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

void BM_Clone64MB(benchmark::State& state) {
  const ag::Tensor a = ag::ones({16 << 20});
  for (auto _ : state) benchmark::DoNotOptimize(a.clone());
  state.SetBytesProcessed(state.iterations() * (64LL << 20));
}
BENCHMARK(BM_Clone64MB)->Unit(benchmark::kMillisecond);

/// A module holding ResNet-50's 161 parameters.
struct ResNet50Params : ag::nn::Module {
  ResNet50Params() : Module("ResNet50Params") {
    for (const auto& [name, shape] : bench::resnet50_parameter_shapes()) {
      std::string key = name;
      for (char& c : key) c = c == '.' ? '_' : c;  // parameter names may not contain '.'
      register_parameter(key, ag::ones(shape));
    }
  }
};

// state_dict, deep_copy (new storage for all 161 entries), load_state_dict (copy back).
void BM_StateDictDeepCopyLoad(benchmark::State& state) {
  ResNet50Params model;
  for (auto _ : state) {
    const ag::StateDict copy = ag::deep_copy(model.state_dict());
    model.load_state_dict(copy);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * 25557032LL * 4 * 2);
}
BENCHMARK(BM_StateDictDeepCopyLoad)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
