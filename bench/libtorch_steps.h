#pragma once
// The LibTorch training steps that bench/libtorch_layer_bench.cpp (checked against
// unchecked, one process) and bench/libtorch_step_bench.cpp (the same steps under ASan and
// TSan) both time, so the two programs measure one workload.

#include <torch/torch.h>

#include <cstdint>
#include <memory>

namespace bench {

/// A Linear/ReLU MLP with `widths` = {in, hidden..., out}.
inline torch::nn::Sequential mlp(std::initializer_list<std::int64_t> widths) {
  torch::nn::Sequential net;
  const std::int64_t* w = widths.begin();
  for (std::size_t i = 0; i + 1 < widths.size(); ++i) {
    if (i > 0) net->push_back(torch::nn::ReLU());
    net->push_back(torch::nn::Linear(w[i], w[i + 1]));
  }
  return net;
}

/// One network, its optimizer and a fixed batch: step() is forward, MSE loss, autograd
/// backward and the optimizer's update, what a LibTorch training loop does per batch.
struct TrainStep {
  TrainStep(torch::nn::Sequential network, std::unique_ptr<torch::optim::Optimizer> optim, std::int64_t batch,
            std::int64_t in, std::int64_t out)
      : net(std::move(network)),
        optimizer(std::move(optim)),
        x(torch::randn({batch, in})),
        target(torch::randn({batch, out})) {}

  /// The loss before the update (item() also waits for the step, like a loop that logs it).
  float step() {
    optimizer->zero_grad();
    torch::Tensor loss = torch::mse_loss(net->forward(x), target);
    loss.backward();
    optimizer->step();
    return loss.item<float>();
  }

  std::int64_t parameters() const {
    std::int64_t n = 0;
    for (const torch::Tensor& p : net->parameters()) n += p.numel();
    return n;
  }

  torch::nn::Sequential net;
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  torch::Tensor x;
  torch::Tensor target;
};

/// The large step: the MLP of ops_bench's training-step row, 1024 -> 4096 -> 4096 -> 1024
/// (25,175,040 float32 parameters), batch 16, SGD. Time goes into the matrix products.
inline TrainStep large_step() {
  torch::manual_seed(0);
  torch::nn::Sequential net = mlp({1024, 4096, 4096, 1024});
  auto sgd = std::make_unique<torch::optim::SGD>(net->parameters(), torch::optim::SGDOptions(1e-3));
  return TrainStep(net, std::move(sgd), 16, 1024, 1024);
}

/// The small step: 32 -> 64 -> 64 -> 8 (6,792 parameters), batch 8, Adam. Its kernels are
/// tiny, so much of its time goes into dispatching the operator calls: the case where a
/// per-call cost shows most.
inline TrainStep small_step() {
  torch::manual_seed(0);
  torch::nn::Sequential net = mlp({32, 64, 64, 8});
  auto adam = std::make_unique<torch::optim::Adam>(net->parameters(), torch::optim::AdamOptions(1e-3));
  return TrainStep(net, std::move(adam), 8, 32, 8);
}

}  // namespace bench
