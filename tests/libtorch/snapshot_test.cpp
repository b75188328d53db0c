// Kept snapshots of LibTorch modules, checked through the dispatcher: each bug is reported
// at the user's own line, and each correct use (deep copy, clone, save/load) is silent. Bugs
// the layer misses are pinned by DISABLED_ tests that say why.

#include "torch_test_util.h"

#include <cstdio>
#include <cstring>
#include <set>
#include <sstream>

namespace torch_layer_test {
namespace {

using aliasguard::check::Kind;

TEST_F(TorchLayerTest, SeedShallowReportsBothWays) {
  // The seed (docs/seed.md): a = state_dict(); halve the module; halve a's entries.
  torch::nn::Linear m(2, 2);
  torch::NoGradGuard no_grad;
  ag::StateDict a = ag::state_dict(*m);
  const int module_write = __LINE__ + 1;
  for (auto& v : m->parameters()) v -= 0.5 * v;
  const int snapshot_read = __LINE__ + 1;
  for (auto& item : a) item.value() -= 0.5 * item.value();
  const int module_read = __LINE__ + 1;
  for (auto& p : m->parameters()) p -= 0.5 * p;

  const auto reports = take_reports();
  ASSERT_EQ(reports.size(), 2u);
  expect_report(reports[0], Kind::StaleSnapshotRead, "weight", {__FILE__, snapshot_read}, {__FILE__, module_write});
  expect_report(reports[1], Kind::WriteThroughSnapshot, "weight", {__FILE__, module_read}, {__FILE__, snapshot_read});
}

TEST_F(TorchLayerTest, SeedDeepIsSilent) {
  torch::nn::Linear m(2, 2);
  torch::NoGradGuard no_grad;
  ag::StateDict a = ag::state_dict(*m);
  for (auto& v : m->parameters()) v -= 0.5 * v;
  std::ostringstream printed;
  printed << a["weight"];  // printing is not a use of the values
  a = ag::deep_copy(a);
  for (auto& item : a) item.value() -= 0.5 * item.value();
  for (auto& p : m->parameters()) p -= 0.5 * p;
  EXPECT_TRUE(take_reports().empty());
}

// The best-model idiom: keep the weights of the best epoch, restore them at the end.
void restore_best(torch::optim::Optimizer& optimizer, Net& model, const ag::StateDict& best) {
  for (int step = 0; step < 3; ++step) train_step(model, optimizer);
  const int load_line = __LINE__ + 1;
  ag::load_state_dict(*model, best);
  // The optimizer wrote the parameters; BatchNorm's forward in training mode wrote its
  // running statistics (buffers are in the state_dict too). Reports are de-duplicated by
  // (kind, read site, write site): one per writer.
  const auto reports = take_reports();
  ASSERT_EQ(reports.size(), 2u);
  std::set<unsigned> write_lines;
  for (const auto& r : reports) {
    expect_report(r, Kind::StaleSnapshotRead, nullptr, {__FILE__, load_line});
    EXPECT_TRUE(same_file(r.write.file, "torch_test_util.cpp")) << r.write.file;
    write_lines.insert(r.write.line);
  }
  EXPECT_EQ(write_lines, (std::set<unsigned>{static_cast<unsigned>(kForwardLine), static_cast<unsigned>(kStepLine)}));
}

TEST_F(TorchLayerTest, BestModelAfterSgdMomentumIsReported) {
  Net model;
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  const ag::StateDict best = ag::state_dict(*model);
  restore_best(sgd, model, best);
}

TEST_F(TorchLayerTest, BestModelAfterAdamIsReported) {
  Net model;
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-2));
  const ag::StateDict best = ag::state_dict(*model);
  restore_best(adam, model, best);
}

TEST_F(TorchLayerTest, BestModelDeepCopyAndCloneAreSilent) {
  Net model;
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-2));
  const ag::StateDict deep = ag::deep_copy(ag::state_dict(*model));
  ag::StateDict cloned;
  for (const auto& item : ag::state_dict(*model)) cloned.insert(item.key(), item.value().clone());
  for (int step = 0; step < 3; ++step) train_step(model, adam);
  ag::load_state_dict(*model, deep);
  for (int step = 0; step < 3; ++step) train_step(model, adam);
  ag::load_state_dict(*model, cloned);
  EXPECT_TRUE(take_reports().empty());
  for (const auto& item : ag::state_dict(*model)) EXPECT_TRUE(torch::equal(item.value(), cloned[item.key()]));
}

// A watched Net whose weights `keep` takes as the best before one training step, copied back
// onto its parameters under NoGradGuard afterwards: the copy's line, the kept tensors and
// the parameters they were copied onto.
struct Restored {
  int line;
  std::vector<torch::Tensor> best;
  std::vector<torch::Tensor> params;
};
Restored restore_after_a_step(std::vector<torch::Tensor> (*keep)(Net&)) {
  Net model;
  ag::watch(*model);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  Restored out{0, keep(model), {}};
  train_step(model, sgd);
  out.params = model->parameters();
  torch::NoGradGuard no_grad;
  out.line = __LINE__ + 1;
  for (std::size_t i = 0; i < out.params.size(); ++i) out.params[i].copy_(out.best[i]);
  return out;
}

std::vector<torch::Tensor> detached(Net& model) {
  std::vector<torch::Tensor> out;
  for (const auto& p : model->parameters()) out.push_back(p.detach());
  return out;
}

// Best weights kept as detach()ed parameters and restored onto them after training: the
// copy moves no byte, so the "best" model is the trained one. See Note [Kept handles].
TEST_F(TorchLayerTest, RestoringKeptDetachedParametersAfterTrainingIsReported) {
  const Restored r = restore_after_a_step(&detached);
  expect_every_report(Kind::StaleKeptRead, {__FILE__, r.line}, {"torch_test_util.cpp", kStepLine});
}

TEST_F(TorchLayerTest, RestoringClonedParametersIsSilent) {
  const Restored r = restore_after_a_step([](Net& model) {
    std::vector<torch::Tensor> out;
    for (const auto& p : model->parameters()) out.push_back(p.detach().clone());
    return out;
  });
  EXPECT_TRUE(take_reports().empty());
  for (std::size_t i = 0; i < r.params.size(); ++i) EXPECT_TRUE(torch::equal(r.params[i], r.best[i]));
}

// Best weights kept as the parameters() vector itself and restored after training.
// Disabled because the layer reports nothing here (a missed bug, left visible): the vector
// holds the module's own tensors, the same TensorImpls, so each "restore" copies a parameter
// onto itself through the one handle that also made the optimizer's write, which it has
// observed. Note [Kept handles] catches a restore only from another family (a detach()).
TEST_F(TorchLayerTest, DISABLED_RestoringKeptParametersAfterTrainingIsReported) {
  const Restored r = restore_after_a_step([](Net& model) { return model->parameters(); });
  expect_every_report(Kind::StaleKeptRead, {__FILE__, r.line}, {"torch_test_util.cpp", kStepLine});
}

// Best weights kept as named_parameters(), not marked with mark_snapshot, compared with the
// live ones after training: always equal, since they are the live ones.
// Disabled because the layer reports nothing here (a missed bug, left visible): the dict
// holds the module's own tensors, so reading it is the module reading itself. Marked, the
// same read is reported (TorchMarks.UserSnapshotOfNamedParametersIsReportedWithItsName).
TEST_F(TorchLayerTest, DISABLED_ComparingKeptNamedParametersAfterTrainingIsReported) {
  Net model;
  ag::watch(*model);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  const auto best = model->named_parameters();
  train_step(model, sgd);
  const int compare_line = __LINE__ + 1;
  const bool unchanged = torch::equal(best["fc1.weight"], model->fc1->weight);
  EXPECT_TRUE(unchanged) << "the kept tensors are the parameters";
  expect_every_report(Kind::StaleSnapshotRead, {__FILE__, compare_line}, {"torch_test_util.cpp", kStepLine});
}

// The optimizer's own parameter list, read after its steps: these are the live parameters,
// and reading them is the point (logging a norm, checking the step moved them).
TEST_F(TorchLayerTest, ReadingTheParameterListTheOptimizerWasBuiltFromIsSilent) {
  Net model;
  ag::watch(*model);
  const std::vector<torch::Tensor> params = model->parameters();
  const torch::Tensor first = params[0].detach().clone();
  torch::optim::SGD sgd(params, torch::optim::SGDOptions(0.1).momentum(0.9));
  for (int step = 0; step < 3; ++step) train_step(model, sgd);
  const double norm = params[0].norm().item<double>();
  EXPECT_GT(norm, 0.0);
  EXPECT_FALSE(torch::equal(params[0], first));
  for (const auto& p : params) (void)p.sum();
  EXPECT_TRUE(take_reports().empty());
}

/// NetImpl's layers in a Cloneable module, so clone() can deep-copy it.
struct CloneableNetImpl : torch::nn::Cloneable<CloneableNetImpl> {
  CloneableNetImpl() { reset(); }
  void reset() override {
    fc1 = register_module("fc1", torch::nn::Linear(4, 8));
    bn = register_module("bn", torch::nn::BatchNorm1d(8));
    fc2 = register_module("fc2", torch::nn::Linear(8, 2));
  }
  torch::Tensor forward(const torch::Tensor& x) { return fc2->forward(torch::relu(bn->forward(fc1->forward(x)))); }
  torch::nn::Linear fc1{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
  torch::nn::Linear fc2{nullptr};
};
TORCH_MODULE(CloneableNet);

void train_cloneable(CloneableNet& model, torch::optim::Optimizer& optimizer) {
  const torch::Tensor inputs = torch::linspace(-1, 1, 32).reshape({8, 4});
  const torch::Tensor targets = torch::stack({inputs.sum(1), inputs.prod(1)}, 1);
  model->train();
  optimizer.zero_grad();
  torch::mse_loss(model->forward(inputs), targets).backward();
  optimizer.step();
}

// Best model kept as a deep copy of the module (the holder cast back from clone()), training
// goes on, the best is evaluated and loaded back: clone() gives every parameter and buffer
// storage of its own.
TEST_F(TorchLayerTest, BestModelKeptAsAModuleCloneIsSilent) {
  CloneableNet model;
  ag::watch(*model);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  train_cloneable(model, sgd);
  CloneableNet best(std::dynamic_pointer_cast<CloneableNetImpl>(model->clone()));
  ASSERT_TRUE(best.ptr());
  for (int step = 0; step < 3; ++step) train_cloneable(model, sgd);
  EXPECT_FALSE(torch::equal(model->fc1->weight, best->fc1->weight));
  best->eval();
  (void)best->forward(torch::ones({2, 4}));
  {
    const ag::StateDict kept = ag::state_dict(*best);
    ag::load_state_dict(*model, kept);
    for (const auto& item : ag::state_dict(*model))
      EXPECT_TRUE(torch::equal(item.value(), kept[item.key()])) << item.key();
  }
  for (int step = 0; step < 2; ++step) train_cloneable(model, sgd);
  {
    torch::NoGradGuard no_grad;
    const std::vector<torch::Tensor> params = model->parameters();
    const std::vector<torch::Tensor> kept = best->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(kept[i]);
  }
  model->eval();
  (void)model->forward(torch::ones({2, 4}));
  EXPECT_TRUE(take_reports().empty());
}

TEST_F(TorchLayerTest, ScalingTheStateDictInPlaceIsReportedAtForward) {
  Net model;
  model->eval();
  ag::StateDict sd = ag::state_dict(*model);
  const int scale_line = __LINE__ + 1;
  for (auto& item : sd) item.value().mul_(2);  // num_batches_tracked is an integer tensor
  model->forward(torch::ones({2, 4}));
  expect_every_report(Kind::WriteThroughSnapshot, {"torch_test_util.cpp", kForwardLine}, {__FILE__, scale_line});
}

// EMA through the EMA model's own state_dict, a temporary (after timm's ModelEmaV2 and
// YOLOv5's ModelEMA, reduced): the writes are the EMA model's update, and no entry is alive
// when it reads them. See Note [Kept snapshots].
TEST_F(TorchLayerTest, EmaThroughATemporaryStateDictIsSilent) {
  Net model;
  Net ema;
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  ema->eval();
  for (int step = 0; step < 3; ++step) {
    train_step(model, sgd);
    torch::NoGradGuard no_grad;
    const ag::StateDict current = ag::state_dict(*model);
    for (auto& item : ag::state_dict(*ema))
      if (item.value().is_floating_point()) item.value().mul_(0.9).add_(current[item.key()], 0.1);
    ema->forward(torch::ones({2, 4}));
  }
  EXPECT_TRUE(take_reports().empty());
}

// Pruning through the module's own state_dict, loaded back while the dict is alive: the
// module reads the values it was given. See Note [Loading a dict back].
TEST_F(TorchLayerTest, EditingTheStateDictAndLoadingItBackIsSilent) {
  Net model;
  model->eval();
  ag::StateDict sd = ag::state_dict(*model);
  for (auto& item : sd)
    if (item.value().is_floating_point()) item.value().mul_((item.value().abs() > 0.1).to(item.value().dtype()));
  ag::load_state_dict(*model, sd);
  model->forward(torch::ones({2, 4}));
  EXPECT_TRUE(take_reports().empty());
  sd["fc1.weight"].zero_();  // not loaded back: the module reads a snapshot's write
  model->forward(torch::ones({2, 4}));
  EXPECT_FALSE(take_reports().empty());
}

TEST_F(TorchLayerTest, SaveLoadRoundTripIsSilent) {
  Net model;
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  const std::string path = testing::TempDir() + "aliasguard_torch_roundtrip.pt";
  {
    torch::serialize::OutputArchive archive;
    for (const auto& item : ag::state_dict(*model)) archive.write(item.key(), item.value());
    archive.save_to(path);
  }
  for (int step = 0; step < 2; ++step) train_step(model, sgd);
  ag::StateDict loaded;
  {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    for (const auto& item : ag::state_dict(*model)) {
      torch::Tensor value;
      archive.read(item.key(), value, /*is_buffer=*/true);
      loaded.insert(item.key(), value);
    }
  }
  ag::load_state_dict(*model, loaded);
  for (int step = 0; step < 2; ++step) train_step(model, sgd);
  std::remove(path.c_str());
  EXPECT_TRUE(take_reports().empty());
}

TEST_F(TorchLayerTest, BadDictLeavesTheModelByteIdentical) {
  Net model;
  const ag::StateDict before = ag::deep_copy(ag::state_dict(*model));
  ag::StateDict bad = ag::deep_copy(before);
  bad.erase("fc2.bias");
  bad["fc1.weight"] = torch::zeros({3, 3});
  bad.insert("extra", torch::zeros({1}));
  try {
    ag::load_state_dict(*model, bad);
    FAIL() << "load_state_dict accepted a dict with a missing key";
  } catch (const c10::Error& e) {
    const std::string message = e.what_without_backtrace();
    EXPECT_NE(message.find("Error(s) in loading state_dict for Net:"), std::string::npos) << message;
    EXPECT_NE(message.find("Missing key(s) in state_dict: \"fc2.bias\"."), std::string::npos) << message;
    EXPECT_NE(message.find("Unexpected key(s) in state_dict: \"extra\"."), std::string::npos) << message;
    EXPECT_NE(message.find("size mismatch for fc1.weight: copying a param with shape torch.Size([3, 3]) from "
                           "checkpoint, the shape in current model is torch.Size([8, 4])."),
              std::string::npos)
        << message;
  }
  for (const auto& item : ag::state_dict(*model)) {
    const torch::Tensor& now = item.value();
    const torch::Tensor& was = before[item.key()];
    ASSERT_EQ(now.nbytes(), was.nbytes());
    EXPECT_EQ(std::memcmp(now.data_ptr(), was.data_ptr(), now.nbytes()), 0) << item.key();
  }
  EXPECT_TRUE(take_reports().empty());
}

}  // namespace
}  // namespace torch_layer_test
