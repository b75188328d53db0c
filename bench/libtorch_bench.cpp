// The peer: the same workloads as ops_bench.cpp on LibTorch (Debian's libtorch-dev, CPU),
// one intra-op thread like aliasguard's runtime. Benchmark names match ops_bench's so
// bench/run.sh can divide them.

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "resnet50_shapes.h"

namespace {

void BM_AddInPlace(benchmark::State& state) {
  torch::NoGradGuard no_grad;
  const torch::Tensor a = torch::ones({state.range(0)});
  const torch::Tensor b = torch::ones({state.range(0)});
  for (auto _ : state) {
    a.add_(b, 0.5);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AddInPlace)->Arg(64)->Arg(1 << 20);

void BM_MulScalarInPlace(benchmark::State& state) {
  torch::NoGradGuard no_grad;
  const torch::Tensor a = torch::ones({state.range(0)});
  for (auto _ : state) {
    a.mul_(1.0000001);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MulScalarInPlace)->Arg(64)->Arg(1 << 20);

void BM_Clone64MB(benchmark::State& state) {
  const torch::Tensor a = torch::ones({16 << 20});
  for (auto _ : state) benchmark::DoNotOptimize(a.clone());
  state.SetBytesProcessed(state.iterations() * (64LL << 20));
}
BENCHMARK(BM_Clone64MB)->Unit(benchmark::kMillisecond);

/// A module holding ResNet-50's 161 parameters.
struct ResNet50Params : torch::nn::Module {
  /// `one_float`: ResNet-50's 161 keys, each holding a single float (the per-entry cost).
  explicit ResNet50Params(bool one_float = false) {
    for (const auto& [name, shape] : bench::resnet50_parameter_shapes()) {
      std::string key = name;
      for (char& c : key) c = c == '.' ? '_' : c;  // LibTorch names may not contain '.'
      register_parameter(key, one_float ? torch::ones({1}) : torch::ones(shape));
    }
  }
};

/// state_dict (the parameter handles), a deep copy (clone each), and load_state_dict
/// (copy_ each back, as torch.nn.Module.load_state_dict does).
void state_dict_deep_copy_load(ResNet50Params& model) {
  auto sd = model.named_parameters();
  std::vector<torch::Tensor> copy;
  copy.reserve(sd.size());
  for (const auto& item : sd) copy.push_back(item.value().clone());
  std::size_t i = 0;
  for (auto& item : model.named_parameters()) item.value().copy_(copy[i++]);
}

void BM_StateDictDeepCopyLoad(benchmark::State& state) {
  ResNet50Params model;
  torch::NoGradGuard no_grad;
  for (auto _ : state) {
    state_dict_deep_copy_load(model);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * 25557032LL * 4 * 2);
}
BENCHMARK(BM_StateDictDeepCopyLoad)->Unit(benchmark::kMillisecond);

// The same calls on 161 one-float tensors: LibTorch's cost per entry, apart from the bytes.
void BM_StateDictDeepCopyLoadPerEntry(benchmark::State& state) {
  ResNet50Params model(/*one_float=*/true);
  torch::NoGradGuard no_grad;
  for (auto _ : state) {
    state_dict_deep_copy_load(model);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * 161);
}
BENCHMARK(BM_StateDictDeepCopyLoadPerEntry);

}  // namespace

int main(int argc, char** argv) {
  torch::set_num_threads(1);  // the same thread count as aliasguard's runtime
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
