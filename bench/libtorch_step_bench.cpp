// The training steps of libtorch_layer_bench.cpp on LibTorch alone (no aliasguard), built
// three times: plain, with -fsanitize=address and with -fsanitize=thread
// (bench/CMakeLists.txt), so bench/libtorch_layer.sh can put the sanitizers' cost on the
// same steps beside the layer's. Only this program, and the LibTorch header code inlined
// into it, is instrumented: Debian's LibTorch libraries are not rebuilt.

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "libtorch_steps.h"

namespace {

void BM_TorchStepLarge(benchmark::State& state) {
  bench::TrainStep step = bench::large_step();
  for (auto _ : state) benchmark::DoNotOptimize(step.step());
  state.counters["parameters"] = static_cast<double>(step.parameters());
}
BENCHMARK(BM_TorchStepLarge)->Unit(benchmark::kMillisecond);

void BM_TorchStepSmall(benchmark::State& state) {
  bench::TrainStep step = bench::small_step();
  for (auto _ : state) benchmark::DoNotOptimize(step.step());
  state.counters["parameters"] = static_cast<double>(step.parameters());
}
BENCHMARK(BM_TorchStepSmall)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  torch::set_num_threads(1);  // one intra-op thread, like libtorch_layer_bench.cpp
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
