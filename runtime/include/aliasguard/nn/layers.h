#pragma once
/// \file Linear, ReLU and Sequential.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "aliasguard/nn/module.h"

namespace aliasguard::nn {

/// y = x W^T + b, initialised like torch.nn.Linear (kaiming_uniform_(a=sqrt(5)) for W,
/// U(-1/sqrt(in), 1/sqrt(in)) for b).
class Linear : public Module {
 public:
  Linear(std::int64_t in_features, std::int64_t out_features, bool bias = true);
  /// Draws fresh initial values from the default generator.
  void reset_parameters();
  Tensor forward(const Tensor& input) override;

  std::int64_t in_features;
  std::int64_t out_features;
  Tensor weight;
  Tensor bias;  // undefined when built with bias = false
};

/// max(x, 0).
class ReLU : public Module {
 public:
  ReLU();
  Tensor forward(const Tensor& input) override;
};

/// Runs its children in order; they are named "0", "1", ...
class Sequential : public Module {
 public:
  Sequential();
  Sequential(std::initializer_list<std::shared_ptr<Module>> modules);
  template <class M> std::shared_ptr<M> push_back(std::shared_ptr<M> module) {
    // Register first: if it throws (null module, cycle), modules_ stays in step with children.
    register_module(std::to_string(modules_.size()), module);
    modules_.push_back(module);
    return module;
  }
  std::size_t size() const { return modules_.size(); }
  const std::shared_ptr<Module>& operator[](std::size_t index) const;
  Tensor forward(const Tensor& input) override;

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

}  // namespace aliasguard::nn
