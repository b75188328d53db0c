#pragma once
// Shared by the checked-runtime tests: a fixture that starts and ends with no recorded
// violations (so the process exit code reflects only what a test leaves behind), a model
// shaped like the seed's, and helpers to pick reports apart.

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <aliasguard/aliasguard.h>
#include <aliasguard/check.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace ag = aliasguard;

/// The seed's model: one Linear layer named "fc".
struct TwoByTwo : ag::nn::Module {
  TwoByTwo() : Module("TwoByTwo"), fc(register_module("fc", std::make_shared<ag::nn::Linear>(2, 2))) {}
  ag::Tensor forward(const ag::Tensor& x) override { return fc->forward(x); }
  std::shared_ptr<ag::nn::Linear> fc;
};

class CheckedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ag::check::enabled()) << "this binary must link aliasguard::runtime_checked";
    ag::check::reset();
  }
  void TearDown() override { ag::check::reset(); }

  static std::vector<ag::check::Violation> of_kind(ag::check::Kind kind) {
    std::vector<ag::check::Violation> out;
    for (const auto& v : ag::check::violations()) {
      if (v.kind == kind) out.push_back(v);
    }
    return out;
  }
};

/// True when ALIASGUARD_OPTIONS contains `flag` (e.g. "detect=write").
inline bool mode_is(const std::string& flag) {
  const char* env = std::getenv("ALIASGUARD_OPTIONS");
  return env != nullptr && std::string(env).find(flag) != std::string::npos;
}

/// The file name part of a path, for comparing origins.
inline std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// Whether a report made inside the runtime's own code can name the user's frame instead: the
/// tracker symbolizes the stack with libdw.so.1, loaded when needed (Note [Library sites]).
inline bool can_name_callers_of_the_runtime() { return dlopen("libdw.so.1", RTLD_NOW | RTLD_LOCAL) != nullptr; }
