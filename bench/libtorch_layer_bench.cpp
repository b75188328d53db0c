// What the LibTorch layer (aliasguard::torch_checked) costs a LibTorch program, checked
// against unchecked in one process. The layer's fallback sits on a dispatch key that each
// thread turns on in its thread-local included set (Note [Dispatch key] in
// plugins/libtorch/src/dispatch.cpp); with the key off, no operator call reaches the
// fallback and the program runs as LibTorch alone. Each benchmark iteration runs one block
// of the workload with the key off and one with it on, in alternating order, and reports the
// thread CPU time per operation of each as the counters unchecked_ns and checked_ns: on a
// shared machine, load that comes and goes then lands on both alike, which timing the two
// in separate benchmark runs did not achieve (bench/README.md, "LibTorch layer").

#include <ATen/record_function.h>
#include <benchmark/benchmark.h>
#include <c10/core/impl/LocalDispatchKeySet.h>
#include <torch/torch.h>

#include <aliasguard/torch.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <utility>

#include "libtorch_steps.h"

namespace {

constexpr c10::DispatchKey kLayerKey = c10::DispatchKey::TESTING_ONLY_GenericMode;

/// Sets the layer's key on this thread for one timed block and restores it after. The autograd
/// engine runs a CPU backward pass on the calling thread and copies its thread-local
/// dispatch state into any thread it uses, so the key reaches backward too.
class LayerKey {
 public:
  explicit LayerKey(bool on) : was_on_(c10::impl::tls_is_dispatch_key_included(kLayerKey)) {
    c10::impl::tls_set_dispatch_key_included(kLayerKey, on);
  }
  ~LayerKey() { c10::impl::tls_set_dispatch_key_included(kLayerKey, was_on_); }
  LayerKey(const LayerKey&) = delete;
  LayerKey& operator=(const LayerKey&) = delete;

 private:
  bool was_on_;
};

double thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

/// Each iteration runs `block` (`per_block` operations) once unchecked and once checked,
/// which one first alternating, and sets the counters unchecked_ns and checked_ns (the
/// thread's CPU time per operation in each) and their ratio and difference within this
/// repetition, whose medians over the repetitions pair each checked time with the
/// unchecked one measured beside it.
template <typename Fn>
void alternate(benchmark::State& state, std::int64_t per_block, const Fn& block) {
  double unchecked = 0;
  double checked = 0;
  bool checked_first = false;
  for (auto _ : state) {
    for (const bool on : {checked_first, !checked_first}) {
      const LayerKey key(on);
      const double start = thread_cpu_ns();
      block();
      (on ? checked : unchecked) += thread_cpu_ns() - start;
    }
    checked_first = !checked_first;
  }
  const auto ops = static_cast<double>(state.iterations() * per_block);
  state.counters["unchecked_ns"] = unchecked / ops;
  state.counters["checked_ns"] = checked / ops;
  state.counters["ratio"] = checked / unchecked;
  state.counters["extra_ns"] = (checked - unchecked) / ops;
}

/// The number of operator calls (RecordFunction's FUNCTION scope: each call through the
/// dispatcher, nested ones included) that `fn` makes on this thread. When checked, each is
/// one run of the layer's fallback.
template <typename Fn>
std::int64_t operator_calls(const Fn& fn) {
  static std::atomic<std::int64_t> calls{0};
  calls = 0;
  const auto handle = at::addThreadLocalCallback(
      at::RecordFunctionCallback(
          [](const at::RecordFunction&) -> std::unique_ptr<at::ObserverContext> {
            calls.fetch_add(1, std::memory_order_relaxed);
            return nullptr;
          })
          .scopes({at::RecordScope::FUNCTION}));
  fn();
  at::removeCallback(handle);
  return calls.load();
}

/// A training step made once per process (initialising the large one is slow), so
/// every repetition times the same tensors. Its module is watched, as a program that names
/// its parameters in reports would do: the parameters' storages are tracked and the
/// optimizer's updates are tracked writes; the other tensors are plain ones.
struct WatchedStep {
  explicit WatchedStep(bench::TrainStep made) : step(std::move(made)) {
    aliasguard::torch::watch(*step.net);
    step.step();  // the gradients and the optimizer's state exist from here on
  }
  bench::TrainStep step;
};

/// One training step per block.
void time_step(benchmark::State& state, bench::TrainStep& step) {
  state.counters["operator_calls"] = static_cast<double>(operator_calls([&] { step.step(); }));
  alternate(state, 1, [&] { benchmark::DoNotOptimize(step.step()); });
  state.counters["parameters"] = static_cast<double>(step.parameters());
}

void BM_TorchStepLarge(benchmark::State& state) {
  static WatchedStep large(bench::large_step());
  time_step(state, large.step);
}
// Two of its steps an iteration; the longer minimum time gives each repetition several.
BENCHMARK(BM_TorchStepLarge)->MinTime(2.0)->Unit(benchmark::kMillisecond);

void BM_TorchStepSmall(benchmark::State& state) {
  static WatchedStep small(bench::small_step());
  time_step(state, small.step);
}
BENCHMARK(BM_TorchStepSmall)->Unit(benchmark::kMicrosecond);

/// A module with one 64-float parameter, so that its storage can be watched.
struct OneParameter : torch::nn::Module {
  OneParameter() : p(register_parameter("p", torch::ones({64}))) {}
  torch::Tensor p;
};

// Operations per timed block of the per-call benchmarks: enough that reading the clock and
// switching the key twice are lost in it.
constexpr int kBlock = 1000;

enum Tracked : std::int64_t {
  kUntracked = 0,  // a plain tensor: no module or snapshot shares its storage
  kWatched = 1,    // a watched module's parameter: a tracked storage, its writes recorded
  kSnapshot = 2,   // the same while a state_dict() of the module is alive (a snapshot exists)
};

/// `a.add_(b, 0.5)` on 64 floats, under no-grad as an optimizer's update is.
void BM_TorchAdd64(benchmark::State& state) {
  torch::NoGradGuard no_grad;
  OneParameter module;
  const auto tracked = static_cast<Tracked>(state.range(0));
  const torch::Tensor a = tracked == kUntracked ? torch::ones({64}) : module.p;
  if (tracked != kUntracked) aliasguard::torch::watch(module);
  std::optional<aliasguard::torch::StateDict> snapshot;
  if (tracked == kSnapshot) snapshot = aliasguard::torch::state_dict(module);
  const torch::Tensor b = torch::ones({64});
  alternate(state, kBlock, [&] {
    for (int i = 0; i < kBlock; ++i) {
      a.add_(b, 0.5);
      benchmark::ClobberMemory();
    }
  });
}
BENCHMARK(BM_TorchAdd64)->ArgName("tracked")->Arg(kUntracked)->Arg(kWatched)->Arg(kSnapshot);

/// `view({8, 8})` of 64 floats, plain or a watched module's parameter (grad mode on, as in a
/// forward pass): a call the layer sees return a view (note_view), which for a tracked base
/// makes the view a handle of its own.
void BM_TorchView64(benchmark::State& state) {
  OneParameter module;
  const bool watched = state.range(0) == kWatched;
  const torch::Tensor a = watched ? module.p : torch::ones({64});
  if (watched) aliasguard::torch::watch(module);
  alternate(state, kBlock, [&] {
    for (int i = 0; i < kBlock; ++i) benchmark::DoNotOptimize(a.view({8, 8}));
  });
}
BENCHMARK(BM_TorchView64)->ArgName("tracked")->Arg(kUntracked)->Arg(kWatched);

/// An operator call that touches no values (`size(0)` through the dispatcher: aten::size is
/// one of the layer's metadata operators): the fallback's cost apart from the tracker.
void BM_TorchMetadataCall(benchmark::State& state) {
  const torch::Tensor a = torch::ones({64});
  alternate(state, kBlock, [&] {
    for (int i = 0; i < kBlock; ++i) benchmark::DoNotOptimize(at::_ops::size_int::call(a, 0));
  });
}
BENCHMARK(BM_TorchMetadataCall);

}  // namespace

int main(int argc, char** argv) {
  if (!aliasguard::torch::checking() || !c10::impl::tls_is_dispatch_key_included(kLayerKey)) {
    std::fprintf(stderr, "libtorch_layer_bench: the LibTorch layer is not on in this process (link "
                         "aliasguard::torch_checked); checked and unchecked would measure the same thing\n");
    return 1;
  }
  torch::set_num_threads(1);  // one intra-op thread, like bench/libtorch_bench.cpp
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
