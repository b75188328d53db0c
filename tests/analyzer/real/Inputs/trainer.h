// Reduced from Thanduriel/StableNN, src/nn/train.hpp (a class template that trains a
// network held in a module holder and keeps the best one by validation loss, then saves
// it). Train() is the upstream form, which keeps a clone; TrainKeepingHolderCopy() is the
// form StableNN's first version had (src/main.cpp at 862a633: `bestNet = net;`), written in
// this template: the copied holder is the trained module, so the saved "best" network is
// the last one.
#ifndef REAL_INPUTS_TRAINER_H
#define REAL_INPUTS_TRAINER_H

#include <torch/nn/module.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include <limits>
#include <memory>
#include <string>

template <typename Holder> Holder clone_module(const Holder &module) {
  return Holder(std::dynamic_pointer_cast<typename Holder::Impl>(module->clone()));
}

template <typename Network> struct Trainer {
  double Train(Network net, const torch::Tensor &x, int epochs, const std::string &name);
  double TrainKeepingHolderCopy(Network net, const torch::Tensor &x, int epochs,
                                const std::string &name);
};

template <typename Network>
double Trainer<Network>::Train(Network net, const torch::Tensor &x, int epochs,
                               const std::string &name) {
  auto bestNet = clone_module(net);
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(6e-4));
  double bestValidLoss = std::numeric_limits<double>::max();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    optimizer.zero_grad();
    net->forward(x).sum().backward();
    optimizer.step();
    const double validLoss = net->forward(x).sum().template item<double>();
    if (validLoss < bestValidLoss) {
      bestNet = clone_module(net);
      bestValidLoss = validLoss;
    }
  }
  torch::save(bestNet, name);
  return bestValidLoss;
}

template <typename Network>
double Trainer<Network>::TrainKeepingHolderCopy(Network net, const torch::Tensor &x,
                                                int epochs, const std::string &name) {
  Network bestNet = net;
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(6e-4));
  double bestValidLoss = std::numeric_limits<double>::max();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    optimizer.zero_grad();
    net->forward(x).sum().backward();
    optimizer.step();
    const double validLoss = net->forward(x).sum().template item<double>();
    if (validLoss < bestValidLoss) {
      bestNet = net;
      bestValidLoss = validLoss;
    }
  }
  torch::save(bestNet, name);
  return bestValidLoss;
}

#endif
