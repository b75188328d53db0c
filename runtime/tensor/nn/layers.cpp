// Linear, ReLU and Sequential.

#include "aliasguard/nn/layers.h"

#include <cmath>
#include <string>

#include "aliasguard/error.h"
#include "aliasguard/generator.h"

namespace aliasguard::nn {

Linear::Linear(std::int64_t in, std::int64_t out, bool with_bias)
    : Module("Linear"), in_features(in), out_features(out) {
  if (in < 0 || out < 0) {
    throw Error("Linear(" + std::to_string(in) + ", " + std::to_string(out) +
                "): in_features and out_features must not be negative");
  }
  weight = register_parameter("weight", empty({out, in}));
  if (with_bias) bias = register_parameter("bias", empty({out}));
  reset_parameters();
}

// torch.nn.Linear draws W with kaiming_uniform_(a=sqrt(5)): gain sqrt(2 / (1 + 5)) times
// sqrt(3 / fan_in) is exactly 1/sqrt(fan_in), so both draws use the same bound. PyTorch
// skips initialising zero-element tensors and uses bound 0 for the bias when fan_in is 0.
void Linear::reset_parameters() {
  const double bound = in_features > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features)) : 0.0;
  if (weight.numel() > 0) weight.uniform_(-bound, bound, &default_generator());
  if (bias.defined()) bias.uniform_(-bound, bound, &default_generator());
}

Tensor Linear::forward(const Tensor& input) {
  Tensor out = input.matmul(weight.t());
  return bias.defined() ? out + bias : out;
}

ReLU::ReLU() : Module("ReLU") {}

Tensor ReLU::forward(const Tensor& input) { return input.relu(); }

Sequential::Sequential() : Module("Sequential") {}

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) : Sequential() {
  for (const std::shared_ptr<Module>& m : modules) push_back(m);
}

const std::shared_ptr<Module>& Sequential::operator[](std::size_t index) const {
  if (index >= modules_.size()) {
    throw Error("Sequential index " + std::to_string(index) + " is out of range (it holds " +
                std::to_string(modules_.size()) + " modules)");
  }
  return modules_[index];
}

// An empty Sequential returns its input, as torch.nn.Sequential does (LibTorch throws).
Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (const std::shared_ptr<Module>& m : modules_) x = m->forward(x);
  return x;
}

}  // namespace aliasguard::nn
