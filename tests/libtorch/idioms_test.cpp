// Training idioms on watched LibTorch modules that write parameters on purpose (freezing,
// accumulation, initialisation, averaging, distributed averaging, clipping, a perturbed
// clone, saving what is current) are silent; a snapshot kept across reset_parameters() and
// a stale snapshot saved to a file are reported at the user's line.

#include "torch_test_util.h"

#include <cstdio>
#include <set>

#ifdef AG_TEST_HAS_GLOO  // see tests/libtorch/CMakeLists.txt
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif

namespace torch_layer_test {
namespace {

using aliasguard::check::Kind;

// Forward and backward on train_step's kind of data, without the optimizer step, so a test
// can place its own gradient code between backward and step.
void idioms_backward(Net& model, double scale = 1.0) {
  const torch::Tensor inputs = torch::linspace(-1, 1, 32).reshape({8, 4});
  const torch::Tensor targets = torch::stack({inputs.sum(1), inputs.prod(1)}, 1);
  model->train();
  torch::Tensor loss = torch::mse_loss(model->forward(inputs), targets) * scale;
  loss.backward();
}

// Frozen parameters get no gradient and the optimizer skips them; the others train.
TEST_F(TorchLayerTest, FreezingSomeParametersThenTrainingIsSilent) {
  Net model;
  ag::watch(*model);
  for (auto& item : model->fc1->named_parameters()) item.value().requires_grad_(false);
  const torch::Tensor frozen_before = model->fc1->weight.detach().clone();
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  for (int step = 0; step < 3; ++step) train_step(model, sgd);
  model->eval();
  model->forward(torch::ones({2, 4}));
  EXPECT_TRUE(take_reports().empty());
  EXPECT_TRUE(torch::equal(model->fc1->weight, frozen_before));
}

// One step() per several backward passes: the gradients add up in .grad, not in the
// parameters.
TEST_F(TorchLayerTest, GradientAccumulationIsSilent) {
  Net model;
  ag::watch(*model);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  const int micro_batches = 4;
  for (int step = 0; step < 2; ++step) {
    sgd.zero_grad();
    for (int micro = 0; micro < micro_batches; ++micro) idioms_backward(model, 1.0 / micro_batches);
    sgd.step();
  }
  model->eval();
  model->forward(torch::ones({2, 4}));
  EXPECT_TRUE(take_reports().empty());
}

// Exact initial values copied in under NoGradGuard and through .data(), then the live
// values compared after a step: every handle read is the module's own.
TEST_F(TorchLayerTest, ExactInitialValuesThenCompareLiveIsSilent) {
  Net model;
  ag::watch(*model);
  {
    torch::NoGradGuard no_grad;
    for (auto& item : model->named_parameters())
      if (item.key().find("weight") != std::string::npos) item.value().copy_(torch::full_like(item.value(), 0.01));
  }
  for (auto& item : model->named_parameters())
    if (item.key().find("bias") != std::string::npos) item.value().data().copy_(torch::zeros_like(item.value()));
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  train_step(model, sgd);
  EXPECT_FALSE(torch::equal(model->fc2->bias, torch::zeros_like(model->fc2->bias)));
  EXPECT_TRUE(take_reports().empty());
}

// Re-initialising layers is the module writing itself; training afterwards reads it.
TEST_F(TorchLayerTest, ResetParametersThenTrainingIsSilent) {
  Net model;
  ag::watch(*model);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  train_step(model, sgd);
  model->fc1->reset_parameters();
  model->fc2->reset_parameters();
  model->bn->reset_parameters();
  for (int step = 0; step < 2; ++step) train_step(model, sgd);
  EXPECT_TRUE(take_reports().empty());
}

// YOLOv5's ModelEMA: decay as its own statement, then the blend, through the EMA model's own
// state_dict, which is not kept. See Note [Kept snapshots].
TEST_F(TorchLayerTest, EmaDecayAsItsOwnStatementThroughATemporaryStateDictIsSilent) {
  Net model;
  Net ema;
  ag::watch(*model);
  ag::watch(*ema);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  ema->eval();
  const double d = 0.9;
  for (int step = 0; step < 3; ++step) {
    train_step(model, sgd);
    torch::NoGradGuard no_grad;
    const ag::StateDict msd = ag::state_dict(*model);
    for (auto& item : ag::state_dict(*ema)) {
      torch::Tensor v = item.value();
      if (!v.is_floating_point()) continue;
      v *= d;
      v += (1 - d) * msd[item.key()].detach();
    }
    ema->forward(torch::ones({2, 4}));
  }
  EXPECT_TRUE(take_reports().empty());
}

// Stochastic weight averaging into a separate model: copy_ on the first step, a running
// mean afterwards, both from the model's parameters under NoGradGuard.
TEST_F(TorchLayerTest, SwaAveragingIntoASeparateModelIsSilent) {
  Net model;
  Net swa;
  ag::watch(*model);
  ag::watch(*swa);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  for (int n = 0; n < 4; ++n) {
    train_step(model, sgd);
    torch::NoGradGuard no_grad;
    const std::vector<torch::Tensor> src = model->parameters();
    const std::vector<torch::Tensor> dst = swa->parameters();
    for (std::size_t k = 0; k < dst.size(); ++k) {
      if (n == 0) {
        dst[k].copy_(src[k]);
      } else {
        dst[k].add_((src[k] - dst[k]) / (n + 1));
      }
    }
  }
  swa->eval();
  swa->forward(torch::ones({2, 4}));
  EXPECT_TRUE(take_reports().empty());
}

// Checkpoint averaging: two deep-copied state dicts of one run, averaged into a third dict
// and loaded into another module. Deep copies own their storage.
TEST_F(TorchLayerTest, CheckpointAveragingIntoAThirdModuleIsSilent) {
  Net model;
  Net averaged;
  ag::watch(*model);
  ag::watch(*averaged);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  train_step(model, sgd);
  const ag::StateDict first = ag::deep_copy(ag::state_dict(*model));
  train_step(model, sgd);
  const ag::StateDict second = ag::deep_copy(ag::state_dict(*model));
  train_step(model, sgd);
  ag::StateDict mean;
  for (const auto& item : first) {
    const torch::Tensor& later = second[item.key()];
    mean.insert(item.key(), item.value().is_floating_point() ? (item.value() + later) / 2 : later.clone());
  }
  ag::load_state_dict(*averaged, mean);
  averaged->eval();
  averaged->forward(torch::ones({2, 4}));
  EXPECT_TRUE(take_reports().empty());
}

// Gradient averaging and clipping write .grad, not the parameters.
TEST_F(TorchLayerTest, GradientAveragingAndClippingIsSilent) {
  Net model;
  ag::watch(*model);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  const int replicas = 2;
  for (int step = 0; step < 2; ++step) {
    sgd.zero_grad();
    idioms_backward(model);
    for (auto& p : model->parameters())
      if (p.grad().defined()) p.grad().div_(replicas);
    torch::nn::utils::clip_grad_norm_(model->parameters(), 0.5);
    sgd.step();
  }
  EXPECT_TRUE(take_reports().empty());
}

// torch::nn::init functions write the parameters they are given, under their own no-grad.
TEST_F(TorchLayerTest, NnInitOnParametersThenTrainingIsSilent) {
  Net model;
  ag::watch(*model);
  torch::nn::init::xavier_uniform_(model->fc1->weight);
  torch::nn::init::zeros_(model->fc1->bias);
  torch::nn::init::kaiming_normal_(model->fc2->weight);
  torch::nn::init::constant_(model->fc2->bias, 0.1);
  torch::nn::init::normal_(model->bn->weight, 1.0, 0.02);
  torch::nn::init::orthogonal_(model->fc2->weight);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  for (int step = 0; step < 2; ++step) train_step(model, sgd);
  EXPECT_TRUE(take_reports().empty());
}

// In-place initialisation through parameters(), under NoGradGuard (normal_, uniform_,
// zero_) and without it through data(): the module's own handles write, then training reads.
TEST_F(TorchLayerTest, InPlaceInitThroughParametersThenTrainingIsSilent) {
  Net model;
  ag::watch(*model);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model->fc1->parameters()) p.normal_(0.0, 0.02);
    for (auto& p : model->fc2->parameters()) p.uniform_(-0.1, 0.1);
    for (auto& p : model->bn->parameters()) p.zero_();
  }
  for (auto& p : model->parameters()) p.data().normal_(0.0, 0.05);
  model->fc2->bias.data().zero_();
  model->bn->weight.data().fill_(1.0);
  EXPECT_TRUE(torch::equal(model->fc2->bias, torch::zeros_like(model->fc2->bias)));
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  for (int step = 0; step < 2; ++step) train_step(model, sgd);
  model->eval();
  model->forward(torch::ones({2, 4}));
  EXPECT_TRUE(take_reports().empty());
}

// Distributed parameter averaging (local SGD, model averaging): all_reduce of each
// parameter's data(), and of the parameter itself under NoGradGuard, then a division by the
// world size. A real gloo process group of one rank: the collective writes the module's own
// bytes, on gloo's worker thread.
TEST_F(TorchLayerTest, DistributedParameterAveragingIsSilent) {
#ifdef AG_TEST_HAS_GLOO
  const std::string store_path = testing::TempDir() + "aliasguard_torch_filestore";
  std::remove(store_path.c_str());
  Net model;
  ag::watch(*model);
  {
    auto store = c10::make_intrusive<c10d::FileStore>(store_path, 1);
    auto options = c10d::ProcessGroupGloo::Options::create();
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, 0, 1, options);
    const int world = group->getSize();
    torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
    for (int round = 0; round < 2; ++round) {
      train_step(model, sgd);
      for (auto& p : model->parameters()) {
        std::vector<torch::Tensor> one{round == 0 ? p.data() : p};
        torch::NoGradGuard no_grad;
        group->allreduce(one)->wait();
        p.data().div_(world);
      }
    }
    const torch::Tensor before = model->fc1->weight.detach().clone();
    std::vector<torch::Tensor> weight{model->fc1->weight.data()};
    group->allreduce(weight)->wait();
    EXPECT_TRUE(torch::equal(model->fc1->weight, before)) << "one rank: the sum is the value";
  }
  std::remove(store_path.c_str());
  model->eval();
  model->forward(torch::ones({2, 4}));
  EXPECT_TRUE(take_reports().empty());
#else
  GTEST_SKIP() << "gloo's headers were not found when this was built (Debian: apt-get install libgloo-dev)";
#endif
}

// A test perturbing the original on purpose to show that its clone() is a distinct model
// (Sequential is Cloneable; clone() gives every parameter and buffer new storage).
TEST_F(TorchLayerTest, PerturbingTheOriginalToShowItsCloneIsDistinctIsSilent) {
  torch::nn::Sequential model(torch::nn::Linear(4, 8), torch::nn::ReLU(), torch::nn::Linear(8, 2));
  ag::watch(*model);
  auto copy = std::dynamic_pointer_cast<torch::nn::SequentialImpl>(model->clone());
  ASSERT_TRUE(copy);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model->parameters()) p.add_(1.0);
  }
  const auto original = model->named_parameters();
  const auto cloned = copy->named_parameters();
  for (const auto& item : original) EXPECT_FALSE(torch::equal(item.value(), cloned[item.key()])) << item.key();
  model->forward(torch::ones({2, 4}));
  copy->forward(torch::ones({2, 4}));
  EXPECT_TRUE(take_reports().empty());
}

// The bug next to the reset_parameters() idiom: a state_dict kept across the reset shares
// the parameters' storage, so loading it back copies the new values onto themselves.
TEST_F(TorchLayerTest, SnapshotKeptAcrossResetParametersThenRestoredIsReported) {
  Net model;
  ag::watch(*model);
  const ag::StateDict before = ag::state_dict(*model);
  model->fc1->reset_parameters();
  const int load_line = __LINE__ + 1;
  ag::load_state_dict(*model, before);
  expect_every_report(Kind::StaleSnapshotRead, {__FILE__, load_line});
}

// Saving a snapshot kept from before training: the file holds the trained values, so the
// save is a stale read of every entry the step or the forward wrote. The serializer copies
// storages without an operator call; the layer sees the save through the function that
// hands it each tensor (Note [Saving] in plugins/libtorch/src/save.cpp).
TEST_F(TorchLayerTest, SavingAStaleSnapshotIsReported) {
  Net model;
  ag::watch(*model);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  const ag::StateDict initial = ag::state_dict(*model);
  train_step(model, sgd);
  const std::string path = testing::TempDir() + "aliasguard_torch_stale_save.pt";
  const int save_line = __LINE__ + 1;
  torch::save(initial.values(), path);
  std::remove(path.c_str());
  const auto reports = take_reports();
  ASSERT_FALSE(reports.empty());
  // The optimizer wrote the parameters, BatchNorm's training forward its running statistics.
  std::set<unsigned> write_lines;
  for (const auto& r : reports) {
    expect_report(r, Kind::StaleSnapshotRead, nullptr, {__FILE__, save_line});
    EXPECT_TRUE(same_file(r.write.file, "torch_test_util.cpp")) << r.write.file;
    write_lines.insert(r.write.line);
  }
  EXPECT_EQ(write_lines, (std::set<unsigned>{static_cast<unsigned>(kForwardLine), static_cast<unsigned>(kStepLine)}));
}

// The same through an OutputArchive, as SaveLoadRoundTripIsSilent saves: reported at
// save_to(), where the bytes are read, not at write(), which only names the tensor.
TEST_F(TorchLayerTest, SavingAStaleSnapshotThroughAnArchiveIsReported) {
  Net model;
  ag::watch(*model);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  const ag::StateDict initial = ag::state_dict(*model);
  train_step(model, sgd);
  const std::string path = testing::TempDir() + "aliasguard_torch_stale_archive.pt";
  torch::serialize::OutputArchive archive;
  for (const auto& item : initial) archive.write(item.key(), item.value());
  const int save_line = __LINE__ + 1;
  archive.save_to(path);
  std::remove(path.c_str());
  const auto reports = take_reports();
  ASSERT_FALSE(reports.empty());
  // The optimizer wrote the parameters, BatchNorm's training forward its running statistics.
  std::set<unsigned> write_lines;
  for (const auto& r : reports) {
    expect_report(r, Kind::StaleSnapshotRead, nullptr, {__FILE__, save_line});
    EXPECT_TRUE(same_file(r.write.file, "torch_test_util.cpp")) << r.write.file;
    write_lines.insert(r.write.line);
  }
  EXPECT_EQ(write_lines, (std::set<unsigned>{static_cast<unsigned>(kForwardLine), static_cast<unsigned>(kStepLine)}));
}

// Saving after training what is current: the module itself, a fresh state_dict, and the
// parameters() list. Every tensor saved holds the values it stands for.
TEST_F(TorchLayerTest, SavingTheTrainedModelAndAFreshSnapshotIsSilent) {
  Net model;
  ag::watch(*model);
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  for (int step = 0; step < 2; ++step) train_step(model, sgd);
  const std::string path = testing::TempDir() + "aliasguard_torch_fresh_save.pt";
  torch::save(model, path);
  torch::save(ag::state_dict(*model).values(), path);
  torch::save(model->parameters(), path);
  std::vector<torch::Tensor> loaded;
  torch::load(loaded, path);
  std::remove(path.c_str());
  ASSERT_EQ(loaded.size(), model->parameters().size());
  EXPECT_TRUE(torch::equal(loaded[0], model->parameters()[0]));
  EXPECT_TRUE(take_reports().empty());
}

}  // namespace
}  // namespace torch_layer_test
