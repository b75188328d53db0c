// Printing: every expected string below is what PyTorch 1.13's repr() printed for the Python
// expression in the comment above it (python3-torch 1.13, default print options). The broad
// comparison against a live PyTorch is print_vs_pytorch.py; these pin the cases people read.

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "aliasguard/device.h"
#include "aliasguard/state_dict.h"
#include "aliasguard/tensor.h"

namespace aliasguard {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(PrintTest, StateDictLikeTheSeed) {
  // OrderedDict([('fc.weight', torch.tensor([[-0.0472, -0.4500], [-0.3051, -0.3033]])),
  //              ('fc.bias', torch.tensor([-0.1162, -0.4246]))])
  StateDict sd;
  sd.insert("fc.weight", tensor(std::vector<float>{-0.0472f, -0.4500f, -0.3051f, -0.3033f}, {2, 2}));
  sd.insert("fc.bias", tensor({-0.1162f, -0.4246f}));
  EXPECT_EQ(to_string(sd),
            "OrderedDict([('fc.weight', tensor([[-0.0472, -0.4500],\n"
            "        [-0.3051, -0.3033]])), ('fc.bias', tensor([-0.1162, -0.4246]))])");
}

TEST(PrintTest, StateDictAlignsMixedSigns) {
  // The first line of seed/pytorch_output_shallow.txt, rebuilt from its printed values:
  // OrderedDict([('fc.weight', torch.tensor([[-0.0053, 0.3793], [-0.5820, -0.5204]])),
  //              ('fc.bias', torch.tensor([-0.2723, 0.1896]))])
  StateDict sd;
  sd.insert("fc.weight", tensor(std::vector<float>{-0.0053f, 0.3793f, -0.5820f, -0.5204f}, {2, 2}));
  sd.insert("fc.bias", tensor({-0.2723f, 0.1896f}));
  std::ostringstream os;
  os << sd;
  EXPECT_EQ(os.str(),
            "OrderedDict([('fc.weight', tensor([[-0.0053,  0.3793],\n"
            "        [-0.5820, -0.5204]])), ('fc.bias', tensor([-0.2723,  0.1896]))])");
}

TEST(PrintTest, EmptyStateDict) {
  // collections.OrderedDict()
  EXPECT_EQ(to_string(StateDict{}), "OrderedDict()");
}

TEST(PrintTest, ZeroDim) {
  // torch.tensor(3.)
  EXPECT_EQ(to_string(full({}, 3.0)), "tensor(3.)");
  // torch.tensor(-0.)
  EXPECT_EQ(to_string(full({}, -0.0)), "tensor(-0.)");
}

TEST(PrintTest, EmptyShowsSizeAndDtype) {
  // torch.zeros(0)
  EXPECT_EQ(to_string(zeros({0})), "tensor([])");
  // torch.zeros(0, 3)
  EXPECT_EQ(to_string(zeros({0, 3})), "tensor([], size=(0, 3))");
  // torch.zeros(0, dtype=torch.int64)
  EXPECT_EQ(to_string(zeros({0}, kInt64)), "tensor([], dtype=torch.int64)");
}

TEST(PrintTest, NonFiniteAndNegativeZero) {
  // torch.tensor([nan, inf, -inf, -0.0, 1.5])
  EXPECT_EQ(to_string(tensor({kNaN, kInf, -kInf, -0.0f, 1.5f})),
            "tensor([   nan,    inf,   -inf, -0.0000, 1.5000])");
  // torch.tensor([nan, -inf, 2., -3.]): integral values keep int mode; no "." after nan/inf
  EXPECT_EQ(to_string(tensor({kNaN, -kInf, 2.0f, -3.0f})), "tensor([nan, -inf,  2., -3.])");
}

TEST(PrintTest, ScientificForSmallValues) {
  // torch.arange(1., 4.) / 100000
  EXPECT_EQ(to_string(arange(1, 4, 1, kFloat32) / 100000),
            "tensor([1.0000e-05, 2.0000e-05, 3.0000e-05])");
}

TEST(PrintTest, LongRowsWrapAtEightyColumns) {
  // torch.arange(20.) / 8
  EXPECT_EQ(to_string(arange(20, kFloat32) / 8),
            "tensor([0.0000, 0.1250, 0.2500, 0.3750, 0.5000, 0.6250, 0.7500, 0.8750, 1.0000,\n"
            "        1.1250, 1.2500, 1.3750, 1.5000, 1.6250, 1.7500, 1.8750, 2.0000, 2.1250,\n"
            "        2.2500, 2.3750])");
}

TEST(PrintTest, SummarizesPastOneThousandElements) {
  // torch.arange(1001)
  EXPECT_EQ(to_string(arange(1001)), "tensor([   0,    1,    2,  ...,  998,  999, 1000])");
}

TEST(PrintTest, ThreeDimsSeparateSlicesWithABlankLine) {
  // torch.arange(8.).reshape(2, 2, 2)
  EXPECT_EQ(to_string(arange(8, kFloat32).reshape({2, 2, 2})),
            "tensor([[[0., 1.],\n"
            "         [2., 3.]],\n"
            "\n"
            "        [[4., 5.],\n"
            "         [6., 7.]]])");
}

TEST(PrintTest, IntegerAndBool) {
  // torch.tensor([-1000000, 5, 42])
  EXPECT_EQ(to_string(tensor(std::vector<std::int64_t>{-1000000, 5, 42}, {3})),
            "tensor([-1000000,        5,       42])");
  // torch.tensor([True, False])
  EXPECT_EQ(to_string(arange(2).eq(0)), "tensor([ True, False])");
}

TEST(PrintTest, Float64AndRequiresGradSuffixes) {
  // torch.arange(3, dtype=torch.float64) / 4
  EXPECT_EQ(to_string(arange(3, kFloat64) / 4), "tensor([0.0000, 0.2500, 0.5000], dtype=torch.float64)");
  // torch.arange(12.).requires_grad_()
  Tensor t = arange(12, kFloat32);
  t.set_requires_grad(true);
  EXPECT_EQ(to_string(t),
            "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11.],\n"
            "       requires_grad=True)");
}

TEST(PrintTest, CudaTensorNamesItsDevice) {
  if (!cuda::is_available()) GTEST_SKIP() << "no usable CUDA device";
  // No GPU PyTorch was at hand; this is torch._tensor_str._add_suffixes("tensor(" +
  // torch._tensor_str._tensor_str(torch.tensor([0.5, -1.0]), 7), ["device='cuda:0'"], 7,
  // False), the exact call repr() makes for torch.tensor([0.5, -1.0], device='cuda:0').
  Tensor t = tensor({0.5f, -1.0f}, TensorOptions().device(Device::cuda(0)));
  EXPECT_EQ(to_string(t), "tensor([ 0.5000, -1.0000], device='cuda:0')");
}

}  // namespace
}  // namespace aliasguard
