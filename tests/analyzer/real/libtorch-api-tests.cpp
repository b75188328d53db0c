// REQUIRES: libtorch
// RUN: %check_aliasguard %s 'aliasguard-*' %t -- -I%torch_include
// LibTorch's own C++ API tests and tutorials, reduced. These keep parameter handles on
// purpose: to assign exact initial values, to read the live values an optimizer produced,
// to perturb a model and show that its clone() is distinct, to compare models after a
// save/load round trip. All are intended; the checks must stay silent.

#include <torch/nn/cloneable.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/sgd.h>
#include <torch/serialize.h>
#include <torch/utils.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

// Reduced from pytorch/pytorch, test/cpp/api/optim.cpp (assign_parameter: a test gives a
// model exact starting values through the dict from named_parameters()).
template <typename Parameters>
void assign_parameter(const Parameters &parameters, const char *name, torch::Tensor value) {
  auto parameter = parameters[name];
  parameter.set_requires_grad(false);
  parameter.flatten().copy_(value);
  parameter.set_requires_grad(true);
}

// Reduced from pytorch/pytorch, test/cpp/api/optim.cpp (check_exact_values: the
// optimizer is built from the same dict's values, and after each step the test compares
// those live parameters with PyTorch's numbers).
bool NegativeExactInitialValuesThenCompareLive(const std::vector<torch::Tensor> &expected) {
  torch::nn::Sequential model(torch::nn::Linear(2, 1));
  auto parameters = model->named_parameters();
  assign_parameter(parameters, "0.weight", torch::tensor({-0.2109, -0.4976}));
  assign_parameter(parameters, "0.bias", torch::tensor({-0.1085}));
  torch::optim::SGD optimizer(parameters.values(), torch::optim::SGDOptions(0.1));
  auto input = torch::tensor({0.1, 0.2, 0.3, 0.4}).reshape({2, 2});
  for (size_t i = 0; i < expected.size(); ++i) {
    optimizer.zero_grad();
    model->forward(input).sum().backward();
    optimizer.step();
    if (!parameters[0]->flatten().allclose(expected[i]))
      return false;
  }
  return true;
}

// Reduced from pytorch/pytorch, test/cpp/api/optim.cpp (ExternalVectorOfParameters:
// originals are clone()d before the step and compared after it).
bool NegativeClonedOriginalsBeforeStep() {
  std::vector<torch::Tensor> parameters = {torch::randn({2, 2}), torch::randn({3, 3})};
  std::vector<torch::Tensor> original = {parameters[0].clone(), parameters[1].clone()};
  for (auto &parameter : parameters)
    parameter.mutable_grad() = torch::ones_like(parameter);
  torch::optim::SGD optimizer(parameters, 1.0);
  optimizer.step();
  return parameters[0].allclose(original[0] - 1.0) && parameters[1].allclose(original[1] - 1.0);
}

struct TwoLayerImpl : torch::nn::Cloneable<TwoLayerImpl> {
  TwoLayerImpl() { reset(); }
  void reset() override {
    l1 = register_module("l1", torch::nn::Linear(10, 3));
    l2 = register_module("l2", torch::nn::Linear(3, 5));
    buffer = register_buffer("buf", torch::ones({2, 2}));
  }
  torch::nn::Linear l1{nullptr}, l2{nullptr};
  torch::Tensor buffer;
};

// Reduced from pytorch/pytorch, test/cpp/api/module.cpp (CloneCreatesDistinctParameters /
// testDistinctParameters: the original is perturbed on purpose through its own
// named_parameters(), and the clone must no longer match it).
bool NegativePerturbOriginalToShowCloneIsDistinct() {
  auto module = std::make_shared<TwoLayerImpl>();
  torch::NoGradGuard no_grad;
  auto module2 = module->clone();
  auto params1 = module->named_parameters();
  auto params2 = module2->named_parameters();
  for (auto &param : params1) {
    if (!param->allclose(params2[param.key()]))
      return false;
    param->add_(2);
  }
  for (auto &param : params1)
    if (param->allclose(params2[param.key()]))
      return false;
  auto buffers1 = module->named_buffers();
  auto buffers2 = module2->named_buffers();
  for (auto &buffer : buffers1)
    buffer->add_(2);
  for (auto &buffer : buffers1)
    if (buffer->allclose(buffers2[buffer.key()]))
      return false;
  return true;
}

// Reduced from pytorch/pytorch, test/cpp/api/serialize.cpp (Optim: three Linear models
// made equal with torch::save/torch::load, trained through a lambda that takes the holder
// by value, then compared through named_parameters() taken afresh after training).
bool NegativeCompareFreshHandlesAfterTraining() {
  torch::nn::Linear model1(5, 2), model2(5, 2);
  torch::save(model1, "model.pt");
  torch::load(model2, "model.pt");
  auto param1 = model1->named_parameters();
  auto param2 = model2->named_parameters();
  for (const auto &p : param1)
    if (!p->allclose(param2[p.key()]))
      return false;
  torch::optim::SGD optim1(model1->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  auto x = torch::ones({10, 5});
  auto step = [&x](torch::optim::Optimizer &optimizer, torch::nn::Linear model) {
    optimizer.zero_grad();
    model->forward(x).sum().backward();
    optimizer.step();
  };
  step(optim1, model1);
  param1 = model1->named_parameters();
  param2 = model2->named_parameters();
  for (const auto &p : param1)
    if (param1[p.key()].norm().item<float>() == param2[p.key()].norm().item<float>())
      return false;
  return true;
}

// Reduced from prabhuomkar/pytorch-cpp, tutorials/intermediate/language_model/src/
// clip_grad_norm.cpp (clip_grad_l2_norm scales each parameter's *gradient* in place).
void NegativeClipGradientNorm(std::vector<torch::Tensor> parameters, double max_norm) {
  double total = 0.0;
  for (const auto &param : parameters)
    if (param.grad().defined())
      total += std::pow(param.grad().data().norm(2.0).item<double>(), 2.0);
  double clip_coef = max_norm / (std::sqrt(total) + 1e-6);
  if (clip_coef < 1)
    for (auto &param : parameters)
      if (param.grad().defined())
        param.grad().data().mul_(clip_coef);
}

// Gradient accumulation over micro-batches: the optimizer steps once per `accumulate`
// backward passes; no handle is kept across the step.
void NegativeGradientAccumulation(torch::nn::Linear &model, const std::vector<torch::Tensor> &xs,
                                  int accumulate) {
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.01));
  optimizer.zero_grad();
  for (size_t i = 0; i < xs.size(); ++i) {
    (model->forward(xs[i]).sum() / accumulate).backward();
    if ((i + 1) % accumulate == 0) {
      optimizer.step();
      optimizer.zero_grad();
    }
  }
}
