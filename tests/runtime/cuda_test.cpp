// The CUDA backend against the host backend: every scenario runs once on the host and once
// on cuda:0 from the same inputs and the results are compared element by element (ggml's
// test-backend-ops idea). Shapes are odd and some tensors exceed 1M elements so that grid-
// stride loops, warp- and block-per-row reductions and partial matmul tiles all run.
// Without a usable GPU these tests skip, and the "unavailable" tests check the error path.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "aliasguard/device.h"
#include "aliasguard/error.h"
#include "aliasguard/generator.h"
#include "aliasguard/tensor.h"
#include "backend.h"
#include "tensor_impl.h"
#include "cuda/cuda_status.h"

namespace aliasguard::test {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

#define AG_REQUIRE_CUDA()                                                                    \
  do {                                                                                       \
    if (!cuda::is_available()) {                                                             \
      /* the reason starts "no usable CUDA device: " or says CUDA was not built */           \
      GTEST_SKIP() << detail::cuda_unavailable_reason();                                     \
    }                                                                                        \
  } while (0)

// --- without a GPU -----------------------------------------------------------------------------

TEST(CudaUnavailable, ReportsNoDevices) {
  if (cuda::is_available()) GTEST_SKIP() << "a CUDA device is usable here";
  EXPECT_EQ(cuda::device_count(), 0);
  EXPECT_FALSE(detail::cuda_unavailable_reason().empty());
}

TEST(CudaUnavailable, CreatingACudaTensorThrowsWithCudasReason) {
  if (cuda::is_available()) GTEST_SKIP() << "a CUDA device is usable here";
  const std::string reason = detail::cuda_unavailable_reason();
  try {
    (void)zeros({2}, Device::cuda(0));
    FAIL() << "zeros on cuda:0 did not throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
  }
}

TEST(CudaUnavailable, BackendAndSynchronizeThrow) {
  if (cuda::is_available()) GTEST_SKIP() << "a CUDA device is usable here";
  EXPECT_THROW(detail::cuda_backend(), Error);
  EXPECT_THROW(cuda::synchronize(0), Error);
  EXPECT_THROW((void)tensor({1.0f, 2.0f}).to(Device::cuda(0)), Error);
}

// --- helpers -----------------------------------------------------------------------------------

/// Deterministic inputs built on the host, then moved: host and CUDA start from equal bytes.
Tensor input(const Shape& shape, std::uint64_t seed, Device device, ScalarType dtype = kFloat32) {
  Generator gen(seed);
  Tensor t = randn(shape, kFloat32, &gen);
  if (dtype == kInt64) t = (t * 10.0).to(kInt64);
  if (dtype == kBool) t = t.eq(t.clamp(-0.3, 0.3));
  if (dtype == kFloat64) t = t.to(kFloat64);
  return t.to(device);
}

/// Element-wise comparison; NaN matches NaN, floats within `tol` relative (absolute near 0).
void expect_matches_host(const Tensor& host, const Tensor& device, double tol) {
  ASSERT_TRUE(device.is_cuda());
  ASSERT_EQ(host.dtype(), device.dtype());
  ASSERT_EQ(host.sizes(), device.sizes());
  if (is_floating(host.dtype())) {
    const std::vector<double> h = host.to_vector<double>();
    const std::vector<double> d = device.to_vector<double>();
    ASSERT_EQ(h.size(), d.size());
    std::int64_t reported = 0;
    for (std::size_t i = 0; i < h.size() && reported < 10; ++i) {
      const bool ok = std::isnan(h[i]) ? std::isnan(d[i])
                                       : (h[i] == d[i] || std::fabs(h[i] - d[i]) <= tol * std::max(1.0, std::fabs(h[i])));
      if (!ok) {
        ++reported;
        ADD_FAILURE() << "element " << i << ": host " << h[i] << ", cuda " << d[i];
      }
    }
  } else {
    EXPECT_EQ(host.to_vector<std::int64_t>(), device.to_vector<std::int64_t>());
  }
}

/// One op sequence, run on a given device; returns every tensor worth comparing.
struct Scenario {
  std::string name;
  std::function<std::vector<Tensor>(Device)> run;
  double tol = 1e-6;
};

// So gtest names the scenario instead of dumping its bytes in failure messages.
void PrintTo(const Scenario& s, std::ostream* os) { *os << s.name; }

std::vector<Scenario> scenarios() {
  return {
      {"AddBroadcastAlpha",
       [](Device d) { return std::vector<Tensor>{input({37, 129}, 1, d).add(input({129}, 2, d), 2.5)}; }},
      {"SubTransposed",
       [](Device d) { return std::vector<Tensor>{input({129, 37}, 3, d).t() - input({37, 129}, 4, d)}; }},
      {"MulStepSlices",
       [](Device d) {
         Tensor a = input({41, 300}, 5, d).slice(1, 1, std::nullopt, 3);
         Tensor b = input({300, 41}, 6, d).t().slice(1, 0, 298, 3);
         return std::vector<Tensor>{a * b};
       }},
      {"DivAndScalars",
       [](Device d) {
         Tensor a = input({53, 61}, 7, d);
         Tensor b = input({53, 61}, 8, d);
         return std::vector<Tensor>{a / (b + 3.0), 2.0 - a, a / 3.0, 1.5 * a, 4.0 / (a.clamp(0.5) + 1.0), a - 1.25};
       }},
      {"UnaryFloat32",
       [](Device d) {
         Tensor a = input({17, 1023}, 9, d).slice(1, 3);
         return std::vector<Tensor>{a.exp(), a.clamp(1e-3).log(), a.sigmoid(), a.relu(), a.neg(), -a};
       },
       1e-5},
      {"UnaryFloat64",
       [](Device d) {
         Tensor a = input({257, 33}, 10, d, kFloat64).t();
         return std::vector<Tensor>{a.exp(), a.clamp(1e-3).log(), a.sigmoid(), a.relu(), a.neg()};
       },
       1e-12},
      {"Clamp",
       [](Device d) {
         Tensor a = input({99, 101}, 11, d);
         return std::vector<Tensor>{a.clamp(-0.5, 0.5), a.clamp(0.25), a.clamp(std::nullopt, -0.1), a.clamp(1.0, -1.0)};
       }},
      {"NaNFlowsThroughElementwise",
       [](Device d) {
         Tensor a = tensor({kNaN, -1.0f, 0.0f, -0.0f, 2.0f, kNaN}).to(d);
         return std::vector<Tensor>{a.relu(), a.clamp(-0.5, 0.5), a + 1.0, a.eq(a), a.eq(2.0)};
       }},
      {"Eq",
       [](Device d) {
         Tensor a = input({64, 65}, 12, d);
         Tensor i = input({64, 65}, 13, d, kInt64);
         return std::vector<Tensor>{a.eq(a.clamp(-0.5, 0.5)), i.eq(3), i.eq(2.5), i.eq(i.t().t()),
                                    input({7, 9}, 14, d, kBool).eq(input({7, 9}, 15, d, kBool))};
       }},
      {"Int64Arithmetic",
       [](Device d) {
         Tensor a = input({45, 77}, 16, d, kInt64);
         Tensor b = input({77}, 17, d, kInt64);
         return std::vector<Tensor>{a.add(b, 3), a.sub(b), a * b, -a, a.relu(), a.clamp(-3, 4), a * 7, 100 - a,
                                    a.sum(1), a.sum(), a / b, a.exp(), a.sigmoid()};
       }},
      {"DtypeConversions",
       [](Device d) {
         Tensor a = input({33, 35}, 18, d) * 100.0;
         Tensor b = input({33, 35}, 19, d, kBool);
         return std::vector<Tensor>{a.to(kInt64), a.to(kFloat64), a.to(kBool), b.to(kFloat32), b.to(kInt64),
                                    a.t().to(kFloat64), a.to(kInt64).to(kFloat32)};
       }},
      {"InPlace",
       [](Device d) {
         Tensor x = input({70, 90}, 20, d).clone();
         x.add_(input({90}, 21, d));
         x.mul_(2.0);
         x.sub_(input({70, 90}, 22, d), 0.5);
         x.div_(1.5);
         x.clamp_(-2.0, 2.0);
         x.slice(1, 0, std::nullopt, 2).fill_(7.0);
         x.t().slice(0, 1, 3).zero_();
         return std::vector<Tensor>{x};
       }},
      {"ReduceShortRows",  // warp per row
       [](Device d) {
         Tensor a = input({1531, 17}, 23, d);
         auto [values, indices] = a.max(1);
         return std::vector<Tensor>{a.sum(1), a.mean(1), values, indices, a.argmax(1), a.sum(0), std::get<0>(a.max(0, true))};
       },
       1e-5},
      {"ReduceLongRows",  // block per row
       [](Device d) {
         Tensor a = input({33, 4099}, 24, d);
         auto [values, indices] = a.max(1, true);
         return std::vector<Tensor>{a.sum(1), a.mean(1), values, indices, a.argmax(1), a.t().sum(0)};
       },
       1e-5},
      {"ReduceFloat64AndInt64",
       [](Device d) {
         Tensor f = input({129, 1100}, 25, d, kFloat64);
         Tensor i = input({3, 5001}, 26, d, kInt64);
         return std::vector<Tensor>{f.sum(1), f.mean(0), std::get<0>(f.max(1)), f.argmax(0), i.sum(1),
                                    std::get<0>(i.max(1)), i.argmax(1), input({5, 7}, 27, d, kBool).sum(1)};
       },
       1e-12},
      {"ReduceNaNAndTies",
       [](Device d) {
         Tensor a = tensor({1.0f, 3.0f, 3.0f, kNaN, kNaN, 2.0f, 5.0f, 5.0f, 1.0f, 0.0f, 0.0f, 0.0f}).to(d).view({3, 4});
         auto [values, indices] = a.max(1);
         Tensor ties = full({2, 3000}, 4.0, TensorOptions(kFloat32).device(d));
         ties.select(0, 1).slice(0, 1200).fill_(kNaN);
         return std::vector<Tensor>{values, indices, a.argmax(1), a.sum(1), ties.argmax(1), std::get<0>(ties.max(1))};
       }},
      {"LargeElementwise",  // > 1M elements, odd sizes, grid-stride loops
       [](Device d) {
         Tensor a = input({(1 << 20) + 4097}, 28, d);
         Tensor m = input({1031, 1029}, 29, d);
         return std::vector<Tensor>{a * 2.0 + a.sigmoid(), m.t() + 0.5, m.t().contiguous(), m.slice(0, 1).clamp(0.0)};
       },
       1e-6},
      {"LargeReductions",
       [](Device d) {
         Tensor a = input({(1 << 21) + 3}, 30, d);
         Tensor m = input({1031, 1029}, 31, d);
         return std::vector<Tensor>{a.sum(), a.mean(), a.max(), a.argmax(), m.sum(1), m.sum(0), m.argmax(0),
                                    m.t().argmax(1)};
       },
       1e-5},
      {"Matmul",
       [](Device d) {
         Tensor a = input({67, 129}, 32, d);
         Tensor b = input({129, 45}, 33, d);
         Tensor at = input({129, 67}, 34, d).t();
         Tensor bt = input({45, 129}, 35, d).t();
         return std::vector<Tensor>{a.matmul(b), at.matmul(bt), a.matmul(bt), input({1, 1}, 36, d).matmul(input({1, 1}, 37, d)),
                                    input({300, 257}, 38, d).matmul(input({257, 131}, 39, d)),
                                    zeros({3, 0}, TensorOptions(kFloat32).device(d)).matmul(zeros({0, 4}, TensorOptions(kFloat32).device(d)))};
       },
       1e-4},
      {"MatmulFloat64",
       [](Device d) {
         Tensor a = input({33, 70}, 40, d, kFloat64);
         Tensor b = input({35, 70}, 41, d, kFloat64).t();
         return std::vector<Tensor>{a.matmul(b), b.t().matmul(a.t())};
       },
       1e-11},
  };
}

class CudaMatchesHost : public ::testing::TestWithParam<Scenario> {};

// Runs without a GPU too, so a scenario broken by an API change fails here rather than
// only on the machines that have one.
TEST_P(CudaMatchesHost, ScenarioRunsOnTheHost) {
  const std::vector<Tensor> host = GetParam().run(Device::cpu());
  EXPECT_FALSE(host.empty());
}

TEST_P(CudaMatchesHost, ElementByElement) {
  AG_REQUIRE_CUDA();
  const Scenario& s = GetParam();
  const std::vector<Tensor> host = s.run(Device::cpu());
  const std::vector<Tensor> device = s.run(Device::cuda(0));
  ASSERT_EQ(host.size(), device.size());
  for (std::size_t i = 0; i < host.size(); ++i) {
    SCOPED_TRACE("result " + std::to_string(i));
    expect_matches_host(host[i], device[i], s.tol);
  }
}

std::string scenario_name(const ::testing::TestParamInfo<Scenario>& param) { return param.param.name; }

INSTANTIATE_TEST_SUITE_P(Scenarios, CudaMatchesHost, ::testing::ValuesIn(scenarios()), scenario_name);

// --- device-only behaviour -------------------------------------------------------------------

TEST(Cuda, RoundTripEveryDtype) {
  AG_REQUIRE_CUDA();
  for (ScalarType dtype : {kFloat32, kFloat64, kInt64, kBool}) {
    SCOPED_TRACE(dtype_name(dtype));
    const Tensor host = input({3, 1001}, 50, Device::cpu(), dtype);
    const Tensor device = host.to(Device::cuda(0));
    EXPECT_TRUE(device.is_cuda());
    EXPECT_FALSE(device.is_alias_of(host));
    const Tensor back = device.cpu();
    EXPECT_FALSE(back.device().is_cuda());
    EXPECT_TRUE(back.equal(host));
  }
}

TEST(Cuda, LargeRoundTripOfAView) {
  AG_REQUIRE_CUDA();
  const Tensor host = input({2053, 1021}, 51, Device::cpu());
  const Tensor view = host.t().slice(0, 3, 1000, 2);
  EXPECT_TRUE(view.to(Device::cuda(0)).cpu().equal(view));
}

TEST(Cuda, FreshStorageIsZeroFilled) {
  AG_REQUIRE_CUDA();
  // Churn the pool first so new storage may reuse freed blocks that held nonzero bytes.
  for (int i = 0; i < 4; ++i) (void)full({1 << 18}, 3.0, TensorOptions(kFloat32).device(Device::cuda(0)));
  const Tensor t = empty({(1 << 18) + 5}, TensorOptions(kFloat64).device(Device::cuda(0)));
  for (double v : t.to_vector<double>()) ASSERT_EQ(v, 0.0);
}

TEST(Cuda, SynchronizeAndDeviceRange) {
  AG_REQUIRE_CUDA();
  EXPECT_GE(cuda::device_count(), 1);
  EXPECT_NO_THROW(cuda::synchronize(0));
  EXPECT_THROW((void)zeros({2}, Device::cuda(cuda::device_count())), Error);
  EXPECT_THROW((void)zeros({2}, Device::cuda(-1)), Error);
}

TEST(Cuda, BackendRejectsDtypesItHasNoKernelFor) {
  AG_REQUIRE_CUDA();
  // The core promotes before these reach a backend (exp of int64 is float32, as in
  // PyTorch); called directly, the backend must refuse rather than reinterpret bytes.
  detail::Backend& backend = detail::cuda_backend();
  const Tensor i = arange(10).to(Device::cuda(0));
  const detail::StridedView v = i.impl()->strided_view();
  EXPECT_THROW(backend.unary(detail::UnaryOp::Exp, v, v), Error);
  EXPECT_THROW(backend.binary(detail::BinaryOp::Div, v, v, v, 1.0), Error);
  const Tensor b = i.eq(3);
  const detail::StridedView bv = b.impl()->strided_view();
  EXPECT_THROW(backend.binary_scalar(detail::BinaryOp::Add, bv, bv, 1.0, false), Error);
  EXPECT_THROW(backend.unary(detail::UnaryOp::Neg, bv, bv), Error);
  EXPECT_THROW(backend.binary(detail::BinaryOp::Add, bv, v, v, 1.0), Error);  // dtype mismatch
}

TEST(Cuda, BackendRejectsEmptyMaxRow) {
  AG_REQUIRE_CUDA();
  detail::Backend& backend = detail::cuda_backend();
  detail::StridedView in;
  in.dtype = kFloat32;
  in.ndim = 2;
  in.sizes[0] = 3;
  in.sizes[1] = 0;
  in.strides[0] = 0;
  in.strides[1] = 1;
  detail::StridedView out;
  out.dtype = kInt64;
  out.ndim = 1;
  out.sizes[0] = 3;
  out.strides[0] = 1;
  EXPECT_THROW(backend.reduce(detail::ReduceOp::ArgMax, out, in), Error);
}

}  // namespace
}  // namespace aliasguard::test
