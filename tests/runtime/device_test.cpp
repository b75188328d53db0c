// The small value types every op is built on: Device, ScalarType helpers, Scalar,
// TensorOptions and shape_str. Host-only; the CUDA query functions are checked for
// consistency with what the machine offers.

#include <gtest/gtest.h>

#include <cstdint>
#include <type_traits>

#include "aliasguard/device.h"
#include "aliasguard/dtype.h"
#include "aliasguard/scalar.h"
#include "aliasguard/tensor.h"
#include "aliasguard/tensor_options.h"

namespace aliasguard {
namespace {

// --- Device ----------------------------------------------------------------------------------

static_assert(Device() == Device::cpu());
static_assert(Device::cuda().index() == 0);
static_assert(Device::cuda(2) != Device::cuda(1));
static_assert(Device::cpu() != Device::cuda(0));
static_assert(Device(DeviceType::CUDA, 1) == Device::cuda(1));

TEST(DeviceValueTest, TypeAndIndex) {
  constexpr Device cpu = Device::cpu();
  EXPECT_TRUE(cpu.is_cpu());
  EXPECT_FALSE(cpu.is_cuda());
  EXPECT_EQ(cpu.type(), DeviceType::CPU);
  EXPECT_EQ(cpu.index(), 0);
  constexpr Device gpu = Device::cuda(3);
  EXPECT_TRUE(gpu.is_cuda());
  EXPECT_FALSE(gpu.is_cpu());
  EXPECT_EQ(gpu.type(), DeviceType::CUDA);
  EXPECT_EQ(gpu.index(), 3);
  EXPECT_EQ(Device(), Device::cpu());
  EXPECT_NE(Device::cuda(0), Device::cuda(1));
  EXPECT_FALSE(Device::cuda(0) != Device(DeviceType::CUDA, 0));
}

TEST(DeviceValueTest, StrMatchesPyTorch) {
  EXPECT_EQ(Device::cpu().str(), "cpu");
  EXPECT_EQ(Device::cuda().str(), "cuda:0");
  EXPECT_EQ(Device::cuda(1).str(), "cuda:1");
  EXPECT_EQ(Device(DeviceType::CUDA, 12).str(), "cuda:12");
}

TEST(CudaQueryTest, AvailabilityAgreesWithDeviceCount) {
  const int n = cuda::device_count();
  EXPECT_GE(n, 0);
  EXPECT_EQ(cuda::is_available(), n > 0);
  if (cuda::is_available()) {
    EXPECT_NO_THROW(cuda::synchronize(0));
    Tensor t = zeros({2}, Device::cuda(0));
    EXPECT_TRUE(t.is_cuda());
    EXPECT_EQ(t.device(), Device::cuda(0));
  }
}

// --- ScalarType helpers ----------------------------------------------------------------------

static_assert(element_size(kFloat32) == 4 && element_size(kFloat64) == 8);
static_assert(element_size(kInt64) == 8 && element_size(kBool) == 1);
static_assert(CppTypeToScalarType<float>::value == kFloat32);
static_assert(CppTypeToScalarType<double>::value == kFloat64);
static_assert(CppTypeToScalarType<std::int64_t>::value == kInt64);
static_assert(CppTypeToScalarType<bool>::value == kBool);

TEST(DtypeTest, ElementSizeMatchesCppTypes) {
  EXPECT_EQ(element_size(kFloat32), sizeof(float));
  EXPECT_EQ(element_size(kFloat64), sizeof(double));
  EXPECT_EQ(element_size(kInt64), sizeof(std::int64_t));
  EXPECT_EQ(element_size(kBool), sizeof(bool));
}

TEST(DtypeTest, NamesMatchPyTorchWithoutPrefix) {
  EXPECT_STREQ(dtype_name(kFloat32), "float32");
  EXPECT_STREQ(dtype_name(kFloat64), "float64");
  EXPECT_STREQ(dtype_name(kInt64), "int64");
  EXPECT_STREQ(dtype_name(kBool), "bool");
}

TEST(DtypeTest, IsFloating) {
  EXPECT_TRUE(is_floating(kFloat32));
  EXPECT_TRUE(is_floating(kFloat64));
  EXPECT_FALSE(is_floating(kInt64));
  EXPECT_FALSE(is_floating(kBool));
}

TEST(DtypeTest, PromoteTypesTable) {
  // torch.promote_types for every pair of our dtypes.
  const ScalarType all[] = {kBool, kInt64, kFloat32, kFloat64};
  const ScalarType expected[4][4] = {
      {kBool, kInt64, kFloat32, kFloat64},
      {kInt64, kInt64, kFloat32, kFloat64},
      {kFloat32, kFloat32, kFloat32, kFloat64},
      {kFloat64, kFloat64, kFloat64, kFloat64},
  };
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      EXPECT_EQ(promote_types(all[i], all[j]), expected[i][j])
          << dtype_name(all[i]) << " with " << dtype_name(all[j]);
    }
  }
}

// --- Scalar ----------------------------------------------------------------------------------

static_assert(Scalar(2).is_integral());
static_assert(!Scalar(2.0).is_integral());
static_assert(Scalar(true).is_integral());

TEST(ScalarTest, RemembersIntegralness) {
  Scalar i = 7;
  EXPECT_TRUE(i.is_integral());
  EXPECT_EQ(i.to_int(), 7);
  EXPECT_EQ(i.to_double(), 7.0);
  Scalar big = std::int64_t{1} << 62;  // exact as an int, rounded as a double
  EXPECT_EQ(big.to_int(), std::int64_t{1} << 62);
  Scalar u = std::uint8_t{200};
  EXPECT_TRUE(u.is_integral());
  EXPECT_EQ(u.to_int(), 200);
  Scalar f = 2.75f;
  EXPECT_FALSE(f.is_integral());
  EXPECT_EQ(f.to_double(), 2.75);
  EXPECT_EQ(f.to_int(), 2);
  Scalar d = -2.75;
  EXPECT_FALSE(d.is_integral());
  EXPECT_EQ(d.to_int(), -2);  // truncation toward zero
  Scalar t = true, fa = false;
  EXPECT_TRUE(t.is_integral());
  EXPECT_EQ(t.to_int(), 1);
  EXPECT_EQ(fa.to_double(), 0.0);
}

// --- TensorOptions ---------------------------------------------------------------------------

TEST(TensorOptionsTest, DefaultsAndBuilders) {
  TensorOptions o;
  EXPECT_EQ(o.dtype(), kFloat32);
  EXPECT_EQ(o.device(), Device::cpu());
  EXPECT_FALSE(o.requires_grad());
  TensorOptions b = o.dtype(kInt64).device(Device::cuda(1)).requires_grad(true);
  EXPECT_EQ(b.dtype(), kInt64);
  EXPECT_EQ(b.device(), Device::cuda(1));
  EXPECT_TRUE(b.requires_grad());
  EXPECT_EQ(o.dtype(), kFloat32);  // builders return copies
  EXPECT_FALSE(o.requires_grad());
}

TEST(TensorOptionsTest, ImplicitConversions) {
  static_assert(std::is_convertible_v<ScalarType, TensorOptions>);
  static_assert(std::is_convertible_v<Device, TensorOptions>);
  TensorOptions from_dtype = kFloat64;
  EXPECT_EQ(from_dtype.dtype(), kFloat64);
  EXPECT_EQ(from_dtype.device(), Device::cpu());
  TensorOptions from_device = Device::cuda(2);
  EXPECT_EQ(from_device.device(), Device::cuda(2));
  EXPECT_EQ(from_device.dtype(), kFloat32);
}

// --- shape_str -------------------------------------------------------------------------------

TEST(ShapeStrTest, PrintsLikeAList) {
  EXPECT_EQ(shape_str({}), "[]");
  EXPECT_EQ(shape_str({5}), "[5]");
  EXPECT_EQ(shape_str({2, 3}), "[2, 3]");
  EXPECT_EQ(shape_str({-1, 0, 4}), "[-1, 0, 4]");
}

}  // namespace
}  // namespace aliasguard
