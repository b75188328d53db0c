// REQUIRES: libtorch
// RUN: %check_aliasguard %s 'aliasguard-*' %t -- -I%torch_include
// Keeping "the best model so far" while training, reduced from public LibTorch projects.
// Copying a module by value or copying its holder copies tensor handles, not values: the
// copy keeps training with the original. nn::clone / ->clone() / torch::save copy values.

#include <torch/nn/cloneable.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>
#include <torch/serialize.h>
#include <torch/utils.h>

#include <limits>
#include <memory>

// A module held by value, as in StableNN before it moved to module holders.
struct Perceptron : torch::nn::Module {
  Perceptron() : lin(register_module("lin", torch::nn::Linear(2, 2))) {}
  torch::Tensor forward(const torch::Tensor &x) { return lin->forward(x); }
  torch::nn::Linear lin;
};

struct MlpImpl : torch::nn::Cloneable<MlpImpl> {
  MlpImpl() { reset(); }
  void reset() override { lin = register_module("lin", torch::nn::Linear(2, 2)); }
  torch::Tensor forward(const torch::Tensor &x) { return lin->forward(x); }
  torch::nn::Linear lin{nullptr};
};
TORCH_MODULE(Mlp);

double validation_loss(Perceptron &net);
double validation_loss(Mlp &net);
void evaluate(const Perceptron &net);

// Reduced from Thanduriel/StableNN, src/main.cpp at 862a633 (the best network is kept by
// copying a module held by value; the copy shares the Linear layers, so the "best" network
// evaluated at the end is the last one). Fixed upstream in 278d932 and 2324737 by cloning.
void PositiveValueModuleCopyKeptAsBest(const torch::Tensor &x, int epochs) {
  Perceptron net;
  Perceptron bestNet;
  torch::optim::Adam optimizer(net.parameters(), torch::optim::AdamOptions(1e-4));
  double bestLoss = std::numeric_limits<double>::max();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    optimizer.zero_grad();
    net.forward(x).sum().backward();
    optimizer.step();
    if (double loss = validation_loss(net); loss < bestLoss) {
      bestNet = net;
      bestLoss = loss;
    }
  }
  evaluate(bestNet);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'bestNet' is passed to 'evaluate' as a snapshot, but it shares storage with 'net', which changed after it was taken
}

// The same loop after StableNN's move to module holders (278d932), with the plain
// assignment the value version had: the holder copy is the same module.
void PositiveHolderCopyKeptAsBest(const torch::Tensor &x, int epochs) {
  Mlp net;
  Mlp bestNet;
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(1e-4));
  double bestLoss = std::numeric_limits<double>::max();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    optimizer.zero_grad();
    net->forward(x).sum().backward();
    optimizer.step();
    if (double loss = validation_loss(net); loss < bestLoss) {
      bestNet = net;
      bestLoss = loss;
    }
  }
  torch::save(bestNet, "net.pt");
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'bestNet' is passed to 'save' as a snapshot, but it shares storage with 'net', which changed after it was taken
}

// Thanduriel/StableNN, src/main.cpp at 278d932 (the fix: the best network is
// net->clone(), cast back to the holder type).
void NegativeCloneCastBackKeptAsBest(const torch::Tensor &x, int epochs) {
  Mlp net;
  Mlp bestNet;
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(1e-4));
  double bestLoss = std::numeric_limits<double>::max();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    optimizer.zero_grad();
    net->forward(x).sum().backward();
    optimizer.step();
    if (double loss = validation_loss(net); loss < bestLoss) {
      bestNet = Mlp(std::dynamic_pointer_cast<MlpImpl>(net->clone()));
      bestLoss = loss;
    }
  }
  torch::save(bestNet, "net.pt");
}

// Thanduriel/StableNN, src/nn/utils.hpp and src/main.cpp at 2324737 (a typed nn::clone
// helper; the best network is a clone).
template <typename Holder> Holder clone_holder(const Holder &module) {
  return Holder(std::dynamic_pointer_cast<typename Holder::Impl>(module->clone()));
}

void NegativeTypedCloneHelperKeptAsBest(const torch::Tensor &x, int epochs) {
  Mlp net;
  auto bestNet = clone_holder(net);
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(1e-4));
  double bestLoss = std::numeric_limits<double>::max();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    optimizer.zero_grad();
    net->forward(x).sum().backward();
    optimizer.step();
    if (double loss = validation_loss(net); loss < bestLoss) {
      bestNet = clone_holder(net);
      bestLoss = loss;
    }
  }
  torch::save(bestNet, "net.pt");
}

// The shared_ptr form of the holder copy: a std::shared_ptr<Module> to the trained module
// kept as "best" is the trained module itself.
void PositiveSharedPtrCopyKeptAsBest(const torch::Tensor &x, int epochs) {
  auto net = std::make_shared<MlpImpl>();
  std::shared_ptr<torch::nn::Module> best;
  torch::optim::SGD optimizer(net->parameters(), torch::optim::SGDOptions(0.1));
  double bestLoss = std::numeric_limits<double>::max();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    optimizer.zero_grad();
    net->forward(x).sum().backward();
    optimizer.step();
    Mlp holder(net);
    if (double loss = validation_loss(holder); loss < bestLoss) {
      best = net;
      bestLoss = loss;
    }
  }
  torch::save(best, "best.pt");
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'best' is passed to 'save' as a snapshot, but it shares storage with 'net', which changed after it was taken
}

// Reduced from pytorch/examples, cpp/dcgan/dcgan.cpp (checkpoints are written with
// torch::save while training and read back with torch::load before it): the file holds
// values, so nothing aliases.
void NegativeCheckpointSaveAndRestore(const torch::Tensor &x, int epochs, bool restore) {
  Mlp generator;
  torch::optim::Adam generator_optimizer(generator->parameters(),
                                         torch::optim::AdamOptions(2e-4));
  if (restore) {
    torch::load(generator, "generator-checkpoint.pt");
    torch::load(generator_optimizer, "generator-optimizer-checkpoint.pt");
  }
  for (int epoch = 0; epoch < epochs; ++epoch) {
    generator_optimizer.zero_grad();
    generator->forward(x).sum().backward();
    generator_optimizer.step();
    torch::save(generator, "generator-checkpoint.pt");
    torch::save(generator_optimizer, "generator-optimizer-checkpoint.pt");
  }
}
