// <aliasguard/torch.h>'s PyTorch semantics, compared live with real PyTorch where PyTorch
// has the same call (state_dict keys, load_state_dict's messages), and the marks reports use.

#include "torch_test_util.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace torch_layer_test {
namespace {

using aliasguard::check::Kind;

// What `python3 -c program` prints, or why it could not run (then the test skips).
struct PythonRun {
  bool ran = false;
  std::string output;
  std::string why_not;
};

PythonRun run_pytorch(const std::string& program) {
  const char* python = std::getenv("AG_TEST_PYTHON");
  if (python == nullptr || *python == '\0') return {false, {}, "AG_TEST_PYTHON is not set (CTest sets it)"};
  const std::string command = std::string(python) + " -c '" + program + "' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return {false, {}, "popen failed"};
  std::string output;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) output.append(buffer.data(), n);
  const int status = pclose(pipe.release());
  if (output.find("ModuleNotFoundError: No module named 'torch'") != std::string::npos)
    return {false, {}, "PyTorch is not installed for " + std::string(python) + " (apt-get install python3-torch)"};
  if (status != 0) return {false, {}, "python3 failed: " + output};
  return {true, output, {}};
}

// The same architectures on both sides. Nested: modules "0" (Linear), "1" (BatchNorm1d) and
// "head" holding "0" (Linear), so keys show the pre-order and the parameters-then-buffers
// order of each module.
struct HeadImpl : torch::nn::Module {
  HeadImpl() { register_module("0", torch::nn::Linear(2, 1)); }
};
struct NestedImpl : torch::nn::Module {
  NestedImpl() {
    register_module("0", torch::nn::Linear(3, 2));
    register_module("1", torch::nn::BatchNorm1d(2));
    register_module("head", std::make_shared<HeadImpl>());
  }
};
const char* const kPyNested =
    "import torch\n"
    "m = torch.nn.Module(); m.add_module(\"0\", torch.nn.Linear(3, 2)); m.add_module(\"1\", torch.nn.BatchNorm1d(2))\n"
    "h = torch.nn.Module(); h.add_module(\"0\", torch.nn.Linear(2, 1)); m.add_module(\"head\", h)\n";

torch::nn::Sequential make_model() { return torch::nn::Sequential(torch::nn::Linear(3, 2), torch::nn::BatchNorm1d(2)); }
const char* const kPyModel = "import torch\nm = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))\n";

TEST(TorchApi, StateDictKeysAreInPyTorchsOrder) {
  const PythonRun py = run_pytorch(std::string(kPyNested) + "print(\",\".join(m.state_dict().keys()))");
  if (!py.ran) GTEST_SKIP() << py.why_not;
  NestedImpl m;
  std::string keys;
  for (const auto& item : ag::state_dict(m)) keys += (keys.empty() ? "" : ",") + item.key();
  EXPECT_EQ(keys + "\n", py.output);
}

TEST(TorchApi, StateDictEntriesShareStorageAndAreDetached) {
  torch::nn::Sequential m = make_model();
  const ag::StateDict sd = ag::state_dict(*m);
  for (const auto& p : m->named_parameters()) {
    const torch::Tensor& entry = sd[p.key()];
    EXPECT_EQ(entry.data_ptr(), p.value().data_ptr()) << p.key();
    EXPECT_FALSE(entry.requires_grad()) << p.key();
    EXPECT_TRUE(p.value().requires_grad()) << p.key();
  }
}

TEST(TorchApi, LoadStateDictMessageIsPyTorchs) {
  const PythonRun py = run_pytorch(std::string(kPyModel) +
                                   "sd = m.state_dict(); del sd[\"0.bias\"]; sd[\"extra\"] = torch.zeros(1)\n"
                                   "sd[\"0.weight\"] = torch.zeros(3, 3)\n"
                                   "try:\n  m.load_state_dict(sd)\nexcept RuntimeError as e:\n  print(e)\n");
  if (!py.ran) GTEST_SKIP() << py.why_not;
  torch::nn::Sequential m = make_model();
  ag::StateDict sd = ag::deep_copy(ag::state_dict(*m));
  sd.erase("0.bias");
  sd.insert("extra", torch::zeros({1}));
  sd["0.weight"] = torch::zeros({3, 3});
  try {
    ag::load_state_dict(*m, sd);
    FAIL() << "load_state_dict accepted a bad dict";
  } catch (const c10::Error& e) {
    EXPECT_EQ(std::string(e.what_without_backtrace()) + "\n", py.output);
  }
}

TEST(TorchApi, NonStrictLoadIgnoresMissingAndUnexpectedKeys) {
  torch::nn::Linear m(2, 2);
  ag::StateDict sd;
  sd.insert("weight", torch::ones({2, 2}));
  sd.insert("unrelated", torch::ones({1}));
  ag::load_state_dict(*m, sd, /*strict=*/false);
  EXPECT_TRUE(torch::equal(m->weight, torch::ones({2, 2})));
}

TEST(TorchApi, DeepCopyKeepsTiedEntriesTied) {
  // Tied input and output embeddings (as in language models): one tensor, two names.
  struct TiedImpl : torch::nn::Module {
    TiedImpl() {
      embed = register_parameter("embed", torch::randn({4, 3}));
      head = register_parameter("head", embed);
    }
    torch::Tensor embed, head;
  };
  auto m = std::make_shared<TiedImpl>();
  const ag::StateDict sd = ag::state_dict(*m);
  const ag::StateDict copy = ag::deep_copy(sd);
  EXPECT_EQ(copy["embed"].data_ptr(), copy["head"].data_ptr());
  EXPECT_NE(copy["embed"].data_ptr(), sd["embed"].data_ptr());
  EXPECT_TRUE(torch::equal(copy["embed"], sd["embed"]));
}

class TorchMarks : public TorchLayerTest {};

TEST_F(TorchMarks, UserSnapshotOfNamedParametersIsReportedWithItsName) {
  // LibTorch code without aliasguard's state_dict: a "snapshot" of detached parameters.
  torch::nn::Linear m(2, 2);
  ag::watch(*m);
  std::vector<torch::Tensor> kept;
  for (const auto& p : m->named_parameters()) kept.push_back(ag::mark_snapshot(p.value().detach(), "kept." + p.key()));
  torch::optim::SGD sgd(m->parameters(), torch::optim::SGDOptions(0.5));
  m->forward(torch::ones({1, 2})).sum().backward();
  sgd.step();
  const int read_line = __LINE__ + 1;
  (void)kept[0].sum();
  const auto reports = take_reports();
  ASSERT_EQ(reports.size(), 1u);
  expect_report(reports[0], Kind::StaleSnapshotRead, "kept.weight", {__FILE__, read_line});
  EXPECT_EQ(reports[0].write.label, "weight");
}

TEST_F(TorchMarks, UnwatchedModuleIsCheckedToo) {
  torch::nn::Linear m(2, 2);
  const torch::Tensor kept = ag::mark_snapshot(m->weight.detach(), "kept");
  {
    torch::NoGradGuard no_grad;
    m->weight.add_(1);
  }
  (void)kept.sum();
  const auto reports = take_reports();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].kind, Kind::StaleSnapshotRead);
  EXPECT_EQ(reports[0].write.label, "");
}

TEST(TorchCuda, SnapshotOfCudaParametersIsReported) {
  if (!torch::cuda::is_available())
    GTEST_SKIP() << "no CUDA device visible to LibTorch (Debian's libtorch-dev is built for the CPU only; a "
                    "CUDA build of LibTorch on a GPU machine runs this test)";
  torch::nn::Linear m(2, 2);
  m->to(torch::kCUDA);
  const ag::StateDict sd = ag::state_dict(*m);
  {
    torch::NoGradGuard no_grad;
    m->weight.mul_(2);
  }
  (void)sd["weight"].sum();
  const auto reports = aliasguard::check::violations();
  aliasguard::check::reset();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].kind, Kind::StaleSnapshotRead);
  EXPECT_EQ(reports[0].device, "cuda:0");
}

}  // namespace
}  // namespace torch_layer_test
