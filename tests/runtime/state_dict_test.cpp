// state_dict aliasing, deep_copy and load_state_dict. Error texts are PyTorch 1.13's
// (printed by torch.nn.Linear.load_state_dict); where we deliberately differ, the test says so.

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "aliasguard/aliasguard.h"
#include "tensor_test_fixture.h"

namespace aliasguard {
namespace {

using test::error_message;

Tensor f32(std::vector<float> values, Shape shape) { return tensor(values, shape); }

/// Every byte of every parameter and buffer, with its storage id: "byte-for-byte unchanged".
struct ModuleBytes {
  explicit ModuleBytes(const nn::Module& m) {
    for (const auto& [key, t] : m.state_dict()) {
      const auto* p = static_cast<const unsigned char*>(t.const_data_ptr());
      bytes.emplace_back(p, p + t.numel() * static_cast<std::int64_t>(element_size(t.dtype())));
      storages.push_back(t.storage_id());
    }
  }
  bool operator==(const ModuleBytes&) const = default;
  std::vector<std::vector<unsigned char>> bytes;
  std::vector<std::uint64_t> storages;
};

struct TwoLayer : nn::Module {
  TwoLayer() : Module("TwoLayer") {
    fc = register_module("fc", std::make_shared<nn::Linear>(2, 2));
    head = register_module("head", std::make_shared<nn::Linear>(2, 1));
    steps = register_buffer("steps", zeros({1}, kInt64));
  }
  std::shared_ptr<nn::Linear> fc, head;
  Tensor steps;
};

TEST(StateDictAliasing, SgdStepShowsInAnOldStateDictButNotInADeepCopy) {
  nn::Linear fc(2, 2);
  const StateDict live = fc.state_dict();
  const StateDict snapshot = deep_copy(fc.state_dict());
  const std::vector<float> before = fc.weight.to_vector<float>();

  optim::SGD sgd(fc.parameters(), optim::SGDOptions(0.5));
  fc.weight.mutable_grad() = ones({2, 2});
  fc.bias.mutable_grad() = ones({2});
  sgd.step();

  std::vector<float> after = before;
  for (float& v : after) v -= 0.5f;
  EXPECT_EQ(live.at("weight").to_vector<float>(), after) << "the old state_dict moved with the model";
  EXPECT_EQ(snapshot.at("weight").to_vector<float>(), before) << "the deep copy did not";
}

TEST(StateDictAliasing, ShallowCopySharesHandles) {
  nn::Linear fc(2, 2);
  const StateDict sd = fc.state_dict();
  const StateDict copy = sd;  // NOLINT(performance-unnecessary-copy-initialization): the point
  for (const auto& [key, t] : sd) EXPECT_TRUE(copy.at(key).is_same(t)) << key;
  copy.at("bias").fill_(4.0f);
  EXPECT_EQ(fc.bias.to_vector<float>(), std::vector<float>(2, 4.0f));
}

TEST(DeepCopy, StateDictEntriesGetNewStorageAndKeepValuesAndOrder) {
  TwoLayer m;
  const StateDict sd = m.state_dict();
  const StateDict copy = deep_copy(sd);
  EXPECT_EQ(copy.keys(), sd.keys());
  EXPECT_EQ(copy.key_description(), sd.key_description());
  for (const auto& [key, t] : sd) {
    const Tensor& c = copy.at(key);
    EXPECT_FALSE(c.is_alias_of(t)) << key;
    EXPECT_TRUE(c.equal(t)) << key;
    EXPECT_EQ(c.dtype(), t.dtype()) << key;
    EXPECT_EQ(c.sizes(), t.sizes()) << key;
  }
  copy.at("fc.weight").fill_(9.0f);
  EXPECT_NE(m.fc->weight.to_vector<float>(), std::vector<float>(4, 9.0f));
}

TEST(DeepCopy, TiedWeightsStayTied) {
  nn::Module m("Tied");
  auto a = m.register_module("a", std::make_shared<nn::Linear>(2, 2));
  auto b = m.register_module("b", std::make_shared<nn::Module>("Holder"));
  b->register_parameter("weight", a->weight);
  const StateDict copy = deep_copy(m.state_dict());
  ASSERT_EQ(copy.keys(), (std::vector<std::string>{"a.weight", "a.bias", "b.weight"}));
  EXPECT_TRUE(copy.at("a.weight").is_alias_of(copy.at("b.weight")));
  EXPECT_FALSE(copy.at("a.weight").is_alias_of(a->weight));
  EXPECT_FALSE(copy.at("a.bias").is_alias_of(copy.at("a.weight")));
  copy.at("b.weight").fill_(1.5f);
  EXPECT_EQ(copy.at("a.weight").to_vector<float>(), std::vector<float>(4, 1.5f));
}

TEST(DeepCopy, ViewsKeepGeometryAndShareOneNewWholeStorage) {
  // Python: base = arange(6.); sd = {'a': base[1:3], 'b': base[2:5].view(3, 1)};
  // d = deepcopy(sd): offsets 1 and 2, stride (1, 1), one storage of 6 elements,
  // and d['a'][1] = 100 shows in d['b'][0].
  const Tensor base = f32({0, 1, 2, 3, 4, 5}, {6});
  StateDict sd;
  sd.insert("a", base.slice(0, 1, 3));
  sd.insert("b", base.slice(0, 2, 5).view({3, 1}));
  sd.insert("a_again", sd.at("a"));
  const StateDict d = deep_copy(sd);
  const Tensor& a = d.at("a");
  const Tensor& b = d.at("b");
  EXPECT_EQ(a.storage_offset(), 1);
  EXPECT_EQ(b.storage_offset(), 2);
  EXPECT_EQ(b.sizes(), (Shape{3, 1}));
  EXPECT_EQ(b.strides(), (Shape{1, 1}));
  EXPECT_EQ(a.storage_nbytes(), base.storage_nbytes());
  EXPECT_TRUE(a.is_alias_of(b));
  EXPECT_FALSE(a.is_alias_of(base));
  EXPECT_TRUE(d.at("a_again").is_same(a)) << "one handle in, one handle out (deepcopy's memo)";
  a[1] = 100.0f;
  EXPECT_EQ(b.to_vector<float>(), (std::vector<float>{100, 3, 4}));
  EXPECT_EQ(base.to_vector<float>(), (std::vector<float>{0, 1, 2, 3, 4, 5}));
}

TEST(DeepCopy, SingleTensorCopiesWholeStorageRequiresGradAndGrad) {
  const Tensor base = f32({0, 1, 2, 3, 4, 5}, {2, 3});
  const Tensor view = base.t();  // strides (1, 3)
  view.set_requires_grad(true);
  view.mutable_grad() = full({3, 2}, 2.0f);
  const Tensor c = deep_copy(view);
  EXPECT_FALSE(c.is_alias_of(base));
  EXPECT_EQ(c.sizes(), view.sizes());
  EXPECT_EQ(c.strides(), view.strides());
  EXPECT_EQ(c.storage_offset(), view.storage_offset());
  EXPECT_EQ(c.storage_nbytes(), base.storage_nbytes());
  EXPECT_EQ(c.to_vector<float>(), view.to_vector<float>());
  EXPECT_TRUE(c.requires_grad());
  ASSERT_TRUE(c.grad().defined());  // copy.deepcopy copies a tensor's .grad
  EXPECT_FALSE(c.grad().is_alias_of(view.grad()));
  EXPECT_EQ(c.grad().to_vector<float>(), std::vector<float>(6, 2.0f));
  EXPECT_FALSE(deep_copy(Tensor()).defined());
  EXPECT_FALSE(deep_copy(base).requires_grad());
  const Tensor i = deep_copy(tensor(std::vector<std::int64_t>{3, 4}, {2}));
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_EQ(i.to_vector<std::int64_t>(), (std::vector<std::int64_t>{3, 4}));
}

TEST(DeepCopy, CudaEntriesStayOnTheirDevice) {
  if (!cuda::is_available()) GTEST_SKIP() << "no usable CUDA device";
  const Tensor base = f32({0, 1, 2, 3}, {4}).to(Device::cuda(0));
  StateDict sd;
  sd.insert("x", base.slice(0, 1, 3));
  sd.insert("y", base);
  const StateDict d = deep_copy(sd);
  EXPECT_TRUE(d.at("x").is_cuda());
  EXPECT_TRUE(d.at("x").is_alias_of(d.at("y")));
  EXPECT_FALSE(d.at("x").is_alias_of(base));
  EXPECT_EQ(d.at("x").to_vector<float>(), (std::vector<float>{1, 2}));
}

TEST(LoadStateDict, CopiesIntoTheExistingStorage) {
  TwoLayer m;
  TwoLayer source;
  source.fc->weight.fill_(0.25f);
  source.steps.fill_(7);
  const Tensor weight_handle = m.fc->weight;
  const std::uint64_t storage = m.fc->weight.storage_id();
  const nn::LoadResult r = m.load_state_dict(source.state_dict());
  EXPECT_TRUE(r.missing_keys.empty());
  EXPECT_TRUE(r.unexpected_keys.empty());
  EXPECT_TRUE(m.fc->weight.is_same(weight_handle));
  EXPECT_EQ(m.fc->weight.storage_id(), storage);
  EXPECT_FALSE(m.fc->weight.is_alias_of(source.fc->weight));
  EXPECT_EQ(m.fc->weight.to_vector<float>(), std::vector<float>(4, 0.25f));
  EXPECT_EQ(m.steps.to_vector<std::int64_t>(), std::vector<std::int64_t>{7});
  EXPECT_TRUE(m.head->bias.equal(source.head->bias));
}

TEST(LoadStateDict, RestoresADeepCopyAfterTraining) {
  nn::Linear fc(3, 2);
  const StateDict checkpoint = deep_copy(fc.state_dict());
  const Tensor original = fc.weight.clone();
  optim::SGD sgd(fc.parameters(), optim::SGDOptions(0.1));
  for (const Tensor& p : fc.parameters()) p.mutable_grad() = ones(p.sizes());
  sgd.step();
  EXPECT_FALSE(fc.weight.equal(original));
  fc.load_state_dict(checkpoint);
  EXPECT_TRUE(fc.weight.equal(original));
}

TEST(LoadStateDict, StrictErrorHasPyTorchsTextAndListsEveryProblem) {
  nn::Linear fc(2, 2);
  const ModuleBytes before(fc);
  StateDict sd;
  sd.insert("weight", zeros({3, 2}));
  sd.insert("extra", zeros({1}));
  sd.insert("foo", zeros({1}));
  try {
    fc.load_state_dict(sd);
    FAIL() << "expected StateDictError";
  } catch (const StateDictError& e) {
    EXPECT_EQ(std::string(e.what()),
              "Error(s) in loading state_dict for Linear:\n"
              "\tMissing key(s) in state_dict: \"bias\". \n"
              "\tUnexpected key(s) in state_dict: \"extra\", \"foo\". \n"
              "\tsize mismatch for weight: copying a param with shape torch.Size([3, 2]) from checkpoint, "
              "the shape in current model is torch.Size([2, 2]).");
    EXPECT_EQ(e.missing_keys, std::vector<std::string>{"bias"});
    EXPECT_EQ(e.unexpected_keys, (std::vector<std::string>{"extra", "foo"}));
    EXPECT_EQ(e.mismatched_keys, std::vector<std::string>{"weight"});
  }
  EXPECT_TRUE(ModuleBytes(fc) == before);
}

TEST(LoadStateDict, SizeMismatchesOnlyAndMissingOnly) {
  nn::Linear fc(2, 2);
  StateDict sizes;
  sizes.insert("weight", zeros({3, 2}));
  sizes.insert("bias", zeros({5}));
  EXPECT_EQ(error_message([&] { fc.load_state_dict(sizes); }),
            "Error(s) in loading state_dict for Linear:\n"
            "\tsize mismatch for weight: copying a param with shape torch.Size([3, 2]) from checkpoint, "
            "the shape in current model is torch.Size([2, 2]).\n"
            "\tsize mismatch for bias: copying a param with shape torch.Size([5]) from checkpoint, "
            "the shape in current model is torch.Size([2]).");
  StateDict missing;
  missing.insert("weight", zeros({2, 2}));
  EXPECT_EQ(error_message([&] { fc.load_state_dict(missing); }),
            "Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: \"bias\". ");
}

TEST(LoadStateDict, AtomicUnlikePyTorchMatchingKeysAreNotCopiedBeforeTheError) {
  TwoLayer m;
  const ModuleBytes before(m);
  StateDict sd = deep_copy(m.state_dict());
  for (const auto& item : sd) item.value().fill_(3);  // values PyTorch 1.13 would already have copied
  sd.insert_or_assign("head.weight", zeros({2, 2}));
  sd.insert("head.extra", zeros({1}));
  try {
    m.load_state_dict(sd);
    FAIL() << "expected StateDictError";
  } catch (const StateDictError& e) {
    EXPECT_TRUE(e.missing_keys.empty());
    EXPECT_EQ(e.unexpected_keys, std::vector<std::string>{"head.extra"});
    EXPECT_EQ(e.mismatched_keys, std::vector<std::string>{"head.weight"});
    EXPECT_NE(std::string(e.what()).find("for TwoLayer:"), std::string::npos);
  }
  EXPECT_TRUE(ModuleBytes(m) == before);
}

TEST(LoadStateDict, DtypeMismatchIsAnErrorThatSaysPyTorchWouldConvert) {
  nn::Linear fc(2, 2);
  const ModuleBytes before(fc);
  StateDict sd;
  sd.insert("weight", zeros({2, 2}, kFloat64));
  sd.insert("bias", zeros({2}));
  try {
    fc.load_state_dict(sd);
    FAIL() << "expected StateDictError";
  } catch (const StateDictError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("dtype mismatch for weight: copying a param with dtype torch.float64 from checkpoint, "
                       "the dtype in current model is torch.float32."),
              std::string::npos)
        << msg;
    EXPECT_NE(msg.find("PyTorch does"), std::string::npos) << msg;
    EXPECT_EQ(e.mismatched_keys, std::vector<std::string>{"weight"});
  }
  EXPECT_TRUE(ModuleBytes(fc) == before);
  StateDict undefined;
  undefined.insert("weight", Tensor());
  undefined.insert("bias", zeros({2}));
  AG_EXPECT_ERROR_MENTIONS(fc.load_state_dict(undefined), "undefined tensor for weight");
}

TEST(LoadStateDict, NonStrictReturnsKeysInPyTorchOrderAndCopiesTheRest) {
  TwoLayer m;
  StateDict sd;
  // PyTorch orders unexpected keys by module (root first), not by position in the dict:
  // ['zz', 'yy', 'fc.zz'].
  sd.insert("zz", zeros({1}));
  sd.insert("fc.zz", zeros({1}));
  sd.insert("fc.weight", full({2, 2}, 2.0f));
  sd.insert("yy", zeros({1}));
  sd.insert("steps", full({1}, 5, kInt64));
  const nn::LoadResult r = m.load_state_dict(sd, /*strict=*/false);
  EXPECT_EQ(r.missing_keys, (std::vector<std::string>{"fc.bias", "head.weight", "head.bias"}));
  EXPECT_EQ(r.unexpected_keys, (std::vector<std::string>{"zz", "yy", "fc.zz"}));
  EXPECT_EQ(m.fc->weight.to_vector<float>(), std::vector<float>(4, 2.0f));
  EXPECT_EQ(m.steps.to_vector<std::int64_t>(), std::vector<std::int64_t>{5});
  // Strict, the same dict is refused with the module unchanged.
  m.fc->weight.fill_(0.0f);
  const ModuleBytes before(m);
  EXPECT_THROW(m.load_state_dict(sd), StateDictError);
  EXPECT_TRUE(ModuleBytes(m) == before);
}

TEST(LoadStateDict, NonStrictStillRefusesMismatchesAtomically) {
  nn::Linear fc(2, 2);
  const ModuleBytes before(fc);
  StateDict sd;
  sd.insert("weight", zeros({3, 2}));
  sd.insert("bias", full({2}, 1.0f));
  sd.insert("x", zeros({1}));
  // PyTorch 1.13 non-strict raises with only the size line.
  EXPECT_EQ(error_message([&] { fc.load_state_dict(sd, false); }),
            "Error(s) in loading state_dict for Linear:\n"
            "\tsize mismatch for weight: copying a param with shape torch.Size([3, 2]) from checkpoint, "
            "the shape in current model is torch.Size([2, 2]).");
  EXPECT_TRUE(ModuleBytes(fc) == before);
}

TEST(LoadStateDict, ReportsKeysPyTorchIgnoresSilently) {
  // PyTorch 1.13 drops "fc.weight.x" and "fc" without a word; a typo there loses data, so
  // we report them as unexpected.
  TwoLayer m;
  StateDict sd = m.state_dict();
  sd.insert("fc.weight.x", zeros({1}));
  sd.insert("fc", zeros({1}));
  const nn::LoadResult r = m.load_state_dict(sd, false);
  EXPECT_EQ(r.unexpected_keys, (std::vector<std::string>{"fc", "fc.weight.x"}));
}

TEST(LoadStateDict, OwnStateDictIsANoOpAndSwappedEntriesSwap) {
  nn::Module m("Pair");
  const Tensor a = m.register_parameter("a", f32({1, 2}, {2}));
  const Tensor b = m.register_parameter("b", f32({3, 4}, {2}));
  const ModuleBytes before(m);
  EXPECT_NO_THROW(m.load_state_dict(m.state_dict()));
  EXPECT_TRUE(ModuleBytes(m) == before);

  // Each source aliases the *other* parameter: copying in key order without a snapshot
  // would leave both equal to b.
  StateDict swapped;
  swapped.insert("a", b.detach());
  swapped.insert("b", a.detach());
  m.load_state_dict(swapped);
  EXPECT_EQ(a.to_vector<float>(), (std::vector<float>{3, 4}));
  EXPECT_EQ(b.to_vector<float>(), (std::vector<float>{1, 2}));
}

TEST(LoadStateDict, KeysInAnotherOrderLandByName) {
  // load_state_dict pairs entries by position while the keys agree and looks the rest up by
  // name: a dict in reverse order, and one with a key renamed, take the by-name path.
  nn::Module m("Three");
  const Tensor a = m.register_parameter("a", f32({1, 2}, {2}));
  const Tensor b = m.register_parameter("b", f32({3, 4}, {2}));
  const Tensor c = m.register_parameter("c", f32({5, 6}, {2}));
  StateDict reversed;
  reversed.insert("c", f32({50, 60}, {2}));
  reversed.insert("b", f32({30, 40}, {2}));
  reversed.insert("a", f32({10, 20}, {2}));
  const nn::LoadResult result = m.load_state_dict(reversed);
  EXPECT_TRUE(result.missing_keys.empty());
  EXPECT_TRUE(result.unexpected_keys.empty());
  EXPECT_EQ(a.to_vector<float>(), (std::vector<float>{10, 20}));
  EXPECT_EQ(b.to_vector<float>(), (std::vector<float>{30, 40}));
  EXPECT_EQ(c.to_vector<float>(), (std::vector<float>{50, 60}));

  // As many keys as the module has, one of them wrong: one missing, one unexpected.
  StateDict renamed;
  renamed.insert("a", f32({7, 7}, {2}));
  renamed.insert("bb", f32({8, 8}, {2}));
  renamed.insert("c", f32({9, 9}, {2}));
  const nn::LoadResult partial = m.load_state_dict(renamed, /*strict=*/false);
  EXPECT_EQ(partial.missing_keys, (std::vector<std::string>{"b"}));
  EXPECT_EQ(partial.unexpected_keys, (std::vector<std::string>{"bb"}));
  EXPECT_EQ(a.to_vector<float>(), (std::vector<float>{7, 7}));
  EXPECT_EQ(b.to_vector<float>(), (std::vector<float>{30, 40}));
  EXPECT_EQ(c.to_vector<float>(), (std::vector<float>{9, 9}));
}

TEST(LoadStateDict, TiedWeightsLoadThroughEveryPath) {
  nn::Module m("Tied");
  auto a = m.register_module("a", std::make_shared<nn::Linear>(2, 2, false));
  auto b = m.register_module("b", std::make_shared<nn::Module>("Holder"));
  b->register_parameter("weight", a->weight);
  StateDict sd;
  sd.insert("a.weight", full({2, 2}, 6.0f));
  sd.insert("b.weight", full({2, 2}, 6.0f));
  m.load_state_dict(sd);
  EXPECT_EQ(a->weight.to_vector<float>(), std::vector<float>(4, 6.0f));
  EXPECT_TRUE(b->named_parameters().at("weight").is_same(a->weight));
}

TEST(LoadStateDict, FromCudaCheckpoint) {
  if (!cuda::is_available()) GTEST_SKIP() << "no usable CUDA device";
  nn::Linear fc(2, 2);
  nn::Linear gpu(2, 2);
  gpu.weight.fill_(1.25f);
  gpu.to(Device::cuda(0));
  fc.load_state_dict(gpu.state_dict());
  EXPECT_TRUE(fc.weight.device().is_cpu());
  EXPECT_EQ(fc.weight.to_vector<float>(), std::vector<float>(4, 1.25f));
}

}  // namespace
}  // namespace aliasguard
