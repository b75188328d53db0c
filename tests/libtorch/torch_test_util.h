#pragma once
// Shared by the LibTorch layer's tests: small models, a training step, and the violations
// reported since the last call, read through the tracker's own API (aliasguard::check).

#include <aliasguard/torch.h>
#include <aliasguard/tracker/violation.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

namespace torch_layer_test {

namespace ag = aliasguard::torch;

/// Two Linear layers and a BatchNorm1d (parameters and buffers), as small models are.
struct NetImpl : torch::nn::Module {
  NetImpl()
      : fc1(register_module("fc1", torch::nn::Linear(4, 8))),
        bn(register_module("bn", torch::nn::BatchNorm1d(8))),
        fc2(register_module("fc2", torch::nn::Linear(8, 2))) {}
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Linear fc1;
  torch::nn::BatchNorm1d bn;
  torch::nn::Linear fc2;
};
TORCH_MODULE(Net);

/// The line of NetImpl::forward's call that reads the parameters (torch_test_util.cpp).
extern const int kForwardLine;

/// One step of MSE regression on fixed data: forward, backward, optimizer.step().
void train_step(Net& model, torch::optim::Optimizer& optimizer);
/// The line of train_step's optimizer.step().
extern const int kStepLine;

/// Violations reported since the last call (and forgets them, so the exit status stays 0).
inline std::vector<aliasguard::check::Violation> take_reports() {
  std::vector<aliasguard::check::Violation> v = aliasguard::check::violations();
  aliasguard::check::reset();
  return v;
}

/// Whether `reported` names the source file `expected` (compared by file name: the compiler
/// and the DWARF line table may spell the directory differently).
inline bool same_file(const std::string& reported, const char* expected) {
  return !reported.empty() &&
         std::filesystem::path(reported).filename() == std::filesystem::path(expected).filename();
}

/// A source location as the tests expect reports to name it.
struct At {
  const char* file = nullptr;  // nullptr: not checked
  int line = 0;
};

/// Expects `r` to be a `kind` read at `read` through a handle named `label` (nullptr: not
/// checked) that saw a write made at `write`.
inline void expect_report(const aliasguard::check::Violation& r, aliasguard::check::Kind kind, const char* label,
                          At read, At write = {}) {
  EXPECT_EQ(r.kind, kind);
  if (label != nullptr) {
    EXPECT_EQ(r.observer.label, label);
  }
  EXPECT_TRUE(same_file(r.observer.file, read.file)) << r.observer.file;
  EXPECT_EQ(r.observer.line, static_cast<unsigned>(read.line));
  if (write.file == nullptr) return;
  EXPECT_TRUE(same_file(r.write.file, write.file)) << r.write.file;
  EXPECT_EQ(r.write.line, static_cast<unsigned>(write.line));
}

/// Expects at least one report since the last call (and forgets them), each a `kind` read
/// at `read` that saw a write at `write` (not checked when `write.file` is null).
inline void expect_every_report(aliasguard::check::Kind kind, At read, At write = {}) {
  const std::vector<aliasguard::check::Violation> reports = take_reports();
  ASSERT_FALSE(reports.empty());
  for (const auto& r : reports) expect_report(r, kind, nullptr, read, write);
}

/// A fixture that starts from a clean report list and no leftover reports.
class TorchLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ag::checking()) << "the test links aliasguard::torch_checked";
    torch::manual_seed(0);
    take_reports();
  }
  void TearDown() override { take_reports(); }
};

}  // namespace torch_layer_test
