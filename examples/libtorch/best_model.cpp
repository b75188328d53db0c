// The "best model" loop in LibTorch: train with Adam, keep the weights of the epoch with the
// lowest validation loss, restore them at the end. Kept as aliasguard::torch::state_dict(model)
// (--shallow, the default) the "best" weights share storage with the parameters, so every
// later Adam step overwrites them and the restore restores the last epoch: checked builds
// report a stale-snapshot-read at the load_state_dict line. With --deep the snapshot is
// deep_copy'd and the restore brings back the best epoch. The output is the same whether
// AliasGuard::torch or AliasGuard::torch_checked is linked; reports go to stderr.

#include <aliasguard/torch.h>
#include <torch/torch.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

namespace ag = aliasguard::torch;

/// A small two-layer regressor, large enough for its 32 training samples to overfit.
struct RegressorImpl : torch::nn::Module {
  RegressorImpl(std::int64_t in, std::int64_t hidden)
      : fc1(register_module("fc1", torch::nn::Linear(in, hidden))),
        fc2(register_module("fc2", torch::nn::Linear(hidden, 1))) {}
  torch::Tensor forward(const torch::Tensor& x) { return fc2->forward(torch::relu(fc1->forward(x))); }
  torch::nn::Linear fc1;
  torch::nn::Linear fc2;
};
TORCH_MODULE(Regressor);

namespace {

/// y = x . w + noise, with one fixed w for both sets.
struct Dataset {
  torch::Tensor x;
  torch::Tensor y;
};

Dataset make_dataset(const torch::Tensor& w, std::int64_t n) {
  torch::Tensor x = torch::randn({n, w.size(0)});
  return {x, x.matmul(w) + 0.3 * torch::randn({n, 1})};
}

double validation_loss(Regressor& model, const Dataset& val) {
  torch::NoGradGuard no_grad;
  return torch::mse_loss(model->forward(val.x), val.y).item<double>();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 2 ? argv[1] : "--shallow";
  if (argc > 2 || (mode != "--shallow" && mode != "--deep")) {
    std::fprintf(stderr, "usage: %s [--shallow|--deep]\n", argv[0]);
    return 2;
  }
  torch::manual_seed(0);
  const torch::Tensor w = torch::randn({8, 1});
  const Dataset train = make_dataset(w, 32);
  const Dataset val = make_dataset(w, 256);

  Regressor model(8, 64);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(0.01));

  ag::StateDict best;
  double best_loss = std::numeric_limits<double>::infinity();
  int best_epoch = -1;
  constexpr int kEpochs = 200;
  for (int epoch = 0; epoch < kEpochs; ++epoch) {
    optimizer.zero_grad();
    torch::Tensor loss = torch::mse_loss(model->forward(train.x), train.y);
    loss.backward();
    optimizer.step();
    const double loss_now = validation_loss(model, val);
    if (loss_now < best_loss) {
      best_loss = loss_now;
      best_epoch = epoch;
      // The bug and its fix: state_dict() shares storage with the parameters.
      best = mode == "--deep" ? ag::deep_copy(ag::state_dict(*model)) : ag::state_dict(*model);
    }
    if (epoch % 20 == 0 || epoch == kEpochs - 1)
      std::printf("epoch %3d: validation loss %.6f\n", epoch, loss_now);
  }
  std::printf("best epoch %d: validation loss %.6f\n", best_epoch, best_loss);

  ag::load_state_dict(*model, best);  // "restore the best weights"
  std::printf("final validation loss (restored best): %.6f\n", validation_loss(model, val));
  return 0;
}
