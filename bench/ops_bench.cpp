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
// 64 .. 1M floats by 16x: bench/run.sh plots the checked/unchecked ratio against the size.
BENCHMARK(BM_AddInPlace)->RangeMultiplier(16)->Range(64, 1 << 20);

void BM_MulScalarInPlace(benchmark::State& state) {
  const ag::Tensor a = ag::ones({state.range(0)});
  for (auto _ : state) {
    a.mul_(1.0000001);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MulScalarInPlace)->RangeMultiplier(16)->Range(64, 1 << 20);

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
  /// `one_float`: ResNet-50's 161 keys, each holding a single float (the per-entry cost).
  explicit ResNet50Params(bool one_float = false) : Module("ResNet50Params") {
    for (const auto& [name, shape] : bench::resnet50_parameter_shapes()) {
      std::string key = name;
      for (char& c : key) c = c == '.' ? '_' : c;  // parameter names may not contain '.'
      register_parameter(key, one_float ? ag::ones({1}) : ag::ones(shape));
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

// The same calls on 161 one-float tensors: what the runtime costs per entry, apart from the
// bytes. On a GPU this host time, not the copy, bounds a dict of small tensors.
void BM_StateDictDeepCopyLoadPerEntry(benchmark::State& state) {
  ResNet50Params model(/*one_float=*/true);
  for (auto _ : state) {
    const ag::StateDict copy = ag::deep_copy(model.state_dict());
    model.load_state_dict(copy);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * 161);
}
BENCHMARK(BM_StateDictDeepCopyLoadPerEntry);

/// An MLP of 1024 -> 4096 -> 4096 -> 1024 (25,175,040 float32 parameters) trained with a
/// mean-squared-error loss, a backward pass written by hand and SGD: the workload on which
/// bench/table.py bounds the checked runtime's overhead.
struct Mlp {
  static constexpr std::int64_t kIn = 1024;
  static constexpr std::int64_t kHidden = 4096;
  static constexpr std::int64_t kOut = 1024;

  Mlp()
      : fc1(std::make_shared<ag::nn::Linear>(kIn, kHidden)),
        fc2(std::make_shared<ag::nn::Linear>(kHidden, kHidden)),
        fc3(std::make_shared<ag::nn::Linear>(kHidden, kOut)),
        net({fc1, std::make_shared<ag::nn::ReLU>(), fc2, std::make_shared<ag::nn::ReLU>(), fc3}),
        sgd(net.parameters(), ag::optim::SGDOptions(1e-3)) {}

  /// d(relu(z))/dz applied to `grad`, from h = relu(z): 1 where h > 0, 0 where z <= 0.
  static ag::Tensor relu_backward(const ag::Tensor& grad, const ag::Tensor& h) {
    return grad * (1 - h.eq(0).to(ag::kFloat32));
  }

  /// Sets the gradients of `layer` from its input `x` and the gradient `dy` of its output;
  /// returns the gradient of its input.
  static ag::Tensor linear_backward(ag::nn::Linear& layer, const ag::Tensor& x, const ag::Tensor& dy) {
    layer.weight.mutable_grad() = dy.t().matmul(x);
    layer.bias.mutable_grad() = dy.sum(0);
    return dy.matmul(layer.weight);
  }

  /// One training step on (x, target); returns the loss before the update.
  ag::Tensor step(const ag::Tensor& x, const ag::Tensor& target) {
    const ag::Tensor h1 = fc1->forward(x).relu();
    const ag::Tensor h2 = fc2->forward(h1).relu();
    const ag::Tensor out = fc3->forward(h2);
    const ag::Tensor diff = out - target;
    ag::Tensor loss = (diff * diff).mean();
    const ag::Tensor d_out = diff * (2.0 / static_cast<double>(diff.numel()));
    const ag::Tensor d_h2 = relu_backward(linear_backward(*fc3, h2, d_out), h2);
    const ag::Tensor d_h1 = relu_backward(linear_backward(*fc2, h1, d_h2), h1);
    linear_backward(*fc1, x, d_h1);
    sgd.step();
    sgd.zero_grad();
    return loss;
  }

  std::shared_ptr<ag::nn::Linear> fc1, fc2, fc3;
  ag::nn::Sequential net;
  ag::optim::SGD sgd;
};

void BM_MlpTrainStep(benchmark::State& state) {
  Mlp mlp;
  std::int64_t params = 0;
  for (const ag::Tensor& p : mlp.net.parameters()) params += p.numel();
  const ag::Tensor x = ag::randn({state.range(0), Mlp::kIn});
  const ag::Tensor target = ag::randn({state.range(0), Mlp::kOut});
  for (auto _ : state) benchmark::DoNotOptimize(mlp.step(x, target).item<float>());
  state.counters["parameters"] = static_cast<double>(params);
  state.counters["batch"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_MlpTrainStep)->Arg(16)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
