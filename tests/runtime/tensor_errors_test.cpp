// Misuse throws aliasguard::Error with a message naming the offending values, and never
// crashes. Which calls fail was checked against PyTorch 1.13; message wording is ours, so
// only the values (indices, dims, shapes as shape_str prints them, dtype names) are required.

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "aliasguard/generator.h"
#include "aliasguard/tensor.h"
#include "tensor_test_fixture.h"

namespace aliasguard::test {
namespace {

class TensorErrorsTest : public DeviceTest {};

// --- views -----------------------------------------------------------------------------------

TEST_P(TensorErrorsTest, ViewWithWrongElementCount) {
  Tensor y = zeros({2, 3}, opts());
  AG_EXPECT_ERROR_MENTIONS(y.view({4}), "[4]", "6");
  AG_EXPECT_ERROR_MENTIONS(y.view({-1, 4}), "[-1, 4]", "6");
  AG_EXPECT_ERROR_MENTIONS(y.reshape({-1, 4}), "[-1, 4]", "6");
  EXPECT_THROW(y.view({-1, -1}), Error);
  EXPECT_THROW(y.reshape({-1, -1}), Error);
  EXPECT_THROW(zeros({0, 3}, opts()).view({-1, 0}), Error);  // -1 is ambiguous for 0 elements
}

TEST_P(TensorErrorsTest, ViewOnNonViewableStrides) {
  Tensor y = zeros({2, 3}, opts());
  EXPECT_THROW(y.t().view({6}), Error);
  EXPECT_THROW(y.t().view({2, 3}), Error);
  EXPECT_THROW(y.slice(1, std::nullopt, std::nullopt, 2).view({4}), Error);
  EXPECT_NO_THROW(y.t().reshape({6}));  // reshape copies instead
}

TEST_P(TensorErrorsTest, SliceArguments) {
  Tensor y = zeros({2, 3}, opts());
  EXPECT_THROW(y.slice(1, 0, 3, 0), Error);   // step must be positive
  EXPECT_THROW(y.slice(1, 0, 3, -1), Error);
  AG_EXPECT_ERROR_MENTIONS(y.slice(2, 0, 1), "2");
  AG_EXPECT_ERROR_MENTIONS(y.slice(-5, 0, 1), "-5");
}

TEST_P(TensorErrorsTest, NarrowArguments) {
  Tensor y = zeros({2, 3}, opts());
  AG_EXPECT_ERROR_MENTIONS(y.narrow(1, 2, 5), "5", "3");
  EXPECT_THROW(y.narrow(1, 0, -1), Error);
  AG_EXPECT_ERROR_MENTIONS(y.narrow(1, -4, 1), "-4");
  AG_EXPECT_ERROR_MENTIONS(y.narrow(7, 0, 1), "7");
}

TEST_P(TensorErrorsTest, SelectIndexOutOfRange) {
  Tensor y = zeros({2, 3}, opts());
  AG_EXPECT_ERROR_MENTIONS(y.select(1, 7), "7", "[2, 3]");
  AG_EXPECT_ERROR_MENTIONS(y.select(1, -4), "-4");
  AG_EXPECT_ERROR_MENTIONS(y.select(0, 2), "2", "[2, 3]");
  AG_EXPECT_ERROR_MENTIONS(y.select(9, 0), "9");
  AG_EXPECT_ERROR_MENTIONS(y[5], "5");
  EXPECT_THROW(zeros({}, opts()).select(0, 0), Error);  // a 0-dim tensor has nothing to select
  EXPECT_THROW(zeros({}, opts())[0], Error);
}

TEST_P(TensorErrorsTest, DimensionOutOfRange) {
  Tensor y = zeros({2, 3}, opts());
  AG_EXPECT_ERROR_MENTIONS(y.transpose(0, 5), "5");
  AG_EXPECT_ERROR_MENTIONS(y.transpose(-3, 0), "-3");
  AG_EXPECT_ERROR_MENTIONS(y.squeeze(6), "6");
  AG_EXPECT_ERROR_MENTIONS(y.unsqueeze(7), "7");
  AG_EXPECT_ERROR_MENTIONS(y.unsqueeze(-4), "-4");
  AG_EXPECT_ERROR_MENTIONS(y.flatten(0, 5), "5");
  AG_EXPECT_ERROR_MENTIONS(y.size(4), "4");
  AG_EXPECT_ERROR_MENTIONS(y.stride(-3), "-3");
  AG_EXPECT_ERROR_MENTIONS(y.sum(2), "2");
  AG_EXPECT_ERROR_MENTIONS(y.mean(-3), "-3");
  AG_EXPECT_ERROR_MENTIONS(y.max(8), "8");
  AG_EXPECT_ERROR_MENTIONS(y.argmax(8), "8");
  EXPECT_THROW(zeros({}, opts()).sum(1), Error);
}

TEST_P(TensorErrorsTest, TransposeFamilyArguments) {
  Tensor x = zeros({2, 3, 4}, opts());
  EXPECT_THROW(x.t(), Error);  // t() wants <= 2 dims
  EXPECT_THROW(x.permute({0, 1}), Error);
  EXPECT_THROW(x.permute({0, 0, 1}), Error);
  AG_EXPECT_ERROR_MENTIONS(x.permute({0, 1, 7}), "7");
  EXPECT_THROW(x.flatten(2, 1), Error);  // start after end
}

TEST_P(TensorErrorsTest, ExpandArguments) {
  Tensor v = zeros({3}, opts());
  AG_EXPECT_ERROR_MENTIONS(v.expand({4}), "[4]", "[3]");
  AG_EXPECT_ERROR_MENTIONS(v.expand({2, 4}), "[2, 4]", "[3]");
  EXPECT_THROW(zeros({2, 3}, opts()).expand({3}), Error);  // fewer sizes than dims
  EXPECT_THROW(v.expand({-1, 3}), Error);                  // -1 in a new leading dim
}

// --- broadcasting and dtypes -----------------------------------------------------------------

TEST_P(TensorErrorsTest, BroadcastMismatchNamesBothShapes) {
  Tensor a = zeros({2, 3}, opts());
  Tensor b = zeros({4}, opts());
  AG_EXPECT_ERROR_MENTIONS(a + b, "[2, 3]", "[4]");
  AG_EXPECT_ERROR_MENTIONS(a - b, "[2, 3]", "[4]");
  AG_EXPECT_ERROR_MENTIONS(a * b, "[2, 3]", "[4]");
  AG_EXPECT_ERROR_MENTIONS(b / a, "[4]", "[2, 3]");
  AG_EXPECT_ERROR_MENTIONS(a.eq(b), "[2, 3]", "[4]");
  AG_EXPECT_ERROR_MENTIONS(a.add_(b), "[2, 3]", "[4]");
  AG_EXPECT_ERROR_MENTIONS(zeros({2, 1, 3}, opts()) + zeros({4, 2}, opts()), "[2, 1, 3]", "[4, 2]");
}

TEST_P(TensorErrorsTest, InPlaceCannotGrowSelf) {
  // other broadcasts, but the result shape is not self's shape (PyTorch: "output with shape
  // [3] doesn't match the broadcast shape [2, 3]").
  Tensor a = ones({3}, opts());
  AG_EXPECT_ERROR_MENTIONS(a.add_(ones({2, 3}, opts())), "[3]", "[2, 3]");
  Tensor row = ones({1, 3}, opts());
  AG_EXPECT_ERROR_MENTIONS(row.mul_(ones({2, 1}, opts())), "[1, 3]", "[2, 3]");
  AG_EXPECT_ERROR_MENTIONS(a.copy_(ones({2, 3}, opts())), "[3]", "[2, 3]");
  AG_EXPECT_ERROR_MENTIONS(zeros({2}, opts()).copy_(ones({3}, opts())), "[2]", "[3]");
  EXPECT_EQ(a.to_vector<float>(), (std::vector<float>{1, 1, 1}));  // untouched after the failures
}

TEST_P(TensorErrorsTest, InPlaceOnIntWithFloatResultThrows) {
  Tensor i = make_i64({1, 2, 3}, {3});
  AG_EXPECT_ERROR_MENTIONS(i.add_(1.5), "int64");
  AG_EXPECT_ERROR_MENTIONS(i += 1.5, "int64");
  AG_EXPECT_ERROR_MENTIONS(i.sub_(0.5), "int64");
  AG_EXPECT_ERROR_MENTIONS(i.mul_(2.0), "int64");
  AG_EXPECT_ERROR_MENTIONS(i.div_(2), "int64");  // true division gives float32
  AG_EXPECT_ERROR_MENTIONS(i.div_(make_i64({1, 1, 1}, {3})), "int64");
  AG_EXPECT_ERROR_MENTIONS(i.mul_(ones({3}, opts())), "int64", "float32");
  AG_EXPECT_ERROR_MENTIONS(i.add_(make_f64({1, 1, 1}, {3})), "int64", "float64");
  EXPECT_THROW(i.clamp_(0.5, 2.5), Error);
  EXPECT_EQ(i.to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 2, 3}));  // nothing written
}

TEST_P(TensorErrorsTest, FloatingAlphaWithIntegralTensorsThrows) {
  // PyTorch: "For integral input tensors, argument alpha must not be a floating point number."
  Tensor i = make_i64({1, 2, 3}, {3});
  EXPECT_THROW(i.add_(i, 2.5), Error);
  EXPECT_THROW(i.sub_(i, 0.5), Error);
  EXPECT_THROW((void)i.add(i, 2.5), Error);
  EXPECT_THROW((void)i.sub(i, 0.5), Error);
  EXPECT_EQ(i.to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 2, 3}));
  // With a floating operand the alpha is fine: [1,2,3] + 2.5 * [1,1,1] in float32.
  EXPECT_EQ(i.add(ones({3}, opts()), 2.5).to_vector<float>(), (std::vector<float>{3.5f, 4.5f, 5.5f}));
}

TEST_P(TensorErrorsTest, DataPointerDtypeMismatch) {
  Tensor f = zeros({2}, opts());
  AG_EXPECT_ERROR_MENTIONS(f.const_data_ptr<double>(), "float64", "float32");
  AG_EXPECT_ERROR_MENTIONS(f.mutable_data_ptr<std::int64_t>(), "int64", "float32");
  AG_EXPECT_ERROR_MENTIONS(zeros({2}, opts(kInt64)).const_data_ptr<float>(), "float32", "int64");
  AG_EXPECT_ERROR_MENTIONS(f.eq(0).mutable_data_ptr<float>(), "float32", "bool");
  EXPECT_NO_THROW(f.const_data_ptr<float>());
}

TEST_P(TensorErrorsTest, RequiresGradNeedsFloatingDtype) {
  EXPECT_THROW(zeros({2}, opts(kInt64)).set_requires_grad(true), Error);
  EXPECT_THROW(zeros({2}, opts(kInt64).requires_grad(true)), Error);
  EXPECT_NO_THROW(zeros({2}, opts(kInt64)).set_requires_grad(false));
  EXPECT_NO_THROW(zeros({2}, opts(kFloat64)).set_requires_grad(true));
}

// --- reductions, matmul, values --------------------------------------------------------------

TEST_P(TensorErrorsTest, ReductionsWithoutElements) {
  Tensor e = zeros({0}, opts());
  EXPECT_THROW(e.max(), Error);
  EXPECT_THROW(e.argmax(), Error);
  EXPECT_THROW(zeros({2, 0}, opts()).max(1), Error);
  EXPECT_THROW(zeros({2, 0}, opts()).argmax(1), Error);
  EXPECT_THROW(zeros({3}, opts(kInt64)).mean(), Error);  // PyTorch: mean needs a floating dtype
}

TEST_P(TensorErrorsTest, MatmulShapeMismatch) {
  AG_EXPECT_ERROR_MENTIONS(zeros({3}, opts()).matmul(zeros({4}, opts())), "[3]", "[4]");
  AG_EXPECT_ERROR_MENTIONS(zeros({2, 3}, opts()).matmul(zeros({2, 3}, opts())), "[2, 3]");
  AG_EXPECT_ERROR_MENTIONS(zeros({2, 3}, opts()).matmul(zeros({2}, opts())), "[2, 3]", "[2]");
  AG_EXPECT_ERROR_MENTIONS(zeros({2}, opts()).matmul(zeros({3, 4}, opts())), "[2]", "[3, 4]");
  // Batch dims that do not broadcast (PyTorch names the batch sizes, 2 and 3).
  AG_EXPECT_ERROR_MENTIONS(zeros({2, 2, 3}, opts()).matmul(zeros({3, 3, 4}, opts())), "2", "3");
  EXPECT_THROW(zeros({}, opts()).matmul(zeros({3}, opts())), Error);
  EXPECT_THROW(zeros({3}, opts()).matmul(zeros({}, opts())), Error);
}

TEST_P(TensorErrorsTest, ClampNeedsABound) {
  Tensor a = zeros({2}, opts());
  EXPECT_THROW(a.clamp(std::nullopt, std::nullopt), Error);
  EXPECT_THROW(a.clamp_(std::nullopt), Error);
}

TEST_P(TensorErrorsTest, ItemNeedsExactlyOneElement) {
  AG_EXPECT_ERROR_MENTIONS(zeros({2}, opts()).item(), "2");
  EXPECT_THROW(zeros({2, 3}, opts()).item<float>(), Error);
  EXPECT_THROW(zeros({0}, opts()).item(), Error);
  EXPECT_THROW(zeros({0}, opts()).item<double>(), Error);
  EXPECT_NO_THROW(zeros({1, 1, 1}, opts()).item());
}

// --- factories and random --------------------------------------------------------------------

TEST_P(TensorErrorsTest, NegativeSizes) {
  AG_EXPECT_ERROR_MENTIONS(zeros({2, -1}, opts()), "-1");
  AG_EXPECT_ERROR_MENTIONS(ones({-3}, opts()), "-3");
  AG_EXPECT_ERROR_MENTIONS(empty({4, -2}, opts()), "-2");
  AG_EXPECT_ERROR_MENTIONS(full({-5}, 1, opts()), "-5");
  AG_EXPECT_ERROR_MENTIONS(rand({-6}, opts()), "-6");
  AG_EXPECT_ERROR_MENTIONS(randn({2, -7}, opts()), "-7");
  AG_EXPECT_ERROR_MENTIONS(tensor(std::vector<float>{}, {-8}, opts()), "-8");
}

TEST_P(TensorErrorsTest, ValuesDoNotFitShape) {
  AG_EXPECT_ERROR_MENTIONS(tensor(std::vector<float>{1, 2, 3, 4, 5}, {2, 3}, opts()), "[2, 3]", "5");
  AG_EXPECT_ERROR_MENTIONS(tensor(std::vector<double>{1, 2}, {3}, opts()), "[3]", "2");
  EXPECT_NO_THROW(tensor(std::vector<std::int64_t>{1}, {}, opts()));
  EXPECT_THROW(tensor(std::vector<std::int64_t>{1, 2}, {}, opts()), Error);
}

TEST_P(TensorErrorsTest, ArangeBadStep) {
  EXPECT_THROW(arange(0, 5, 0, opts()), Error);
  EXPECT_THROW(arange(0, 5, -1, opts()), Error);
  EXPECT_THROW(arange(5, 0, 1, opts()), Error);
  EXPECT_THROW(arange(-3, opts(kInt64)), Error);
  EXPECT_THROW(arange(0.0, 1.0, 0.0, opts()), Error);
}

TEST_P(TensorErrorsTest, RandomNeedsFloatingDtypeAndValidParameters) {
  EXPECT_THROW(rand({2}, opts(kInt64)), Error);
  EXPECT_THROW(randn({2}, opts(kInt64)), Error);
  EXPECT_THROW(zeros({2}, opts(kInt64)).uniform_(), Error);
  EXPECT_THROW(zeros({2}, opts(kInt64)).normal_(), Error);
  EXPECT_THROW(zeros({2}, opts()).uniform_(1, 0), Error);
  EXPECT_THROW(zeros({2}, opts()).normal_(0, -1), Error);
}

// --- devices ---------------------------------------------------------------------------------

TEST_P(TensorErrorsTest, MixingDevicesInOneOpThrows) {
  if (device().is_cpu()) GTEST_SKIP() << "needs two devices; the CUDA instantiation covers this";
  Tensor here = zeros({2}, opts());
  Tensor host = zeros({2});
  AG_EXPECT_ERROR_MENTIONS(here + host, "cpu", device().str().c_str());
  AG_EXPECT_ERROR_MENTIONS(host.mul_(here), "cpu", device().str().c_str());
  AG_EXPECT_ERROR_MENTIONS(here.matmul(host), "cpu", device().str().c_str());
  EXPECT_NO_THROW(here.copy_(host));  // copy_ is the one op that crosses devices
}

TEST(TensorDeviceErrorsTest, CudaTensorsWithoutAGpuThrow) {
  if (cuda::is_available()) GTEST_SKIP() << "a usable CUDA device is present";
  for (const std::string& msg : {error_message([] { (void)zeros({2}, Device::cuda()); }),
                                 error_message([] { (void)zeros({2}).to(Device::cuda()); }),
                                 error_message([] { (void)tensor({1.0f}, Device::cuda(0)); }),
                                 error_message([] { (void)rand({2}, Device::cuda()); })}) {
    EXPECT_NE(lower(msg).find("cuda"), std::string::npos) << msg;
  }
}

TEST(TensorDeviceErrorsTest, CudaDeviceIndexOutOfRange) {
  if (!cuda::is_available()) GTEST_SKIP() << "no usable CUDA device";
  const int missing = cuda::device_count() + 3;
  AG_EXPECT_ERROR_MENTIONS(zeros({2}, Device::cuda(missing)), std::to_string(missing).c_str());
}

// --- undefined tensors -----------------------------------------------------------------------

TEST(UndefinedTensorTest, UseThrowsInsteadOfCrashing) {
  Tensor u;
  EXPECT_THROW((void)u.sizes(), Error);
  EXPECT_THROW((void)u.numel(), Error);
  EXPECT_THROW((void)u.dtype(), Error);
  EXPECT_THROW(u.add_(1), Error);
  EXPECT_THROW((void)u.clone(), Error);
  EXPECT_THROW((void)(zeros({1}) + u), Error);
  EXPECT_THROW(zeros({1}).copy_(u), Error);
}

AG_INSTANTIATE_ON_DEVICES(TensorErrorsTest);

}  // namespace
}  // namespace aliasguard::test
