// nn::Module, Linear, ReLU, Sequential. Orders and names are the ones PyTorch 1.13 gives for
// the same module tree (checked with torch.nn; the Python is quoted where it matters).

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

Tensor f32(std::vector<float> values, Shape shape) { return tensor(values, shape); }

// Python twin: register_buffer('b0'), fc = Linear(2, 2), p0 = Parameter(ones(1)),
// body = Sequential(Linear(2, 3), ReLU(), Linear(3, 1)).
struct Net : nn::Module {
  Net() : Module("Net") {
    b0 = register_buffer("b0", zeros({1}));
    fc = register_module("fc", std::make_shared<nn::Linear>(2, 2));
    p0 = register_parameter("p0", ones({1}));
    body = register_module("body", std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
                                       std::make_shared<nn::Linear>(2, 3), std::make_shared<nn::ReLU>(),
                                       std::make_shared<nn::Linear>(3, 1)}));
  }
  Tensor b0, p0;
  std::shared_ptr<nn::Linear> fc;
  std::shared_ptr<nn::Sequential> body;
};

// Python twin: fc, fc2 with fc2.weight = fc.weight, and `again` = the same module as fc.
struct Tied : nn::Module {
  Tied() : Module("Tied") {
    fc = register_module("fc", std::make_shared<nn::Linear>(2, 2));
    fc2 = register_module("fc2", std::make_shared<TiedLinear>(fc->weight));
    register_module("again", fc);
  }
  struct TiedLinear : nn::Module {
    explicit TiedLinear(const Tensor& w) : Module("TiedLinear") {
      weight = register_parameter("weight", w);
      bias = register_parameter("bias", zeros({2}));
    }
    Tensor weight, bias;
  };
  std::shared_ptr<nn::Linear> fc;
  std::shared_ptr<TiedLinear> fc2;
};

const std::vector<std::string> kNetStateKeys = {"p0",          "b0",          "fc.weight",     "fc.bias",
                                                "body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias"};

TEST(ModuleRegistration, StoresTheHandleItselfAndSetsRequiresGrad) {
  nn::Module m;
  const Tensor w = zeros({2});
  Tensor& stored = m.register_parameter("w", w);
  EXPECT_TRUE(stored.is_same(w));
  EXPECT_TRUE(w.requires_grad());
  const Tensor frozen = zeros({2});
  m.register_parameter("frozen", frozen, /*requires_grad=*/false);
  EXPECT_FALSE(frozen.requires_grad());
  const Tensor b = zeros({2});
  EXPECT_TRUE(m.register_buffer("b", b).is_same(b));
  EXPECT_FALSE(b.requires_grad());
  EXPECT_EQ(m.name(), "Module");
}

TEST(ModuleRegistration, RejectsBadNamesAndUndefinedTensors) {
  nn::Module m("Custom");
  m.register_parameter("w", zeros({1}));
  m.register_module("child", std::make_shared<nn::ReLU>());
  const std::string empty_msg = error_message([&] { m.register_parameter("", zeros({1})); });
  EXPECT_NE(empty_msg.find("Custom"), std::string::npos) << empty_msg;
  EXPECT_NE(empty_msg.find("must not be empty"), std::string::npos) << empty_msg;
  AG_EXPECT_ERROR_MENTIONS(m.register_buffer("a.b", zeros({1})), "'a.b'", "'.'");
  AG_EXPECT_ERROR_MENTIONS(m.register_module("x.y", std::make_shared<nn::ReLU>()), "'x.y'", "'.'");
  AG_EXPECT_ERROR_MENTIONS(m.register_parameter("w", zeros({1})), "'w'", "parameter", "already registered");
  AG_EXPECT_ERROR_MENTIONS(m.register_buffer("w", zeros({1})), "'w'", "already registered");
  AG_EXPECT_ERROR_MENTIONS(m.register_parameter("child", zeros({1})), "submodule", "already registered");
  AG_EXPECT_ERROR_MENTIONS(m.register_parameter("u", Tensor()), "'u'", "undefined");
  AG_EXPECT_ERROR_MENTIONS(m.register_buffer("u", Tensor()), "'u'", "undefined");
  AG_EXPECT_ERROR_MENTIONS(m.register_module("n", std::shared_ptr<nn::Module>()), "'n'", "null");
  AG_EXPECT_ERROR_MENTIONS(m.register_parameter("i", zeros({1}, kInt64)), "floating");
  // Nothing half-registered by the failures.
  EXPECT_EQ(m.named_parameters().keys(), std::vector<std::string>{"w"});
  EXPECT_TRUE(m.named_buffers().is_empty());
  EXPECT_EQ(m.named_children().keys(), std::vector<std::string>{"child"});
}

TEST(ModuleRegistration, RejectsCycles) {
  auto outer = std::make_shared<nn::Sequential>();
  auto inner = std::make_shared<nn::Sequential>();
  outer->push_back(inner);
  AG_EXPECT_ERROR_MENTIONS(inner->push_back(outer), "cycle");
  AG_EXPECT_ERROR_MENTIONS(inner->register_module("self", inner), "cycle");
  EXPECT_EQ(inner->size(), 0U);
  EXPECT_TRUE(inner->children().empty());
}

TEST(ModuleTraversal, NamedParametersBuffersChildrenInPyTorchOrder) {
  Net net;
  // [k for k, _ in m.named_parameters()]
  EXPECT_EQ(net.named_parameters().keys(),
            (std::vector<std::string>{"p0", "fc.weight", "fc.bias", "body.0.weight", "body.0.bias",
                                      "body.2.weight", "body.2.bias"}));
  EXPECT_EQ(net.named_parameters(/*recurse=*/false).keys(), std::vector<std::string>{"p0"});
  EXPECT_EQ(net.named_buffers().keys(), std::vector<std::string>{"b0"});
  EXPECT_TRUE(net.body->named_buffers().is_empty());
  EXPECT_EQ(net.named_children().keys(), (std::vector<std::string>{"fc", "body"}));
  EXPECT_EQ(net.named_modules().keys(),
            (std::vector<std::string>{"", "fc", "body", "body.0", "body.1", "body.2"}));
  EXPECT_EQ(net.named_modules().at(""), &net);
  EXPECT_EQ(net.named_modules().at("body.1"), (*net.body)[1].get());
  EXPECT_EQ(net.named_modules().at("body.2")->name(), "Linear");
}

TEST(ModuleTraversal, ParametersAreTheHandlesThemselves) {
  Net net;
  const std::vector<Tensor> params = net.parameters();
  ASSERT_EQ(params.size(), 7U);
  EXPECT_TRUE(params[0].is_same(net.p0));
  EXPECT_TRUE(params[1].is_same(net.fc->weight));
  EXPECT_TRUE(net.named_parameters().at("fc.bias").is_same(net.fc->bias));
  EXPECT_EQ(net.parameters(false).size(), 1U);
  // Writing through the list trains the model: they are not copies.
  params[1].fill_(3.0f);
  EXPECT_EQ(net.fc->weight.to_vector<float>(), std::vector<float>(4, 3.0f));
  ASSERT_EQ(net.buffers().size(), 1U);
  EXPECT_TRUE(net.buffers()[0].is_same(net.b0));
  EXPECT_TRUE(net.buffers(false)[0].is_same(net.b0));
  const auto kids = net.children();
  ASSERT_EQ(kids.size(), 2U);
  EXPECT_EQ(kids[0], net.fc);
  EXPECT_EQ(kids[1], net.body);
}

TEST(ModuleTraversal, TiedWeightsAndSharedModulesListedOnceButSavedUnderEveryPath) {
  Tied m;
  // PyTorch: named_parameters ['fc.weight', 'fc.bias', 'fc2.bias']; named_modules
  // ['', 'fc', 'fc2']; state_dict keys include 'again.weight', 'again.bias'.
  EXPECT_EQ(m.named_parameters().keys(), (std::vector<std::string>{"fc.weight", "fc.bias", "fc2.bias"}));
  EXPECT_EQ(m.parameters().size(), 3U);
  EXPECT_EQ(m.named_modules().keys(), (std::vector<std::string>{"", "fc", "fc2"}));
  EXPECT_EQ(m.named_children().keys(), (std::vector<std::string>{"fc", "fc2"}));
  const StateDict sd = m.state_dict();
  EXPECT_EQ(sd.keys(), (std::vector<std::string>{"fc.weight", "fc.bias", "fc2.weight", "fc2.bias", "again.weight",
                                                 "again.bias"}));
  EXPECT_FALSE(sd.at("fc.weight").is_same(sd.at("fc2.weight")));  // `is` is False in PyTorch
  EXPECT_TRUE(sd.at("fc.weight").is_alias_of(sd.at("fc2.weight")));
}

TEST(ModuleStateDict, KeysInPyTorchOrder) {
  Net net;
  // list(m.state_dict().keys()) for the Python twin.
  EXPECT_EQ(net.state_dict().keys(), kNetStateKeys);
}

TEST(ModuleStateDict, EntriesAreNewDetachedHandlesOnTheParameterStorage) {
  Net net;
  const StateDict sd = net.state_dict();
  const Tensor& w = sd.at("fc.weight");
  EXPECT_FALSE(w.is_same(net.fc->weight));
  EXPECT_TRUE(w.is_alias_of(net.fc->weight));
  EXPECT_EQ(w.storage_offset(), net.fc->weight.storage_offset());
  EXPECT_EQ(w.strides(), net.fc->weight.strides());
  EXPECT_FALSE(w.requires_grad());
  EXPECT_TRUE(net.fc->weight.requires_grad());
  EXPECT_TRUE(sd.at("b0").is_alias_of(net.b0));

  // The aliasing bug this project is about: writing the "snapshot" writes the model.
  w.fill_(7.0f);
  EXPECT_EQ(net.fc->weight.to_vector<float>(), std::vector<float>(4, 7.0f));
  sd.at("b0") += 2.0f;
  EXPECT_EQ(net.b0.to_vector<float>(), std::vector<float>{2.0f});
}

TEST(ModuleDevice, ToSameDeviceIsANoOp) {
  Net net;
  const StateDict before = net.state_dict();
  net.fc->weight.mutable_grad() = ones({2, 2});
  const Tensor grad = net.fc->weight.grad();
  const std::uint64_t weight_storage = net.fc->weight.storage_id();
  net.to(Device::cpu());
  EXPECT_EQ(net.fc->weight.storage_id(), weight_storage);
  EXPECT_TRUE(net.fc->weight.grad().is_same(grad));
  for (const auto& [key, t] : before) EXPECT_TRUE(t.is_alias_of(net.state_dict().at(key))) << key;
}

TEST(ModuleDevice, ToUnusableDeviceThrowsAndLeavesTheModule) {
  Net net;
  const std::uint64_t weight_storage = net.fc->weight.storage_id();
  const Device bad = Device::cuda(cuda::device_count() + 3);
  EXPECT_THROW(net.to(bad), Error);
  EXPECT_EQ(net.fc->weight.storage_id(), weight_storage);
  for (const Tensor& t : net.parameters()) EXPECT_TRUE(t.device().is_cpu());
}

TEST(ModuleDevice, ToCudaReplacesStorageInPlace) {
  if (!cuda::is_available()) GTEST_SKIP() << "no usable CUDA device";
  Tied m;
  const Tensor user_copy = m.fc->weight;  // a member copy: same handle
  const StateDict old = m.state_dict();
  const std::vector<float> values = m.fc->weight.to_vector<float>();
  m.fc->bias.mutable_grad() = full({2}, 0.5f);
  const Tensor grad = m.fc->bias.grad();

  m.to(Device::cuda(0));
  EXPECT_TRUE(user_copy.is_cuda());
  EXPECT_TRUE(user_copy.is_same(m.fc->weight));
  EXPECT_EQ(user_copy.to_vector<float>(), values);
  EXPECT_TRUE(m.fc2->weight.is_alias_of(m.fc->weight)) << "tied weights stay tied";
  EXPECT_TRUE(grad.is_cuda()) << "grads move with their parameter, in place";
  EXPECT_EQ(grad.to_vector<float>(), std::vector<float>(2, 0.5f));
  // Earlier state_dicts keep the old storage, as in PyTorch.
  EXPECT_TRUE(old.at("fc.weight").device().is_cpu());
  EXPECT_FALSE(old.at("fc.weight").is_alias_of(m.fc->weight));
  EXPECT_TRUE(m.state_dict().at("fc.weight").is_cuda());

  const Tensor out = m.fc->forward(ones({3, 2}, Device::cuda(0)));
  EXPECT_TRUE(out.is_cuda());
  m.to(Device::cpu());
  EXPECT_TRUE(user_copy.device().is_cpu());
  EXPECT_EQ(user_copy.to_vector<float>(), values);
}

TEST(ModuleMode, TrainAndEvalReachEveryDescendant) {
  Net net;
  EXPECT_TRUE(net.is_training());
  net.eval();
  EXPECT_FALSE(net.is_training());
  EXPECT_FALSE(net.fc->is_training());
  EXPECT_FALSE((*net.body)[2]->is_training());
  net.train();
  EXPECT_TRUE((*net.body)[1]->is_training());
  net.body->train(false);
  EXPECT_TRUE(net.is_training());
  EXPECT_FALSE((*net.body)[0]->is_training());
}

TEST(ModuleGrad, ZeroGradClearsOrZeroesEveryParameter) {
  Net net;
  for (const Tensor& p : net.parameters()) p.mutable_grad() = ones(p.sizes());
  const Tensor fc_grad = net.fc->weight.grad();
  net.zero_grad(/*set_to_none=*/false);
  EXPECT_TRUE(net.fc->weight.grad().is_same(fc_grad)) << "zeroed in place";
  EXPECT_EQ(fc_grad.to_vector<float>(), std::vector<float>(4, 0.0f));
  for (const Tensor& p : net.parameters()) EXPECT_TRUE(p.grad().defined());
  net.zero_grad();
  for (const Tensor& p : net.parameters()) EXPECT_FALSE(p.grad().defined());
  EXPECT_NO_THROW(net.zero_grad(false));  // nothing to zero
}

TEST(ModuleForward, DefaultForwardNamesTheClass) {
  Net net;
  AG_EXPECT_ERROR_MENTIONS(net.forward(ones({1, 2})), "Module [Net]", "forward");
  nn::Module plain;
  AG_EXPECT_ERROR_MENTIONS(plain.forward(ones({1})), "Module [Module]");
}

TEST(Linear, ShapesAndParameters) {
  nn::Linear fc(3, 4);
  EXPECT_EQ(fc.name(), "Linear");
  EXPECT_EQ(fc.in_features, 3);
  EXPECT_EQ(fc.out_features, 4);
  EXPECT_EQ(fc.weight.sizes(), (Shape{4, 3}));
  EXPECT_EQ(fc.bias.sizes(), (Shape{4}));
  EXPECT_TRUE(fc.weight.requires_grad());
  EXPECT_EQ(fc.state_dict().keys(), (std::vector<std::string>{"weight", "bias"}));
  nn::Linear no_bias(3, 4, /*bias=*/false);
  EXPECT_FALSE(no_bias.bias.defined());
  EXPECT_EQ(no_bias.state_dict().keys(), std::vector<std::string>{"weight"});
  AG_EXPECT_ERROR_MENTIONS(nn::Linear(-1, 2), "Linear(-1, 2)", "negative");
}

TEST(Linear, InitIsUniformWithinOneOverSqrtInFeatures) {
  manual_seed(0);
  nn::Linear fc(16, 64);
  const double bound = 1.0 / std::sqrt(16.0);
  for (const Tensor& p : {fc.weight, fc.bias}) {
    const std::vector<float> v = p.to_vector<float>();
    float lo = 1.0f, hi = -1.0f;
    for (float x : v) {
      EXPECT_LE(std::fabs(x), bound);
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
    // 1024 and 64 uniform draws: the extremes come close to the bound on both sides.
    EXPECT_LT(lo, -0.7 * bound);
    EXPECT_GT(hi, 0.7 * bound);
  }
}

TEST(Linear, InitFollowsTheDefaultGeneratorAndResetRedraws) {
  manual_seed(42);
  nn::Linear a(5, 3);
  manual_seed(42);
  nn::Linear b(5, 3);
  EXPECT_TRUE(a.weight.equal(b.weight));
  EXPECT_TRUE(a.bias.equal(b.bias));
  const std::uint64_t storage = a.weight.storage_id();
  const Tensor old = a.weight.clone();
  a.reset_parameters();
  EXPECT_EQ(a.weight.storage_id(), storage) << "reset writes in place";
  EXPECT_FALSE(a.weight.equal(old));
}

TEST(Linear, ForwardIsInputTimesWeightTransposedPlusBias) {
  nn::Linear fc(2, 3);
  fc.weight.copy_(f32({1, 2, 3, 4, 5, 6}, {3, 2}));
  fc.bias.copy_(tensor({0.5f, -1, 2}));
  const Tensor x = f32({1, -1, 2, 0.5f}, {2, 2});
  // Row r of the output: sum_k x[r][k] * W[o][k] + b[o], by hand.
  const std::vector<float> expected = {1 - 2 + 0.5f, 3 - 4 - 1, 5 - 6 + 2, 2 + 1 + 0.5f, 6 + 2 - 1, 10 + 3 + 2};
  const Tensor y = fc.forward(x);
  EXPECT_EQ(y.sizes(), (Shape{2, 3}));
  EXPECT_EQ(y.to_vector<float>(), expected);
  nn::Linear no_bias(2, 3, false);
  no_bias.weight.copy_(fc.weight);
  EXPECT_EQ(no_bias.forward(x).to_vector<float>(),
            (std::vector<float>{1 - 2, 3 - 4, 5 - 6, 2 + 1, 6 + 2, 10 + 3}));
  EXPECT_THROW(fc.forward(ones({2, 3})), Error);
}

TEST(ReLU, ForwardClampsNegatives) {
  nn::ReLU relu;
  EXPECT_EQ(relu.name(), "ReLU");
  EXPECT_TRUE(relu.parameters().empty());
  EXPECT_EQ(relu.forward(tensor({-1, 0, 2.5f})).to_vector<float>(), (std::vector<float>{0, 0, 2.5f}));
}

TEST(Sequential, ChildrenAreNumberedAndForwardChains) {
  auto l1 = std::make_shared<nn::Linear>(2, 2, false);
  auto l2 = std::make_shared<nn::Linear>(2, 1);
  nn::Sequential seq{l1, std::make_shared<nn::ReLU>()};
  EXPECT_EQ(seq.push_back(l2), l2);
  EXPECT_EQ(seq.name(), "Sequential");
  EXPECT_EQ(seq.size(), 3U);
  EXPECT_EQ(seq[0], l1);
  EXPECT_EQ(seq[2], l2);
  AG_EXPECT_ERROR_MENTIONS(seq[3], "index 3", "out of range", "3 modules");
  EXPECT_EQ(seq.named_children().keys(), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(seq.state_dict().keys(), (std::vector<std::string>{"0.weight", "2.weight", "2.bias"}));

  l1->weight.copy_(f32({1, 0, 0, -1}, {2, 2}));
  l2->weight.copy_(f32({2, 3}, {1, 2}));
  l2->bias.fill_(1.0f);
  const Tensor x = f32({1, 2, -3, -4}, {2, 2});
  // l1 gives [[1, -2], [-3, 4]]; relu [[1, 0], [0, 4]]; l2 gives [2 + 1, 12 + 1].
  const Tensor y = seq.forward(x);
  EXPECT_EQ(y.sizes(), (Shape{2, 1}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{3, 13}));
}

TEST(Sequential, EmptyReturnsItsInputAndFailedPushLeavesItUnchanged) {
  nn::Sequential seq;
  const Tensor x = ones({2});
  EXPECT_TRUE(seq.forward(x).is_same(x));  // torch.nn.Sequential() returns its input
  AG_EXPECT_ERROR_MENTIONS(seq.push_back(std::shared_ptr<nn::Linear>()), "null");
  EXPECT_EQ(seq.size(), 0U);
  seq.push_back(std::make_shared<nn::ReLU>());
  EXPECT_EQ(seq.named_children().keys(), std::vector<std::string>{"0"});
}

}  // namespace
}  // namespace aliasguard
