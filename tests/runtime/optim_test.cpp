// optim::Optimizer and SGD against a plain scalar loop of torch.optim.SGD's rule, and once
// against numbers printed by PyTorch 1.13 itself.

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "aliasguard/aliasguard.h"
#include "tensor_test_fixture.h"

namespace aliasguard {
namespace {

using test::error_message;

struct Config {
  double lr;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
  optim::SGDOptions options() const {
    return optim::SGDOptions(lr).momentum(momentum).dampening(dampening).weight_decay(weight_decay).nesterov(nesterov);
  }
};

const Config kPlain{0.2};
const Config kMomentum{0.1, 0.9};
const Config kDampedDecay{0.1, 0.9, 0.25, 0.01};
const Config kNesterov{0.05, 0.8, 0.0, 0.1, true};

/// The gradient of element i at step t: varies in sign and size so every term matters.
double grad_at(int t, std::size_t i) { return std::sin(static_cast<double>(t) + static_cast<double>(i)); }

/// torch.optim.SGD's update, one scalar at a time, written out from the documented rule.
/// `has_grad(t, k)` says whether parameter k has a gradient at step t.
std::vector<std::vector<double>> reference_sgd(std::vector<std::vector<double>> params, const Config& c, int steps,
                                               bool (*has_grad)(int, std::size_t)) {
  std::vector<std::vector<double>> buf(params.size());
  for (int t = 0; t < steps; ++t) {
    for (std::size_t k = 0; k < params.size(); ++k) {
      if (!has_grad(t, k)) continue;
      const bool first = buf[k].empty();
      buf[k].resize(params[k].size());
      for (std::size_t i = 0; i < params[k].size(); ++i) {
        double& p = params[k][i];
        double d = grad_at(t, i + k);
        if (c.weight_decay != 0.0) d += c.weight_decay * p;
        if (c.momentum != 0.0) {
          buf[k][i] = first ? d : c.momentum * buf[k][i] + (1.0 - c.dampening) * d;
          d = c.nesterov ? d + c.momentum * buf[k][i] : buf[k][i];
        }
        p -= c.lr * d;
      }
    }
  }
  return params;
}

bool always(int, std::size_t) { return true; }
// The second parameter has no gradient on steps 1 and 3: it is skipped, buffer and all.
bool second_skips_odd_steps(int t, std::size_t k) { return k == 0 || t % 2 == 0; }

Tensor grad_tensor(int t, std::size_t k, std::size_t n, ScalarType dtype) {
  std::vector<double> g(n);
  for (std::size_t i = 0; i < n; ++i) g[i] = grad_at(t, i + k);
  return tensor(g, {static_cast<std::int64_t>(n)}, dtype);
}

void run_against_reference(const Config& c, ScalarType dtype, double tolerance, bool (*has_grad)(int, std::size_t)) {
  const std::vector<std::vector<double>> start = {{1.0, -2.0, 0.5}, {0.25, 3.0}};
  std::vector<Tensor> params;
  for (const auto& v : start) params.push_back(tensor(v, {static_cast<std::int64_t>(v.size())}, dtype));
  optim::SGD sgd(params, c.options());
  const int steps = 5;
  for (int t = 0; t < steps; ++t) {
    for (std::size_t k = 0; k < params.size(); ++k) {
      params[k].mutable_grad() = has_grad(t, k) ? grad_tensor(t, k, start[k].size(), dtype) : Tensor();
    }
    sgd.step();
  }
  const auto expected = reference_sgd(start, c, steps, has_grad);
  for (std::size_t k = 0; k < params.size(); ++k) {
    const std::vector<double> got = params[k].to_vector<double>();
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_NEAR(got[i], expected[k][i], tolerance) << "param " << k << " element " << i;
    }
  }
}

TEST(SGD, PlainMatchesTheReferenceLoop) { run_against_reference(kPlain, kFloat64, 1e-12, always); }
TEST(SGD, MomentumMatchesTheReferenceLoop) { run_against_reference(kMomentum, kFloat64, 1e-12, always); }
TEST(SGD, DampeningAndWeightDecayMatchTheReferenceLoop) {
  run_against_reference(kDampedDecay, kFloat64, 1e-12, always);
}
TEST(SGD, NesterovMatchesTheReferenceLoop) { run_against_reference(kNesterov, kFloat64, 1e-12, always); }
TEST(SGD, Float32MatchesTheReferenceLoop) {
  run_against_reference(kDampedDecay, kFloat32, 1e-5, always);
  run_against_reference(kNesterov, kFloat32, 1e-5, always);
}
TEST(SGD, ParametersWithoutGradAreSkippedBufferAndAll) {
  run_against_reference(kDampedDecay, kFloat64, 1e-12, second_skips_odd_steps);
  run_against_reference(kNesterov, kFloat64, 1e-12, second_skips_odd_steps);
}

TEST(SGD, MatchesNumbersPrintedByPyTorch) {
  // p = tensor([1., -2., .5], float64); 4 steps with p.grad = [sin(t + i) for i in 0..2];
  // torch.optim.SGD(p, **cfg), torch 1.13, values printed with %.17g.
  struct Case {
    Config config;
    std::vector<double> after;
  };
  const std::vector<Case> cases = {
      {kPlain, {0.62162231606131091, -2.2270171848771034, 0.63306186701710354}},
      {kMomentum, {0.58508285121419379, -2.4869340263457769, 0.38873399430524425}},
      {kDampedDecay, {0.68140608418664661, -2.4215000469950074, 0.33515825237879626}},
      {kNesterov, {0.70268549568012084, -2.1150703555896544, 0.48237896401006025}},
  };
  for (const Case& c : cases) {
    const Tensor p = tensor(std::vector<double>{1.0, -2.0, 0.5}, {3}, kFloat64);
    optim::SGD sgd({p}, c.config.options());
    for (int t = 0; t < 4; ++t) {
      p.mutable_grad() = grad_tensor(t, 0, 3, kFloat64);
      sgd.step();
    }
    const std::vector<double> got = p.to_vector<double>();
    for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(got[i], c.after[i], 1e-14) << "lr " << c.config.lr << " i " << i;
  }
}

TEST(SGD, UpdatesTheHandlesInPlaceAndNeverWritesTheGradient) {
  nn::Linear fc(2, 2);
  const std::uint64_t storage = fc.weight.storage_id();
  const Tensor old_weight = fc.weight.clone();
  optim::SGD sgd(fc.parameters(), optim::SGDOptions(0.5).momentum(0.9).weight_decay(0.1));
  ASSERT_EQ(sgd.parameters().size(), 2U);
  EXPECT_TRUE(sgd.parameters()[0].is_same(fc.weight));
  fc.weight.mutable_grad() = ones({2, 2});
  const Tensor grad = fc.weight.grad();
  sgd.step();
  EXPECT_EQ(fc.weight.storage_id(), storage);
  EXPECT_FALSE(fc.weight.equal(old_weight));
  EXPECT_EQ(grad.to_vector<float>(), std::vector<float>(4, 1.0f));
  EXPECT_FALSE(fc.bias.grad().defined());
}

TEST(SGD, MomentumBufferIsACopyOfTheFirstStepNotTheGradient) {
  const Tensor p = tensor(std::vector<double>{0.0}, {1}, kFloat64);
  optim::SGD sgd({p}, optim::SGDOptions(1.0).momentum(0.5));
  p.mutable_grad() = tensor(std::vector<double>{2.0}, {1}, kFloat64);
  sgd.step();  // buf = 2, p = -2
  p.grad().zero_();  // were buf the gradient's storage, it would now be 0
  sgd.step();  // buf = 0.5 * 2 + 0 = 1, p = -3
  EXPECT_DOUBLE_EQ(p.item<double>(), -3.0);
}

TEST(SGD, OptionsCanBeChangedBetweenSteps) {
  const Tensor p = tensor(std::vector<double>{1.0}, {1}, kFloat64);
  optim::SGD sgd({p}, optim::SGDOptions(0.5));
  p.mutable_grad() = tensor(std::vector<double>{1.0}, {1}, kFloat64);
  sgd.step();
  EXPECT_DOUBLE_EQ(p.item<double>(), 0.5);
  sgd.options().lr(0.25);
  EXPECT_DOUBLE_EQ(sgd.options().lr(), 0.25);
  sgd.step();
  EXPECT_DOUBLE_EQ(p.item<double>(), 0.25);
}

TEST(SGD, RejectsBadOptionsWithPyTorchsMessages) {
  const std::vector<Tensor> ps = {zeros({1})};
  EXPECT_EQ(error_message([&] { optim::SGD(ps, optim::SGDOptions(-1)); }), "Invalid learning rate: -1");
  EXPECT_EQ(error_message([&] { optim::SGD(ps, optim::SGDOptions(0.1).momentum(-1)); }),
            "Invalid momentum value: -1");
  EXPECT_EQ(error_message([&] { optim::SGD(ps, optim::SGDOptions(0.1).weight_decay(-0.5)); }),
            "Invalid weight_decay value: -0.5");
  EXPECT_EQ(error_message([&] { optim::SGD(ps, optim::SGDOptions(0.1).nesterov(true)); }),
            "Nesterov momentum requires a momentum and zero dampening");
  EXPECT_EQ(error_message([&] { optim::SGD(ps, optim::SGDOptions(0.1).momentum(0.9).dampening(0.1).nesterov(true)); }),
            "Nesterov momentum requires a momentum and zero dampening");
  EXPECT_NO_THROW(optim::SGD(ps, optim::SGDOptions(0.1).dampening(-1)));  // PyTorch accepts it too
}

TEST(Optimizer, RejectsEmptyUndefinedAndRepeatedParameters) {
  EXPECT_EQ(error_message([] { optim::SGD({}, optim::SGDOptions(0.1)); }), "optimizer got an empty parameter list");
  AG_EXPECT_ERROR_MENTIONS(optim::SGD({zeros({1}), Tensor()}, optim::SGDOptions(0.1)), "parameter 1", "undefined");
  const Tensor p = zeros({1});
  AG_EXPECT_ERROR_MENTIONS(optim::SGD({p, zeros({1}), p}, optim::SGDOptions(0.1)), "parameter 2", "same tensor");
  // A weight tied into two layers reaches the optimizer once through Module::parameters().
  nn::Module m("Tied");
  auto a = m.register_module("a", std::make_shared<nn::Linear>(2, 2));
  auto b = m.register_module("b", std::make_shared<nn::Module>("Holder"));
  b->register_parameter("weight", a->weight);
  EXPECT_NO_THROW(optim::SGD(m.parameters(), optim::SGDOptions(0.1)));
}

TEST(Optimizer, ZeroGradClearsOrZeroesInPlace) {
  nn::Linear fc(2, 2);
  optim::SGD sgd(fc.parameters(), optim::SGDOptions(0.1));
  fc.weight.mutable_grad() = ones({2, 2});
  const Tensor grad = fc.weight.grad();
  sgd.zero_grad(/*set_to_none=*/false);
  EXPECT_TRUE(fc.weight.grad().is_same(grad));
  EXPECT_EQ(grad.to_vector<float>(), std::vector<float>(4, 0.0f));
  EXPECT_FALSE(fc.bias.grad().defined()) << "no gradient is created";
  sgd.zero_grad();  // set_to_none by default, as in PyTorch 2.x and LibTorch
  EXPECT_FALSE(fc.weight.grad().defined());
  sgd.step();  // nothing has a gradient: a no-op, not an error
}

TEST(SGD, StepsParametersOnCuda) {
  if (!cuda::is_available()) GTEST_SKIP() << "no usable CUDA device";
  const Device gpu = Device::cuda(0);
  const Tensor p = tensor(std::vector<double>{1.0, -2.0, 0.5}, {3}, TensorOptions(kFloat64).device(gpu));
  optim::SGD sgd({p}, kNesterov.options());
  for (int t = 0; t < 4; ++t) {
    p.mutable_grad() = grad_tensor(t, 0, 3, kFloat64).to(gpu);
    sgd.step();
  }
  EXPECT_TRUE(p.is_cuda());
  const std::vector<double> got = p.to_vector<double>();
  const std::vector<double> want = {0.70268549568012084, -2.1150703555896544, 0.48237896401006025};
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(got[i], want[i], 1e-12);
}

}  // namespace
}  // namespace aliasguard
