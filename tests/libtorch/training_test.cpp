// Intended updates that share storage and must stay silent (flat parameter buffers, target
// networks), results unchanged by checking, and a snapshot read from another thread.

#include "torch_test_util.h"

#include <c10/core/impl/LocalDispatchKeySet.h>

#include <atomic>
#include <thread>
#include <utility>

namespace torch_layer_test {
namespace {

using aliasguard::check::Kind;

// Parameters that are disjoint views of one flat buffer, as fused optimizers and
// DistributedDataParallel's buckets lay them out (reduced from apex's FusedAdam flat
// buffers and DDP's gradient buckets).
struct FlatImpl : torch::nn::Module {
  FlatImpl() : flat(torch::randn({10})) {
    w = register_parameter("w", flat.narrow(0, 0, 6).view({2, 3}));
    b = register_parameter("b", flat.narrow(0, 6, 4), /*requires_grad=*/false);
  }
  torch::Tensor forward(const torch::Tensor& x) { return torch::matmul(x, w.t()).sum() + b.sum(); }
  torch::Tensor flat, w, b;
};
TORCH_MODULE(Flat);

TEST_F(TorchLayerTest, FlatBufferWithDisjointViewsIsSilentWhereBytesDoNotOverlap) {
  Flat model;
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  const ag::StateDict snapshot = ag::state_dict(*model);
  for (int step = 0; step < 3; ++step) {
    sgd.zero_grad();
    model->forward(torch::ones({1, 3})).backward();
    sgd.step();  // writes w's bytes only: b is frozen
  }
  (void)snapshot["b"].sum();  // b's bytes were never written: silent
  EXPECT_TRUE(take_reports().empty());
  const int read_w = __LINE__ + 1;
  (void)snapshot["w"].sum();  // the control: w's bytes were
  const auto reports = take_reports();
  ASSERT_EQ(reports.size(), 1u);
  expect_report(reports[0], Kind::StaleSnapshotRead, "w", {__FILE__, read_w});
}

TEST_F(TorchLayerTest, TargetNetworkSoftUpdateIsSilent) {
  // DQN/DDPG's target network: loaded from the online one, then moved towards it by
  // polyak averaging through parameters() (reduced from the soft updates of the
  // pytorch/examples reinforcement-learning scripts and Stable-Baselines3's polyak_update).
  Net online;
  Net target;
  ag::load_state_dict(*target, ag::state_dict(*online));
  torch::optim::Adam adam(online->parameters(), torch::optim::AdamOptions(1e-2));
  const double tau = 0.05;
  for (int step = 0; step < 4; ++step) {
    train_step(online, adam);
    torch::NoGradGuard no_grad;
    auto to = target->parameters();
    auto from = online->parameters();
    for (std::size_t i = 0; i < to.size(); ++i) to[i].mul_(1 - tau).add_(from[i], tau);
  }
  target->forward(torch::ones({2, 4}));
  EXPECT_TRUE(take_reports().empty());
}

// Trains a fresh model for a few steps with the layer on or off on this thread.
std::vector<torch::Tensor> train_weights(bool checked) {
  c10::impl::tls_set_dispatch_key_included(c10::DispatchKey::TESTING_ONLY_GenericMode, checked);
  torch::manual_seed(7);
  Net model;
  const ag::StateDict best = ag::deep_copy(ag::state_dict(*model));
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-2));
  for (int step = 0; step < 5; ++step) train_step(model, adam);
  ag::load_state_dict(*model, best);
  for (int step = 0; step < 5; ++step) train_step(model, adam);
  c10::impl::tls_set_dispatch_key_included(c10::DispatchKey::TESTING_ONLY_GenericMode, true);
  std::vector<torch::Tensor> weights;
  for (const auto& item : ag::state_dict(*model)) weights.push_back(item.value().clone());
  return weights;
}

TEST_F(TorchLayerTest, CheckingLeavesTrainingResultsBitwiseIdentical) {
  const std::vector<torch::Tensor> checked = train_weights(true);
  const std::vector<torch::Tensor> unchecked = train_weights(false);
  ASSERT_EQ(checked.size(), unchecked.size());
  for (std::size_t i = 0; i < checked.size(); ++i) {
    ASSERT_EQ(checked[i].nbytes(), unchecked[i].nbytes());
    EXPECT_EQ(std::memcmp(checked[i].data_ptr(), unchecked[i].data_ptr(), checked[i].nbytes()), 0) << i;
  }
  EXPECT_TRUE(take_reports().empty());
}

TEST_F(TorchLayerTest, SnapshotReadOnAnotherThreadIsReported) {
  Net model;
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  const ag::StateDict old = ag::state_dict(*model);
  std::atomic<bool> trained{false};
  std::thread trainer([&] {
    for (int step = 0; step < 3; ++step) train_step(model, sgd);
    trained = true;
  });
  int read_line = 0;
  std::thread reader([&] {
    while (!trained) std::this_thread::yield();
    read_line = __LINE__ + 1;
    (void)old["fc1.weight"].sum();
  });
  trainer.join();
  reader.join();
  const auto reports = take_reports();
  ASSERT_EQ(reports.size(), 1u);
  expect_report(reports[0], Kind::StaleSnapshotRead, "fc1.weight", {__FILE__, read_line},
                {"torch_test_util.cpp", kStepLine});
}

// Two functions that make the same optimizer call at the same stack depth: the layer's site
// cache (Note [Site cache]) must tell them apart by their return addresses.
const int kStepALine = __LINE__ + 1;
[[gnu::noinline]] void step_a(torch::optim::Optimizer& o) { o.step(); }
const int kStepBLine = __LINE__ + 1;
[[gnu::noinline]] void step_b(torch::optim::Optimizer& o) { o.step(); }

TEST_F(TorchLayerTest, WriteSitesOfTheSameCallFromTwoFunctionsStayApart) {
  torch::nn::Linear m(2, 2);
  torch::optim::SGD sgd(m->parameters(), torch::optim::SGDOptions(0.5));
  m->forward(torch::ones({1, 2})).sum().backward();
  for (const auto& [step, line] : {std::pair{&step_a, kStepALine}, {&step_b, kStepBLine}, {&step_a, kStepALine}}) {
    const ag::StateDict kept = ag::state_dict(*m);
    step(sgd);
    const int read_line = __LINE__ + 1;
    (void)kept["weight"].sum();
    const auto reports = take_reports();
    ASSERT_EQ(reports.size(), 1u);
    expect_report(reports[0], Kind::StaleSnapshotRead, "weight", {__FILE__, read_line}, {__FILE__, line});
  }
}

// A stale snapshot deep-copied only to be loaded restores the trained weights (lottery-ticket
// rewinding written this way): reported at the load, naming the deep copy. The deep copy and
// its other uses stay silent (Note [Late deep copies] in the tracker).
TEST_F(TorchLayerTest, StaleSnapshotDeepCopiedLateThenLoadedIsReportedAtTheLoad) {
  Net model;
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  const ag::StateDict init = ag::state_dict(*model);
  train_step(model, sgd);
  const int copy_line = __LINE__ + 1;
  const ag::StateDict late = ag::deep_copy(init);
  (void)late["fc1.weight"].sum();
  EXPECT_TRUE(take_reports().empty());
  const int load_line = __LINE__ + 1;
  ag::load_state_dict(*model, late);
  const auto reports = take_reports();
  ASSERT_FALSE(reports.empty());
  bool weight_reported = false;
  for (const auto& r : reports) {
    // The parameters missed the step; BatchNorm's buffers missed the forward before it.
    const bool weight = r.observer.label == "fc1.weight";
    weight_reported = weight_reported || weight;
    expect_report(r, Kind::StaleSnapshotRead, nullptr, {__FILE__, load_line},
                  weight ? At{"torch_test_util.cpp", kStepLine} : At{});
    EXPECT_TRUE(same_file(r.copied_file, __FILE__)) << r.copied_file;
    EXPECT_EQ(r.copied_line, static_cast<unsigned>(copy_line));
  }
  EXPECT_TRUE(weight_reported);
}

TEST_F(TorchLayerTest, RewindingToADeepCopyTakenBeforeTrainingIsSilent) {
  Net model;
  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.1));
  const ag::StateDict init = ag::deep_copy(ag::state_dict(*model));
  train_step(model, sgd);
  ag::load_state_dict(*model, init);
  EXPECT_TRUE(take_reports().empty());
  EXPECT_TRUE(torch::equal(model->fc1->weight, init["fc1.weight"]));
}

}  // namespace
}  // namespace torch_layer_test
