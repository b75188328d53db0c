#pragma once
// Shared by the tensor API tests: a fixture parameterised over devices, plus small reference
// helpers. Expected values in the tests are computed here by plain loops over the geometry,
// never by calling the runtime op under test.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "aliasguard/device.h"
#include "aliasguard/error.h"
#include "aliasguard/tensor.h"

namespace aliasguard::test {

/// Runs each TEST_P once on the host and once on CUDA device 0; the CUDA run skips itself
/// when no GPU can be used, so the suite passes on machines without one.
// No PrintTo(Device) here: defining it in only some test files would give gtest's printer
// template two different definitions across the binary (an ODR violation). The test names end
// in /CPU and /CUDA0 instead; an operator<< in device.h would fix the printing for everyone.
class DeviceTest : public ::testing::TestWithParam<Device> {
 protected:
  void SetUp() override {
    if (GetParam().is_cuda() && !cuda::is_available()) GTEST_SKIP() << "no usable CUDA device";
  }

  Device device() const { return GetParam(); }
  TensorOptions opts(ScalarType dtype = kFloat32) const { return TensorOptions(dtype).device(GetParam()); }

  /// A float32 tensor on the fixture's device holding `values` with `shape`.
  Tensor make(const std::vector<float>& values, const Shape& shape) const {
    return tensor(values, shape, opts(kFloat32));
  }
  Tensor make_i64(const std::vector<std::int64_t>& values, const Shape& shape) const {
    return tensor(values, shape, opts(kInt64));
  }
  Tensor make_f64(const std::vector<double>& values, const Shape& shape) const {
    return tensor(values, shape, opts(kFloat64));
  }
  /// Float32 tensor whose element at storage index i holds the value i (built by a loop, not
  /// by arange), so a view's values spell out which storage elements it covers.
  Tensor iota(const Shape& shape) const {
    std::int64_t n = 1;
    for (std::int64_t s : shape) n *= s;
    std::vector<float> v(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
    return make(v, shape);
  }
};

inline std::string device_param_name(const ::testing::TestParamInfo<Device>& info) {
  return info.param.is_cuda() ? "CUDA" + std::to_string(info.param.index()) : "CPU";
}

/// Storage indices covered by a (sizes, strides, offset) window, in row-major order: the values
/// `iota(...)` viewed through that geometry must show.
inline std::vector<float> gather(const Shape& sizes, const Shape& strides, std::int64_t offset) {
  std::vector<float> out;
  std::int64_t n = 1;
  for (std::int64_t s : sizes) n *= s;
  std::vector<std::int64_t> idx(sizes.size(), 0);
  for (std::int64_t k = 0; k < n; ++k) {
    std::int64_t pos = offset;
    for (std::size_t d = 0; d < sizes.size(); ++d) pos += idx[d] * strides[d];
    out.push_back(static_cast<float>(pos));
    for (std::size_t d = sizes.size(); d-- > 0;) {
      if (++idx[d] < sizes[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/// The message of the aliasguard::Error `fn` throws; records a failure if it throws nothing.
inline std::string error_message(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a non-aliasguard exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected an aliasguard::Error, nothing was thrown";
  return "";
}

inline std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace aliasguard::test

/// Instantiates `Fixture` (a subclass of DeviceTest) as .../CPU and .../CUDA0.
#define AG_INSTANTIATE_ON_DEVICES(Fixture)                                                    \
  INSTANTIATE_TEST_SUITE_P(Devices, Fixture,                                                  \
                           ::testing::Values(::aliasguard::Device::cpu(), ::aliasguard::Device::cuda(0)), \
                           ::aliasguard::test::device_param_name)

/// Expects `stmt` to throw aliasguard::Error whose message contains every listed substring.
#define AG_EXPECT_ERROR_MENTIONS(stmt, ...)                                                   \
  do {                                                                                        \
    const std::string ag_msg_ = ::aliasguard::test::error_message([&] { (void)(stmt); });     \
    for (const char* ag_part_ : std::initializer_list<const char*>{__VA_ARGS__}) {            \
      EXPECT_NE(ag_msg_.find(ag_part_), std::string::npos)                                    \
          << "message of `" #stmt "` does not mention \"" << ag_part_ << "\": " << ag_msg_;   \
    }                                                                                         \
  } while (false)
