// Arithmetic, type promotion, broadcasting, reductions, matmul, unary ops, comparisons,
// values (item, to_vector, data pointers) and the gradient slot. Expected values come from
// reference loops or hand computation; dtype rules were checked against PyTorch 1.13.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <tuple>
#include <vector>

#include "aliasguard/tensor.h"
#include "tensor_test_fixture.h"

namespace aliasguard::test {
namespace {

class TensorOpsTest : public DeviceTest {};

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<float> floats(const Tensor& t) { return t.to_vector<float>(); }
std::vector<std::int64_t> ints(const Tensor& t) { return t.to_vector<std::int64_t>(); }

void expect_floats_near(const std::vector<float>& actual, const std::vector<float>& expected, float tol = 1e-5f) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(actual[i])) << "element " << i << " is " << actual[i] << ", expected NaN";
    } else if (std::isinf(expected[i])) {
      EXPECT_EQ(actual[i], expected[i]) << "element " << i;
    } else {
      EXPECT_NEAR(actual[i], expected[i], tol * std::max(1.0f, std::fabs(expected[i]))) << "element " << i;
    }
  }
}

// --- elementwise arithmetic ------------------------------------------------------------------

TEST_P(TensorOpsTest, BinaryOpsWithTensors) {
  Tensor a = make({1, 2, 3, 4}, {2, 2});
  Tensor b = make({10, 20, 30, 40}, {2, 2});
  EXPECT_EQ(floats(a + b), (std::vector<float>{11, 22, 33, 44}));
  EXPECT_EQ(floats(b - a), (std::vector<float>{9, 18, 27, 36}));
  EXPECT_EQ(floats(a * b), (std::vector<float>{10, 40, 90, 160}));
  EXPECT_EQ(floats(b / a), (std::vector<float>{10, 10, 10, 10}));
  EXPECT_EQ(floats(a.add(b)), floats(a + b));
  EXPECT_EQ(floats(a.sub(b)), (std::vector<float>{-9, -18, -27, -36}));
  EXPECT_EQ(floats(a.mul(b)), floats(a * b));
  EXPECT_EQ(floats(a.div(b)), (std::vector<float>{0.1f, 0.1f, 0.1f, 0.1f}));
  EXPECT_EQ(floats(a.add(b, 2)), (std::vector<float>{21, 42, 63, 84}));
  EXPECT_EQ(floats(a.sub(b, 0.5)), (std::vector<float>{-4, -8, -12, -16}));
  Tensor sum = a + b;
  EXPECT_EQ(sum.device(), device());
  EXPECT_FALSE(sum.is_alias_of(a));
  EXPECT_FALSE(sum.is_alias_of(b));
  EXPECT_EQ(floats(a), (std::vector<float>{1, 2, 3, 4}));  // out-of-place leaves inputs alone
}

TEST_P(TensorOpsTest, BinaryOpsWithScalarsOnEitherSide) {
  Tensor a = make({1, 2, 4}, {3});
  EXPECT_EQ(floats(a + 1), (std::vector<float>{2, 3, 5}));
  EXPECT_EQ(floats(a - 1), (std::vector<float>{0, 1, 3}));
  EXPECT_EQ(floats(a * 2), (std::vector<float>{2, 4, 8}));
  EXPECT_EQ(floats(a / 2), (std::vector<float>{0.5f, 1, 2}));
  EXPECT_EQ(floats(1 + a), (std::vector<float>{2, 3, 5}));
  EXPECT_EQ(floats(10 - a), (std::vector<float>{9, 8, 6}));
  EXPECT_EQ(floats(3 * a), (std::vector<float>{3, 6, 12}));
  EXPECT_EQ(floats(4 / a), (std::vector<float>{4, 2, 1}));
  EXPECT_EQ(floats(-a), (std::vector<float>{-1, -2, -4}));
  EXPECT_EQ(floats(a.add(0.5)), (std::vector<float>{1.5f, 2.5f, 4.5f}));
  EXPECT_EQ(floats(a.sub(0.5)), (std::vector<float>{0.5f, 1.5f, 3.5f}));
  EXPECT_EQ(floats(a.mul(-1)), (std::vector<float>{-1, -2, -4}));
  EXPECT_EQ(floats(a.div(4)), (std::vector<float>{0.25f, 0.5f, 1}));
}

TEST_P(TensorOpsTest, OpsOnNonContiguousOperands) {
  Tensor m = iota({2, 3});
  Tensor t = m.t();  // [[0,3],[1,4],[2,5]]
  Tensor other = make({1, 1, 1, 1, 1, 1}, {3, 2});
  EXPECT_EQ(floats(t + other), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(floats(m.select(1, 1) * 10), (std::vector<float>{10, 40}));
}

// --- type promotion (PyTorch 1.13) -----------------------------------------------------------

TEST_P(TensorOpsTest, IntTensorTimesIntScalarStaysInt64) {
  Tensor i = make_i64({1, 2, 3}, {3});
  Tensor r = i * 2;
  EXPECT_EQ(r.dtype(), kInt64);
  EXPECT_EQ(ints(r), (std::vector<std::int64_t>{2, 4, 6}));
  Tensor r2 = 2 - i;
  EXPECT_EQ(r2.dtype(), kInt64);
  EXPECT_EQ(ints(r2), (std::vector<std::int64_t>{1, 0, -1}));
  EXPECT_EQ((i + i).dtype(), kInt64);
  EXPECT_EQ(ints(i.add(i, 2)), (std::vector<std::int64_t>{3, 6, 9}));
}

TEST_P(TensorOpsTest, IntTensorWithFloatScalarBecomesFloat32) {
  Tensor i = make_i64({1, 2, 3}, {3});
  Tensor r = i * 2.0;
  EXPECT_EQ(r.dtype(), kFloat32);
  EXPECT_EQ(floats(r), (std::vector<float>{2, 4, 6}));
  Tensor r2 = 1.5 - i;
  EXPECT_EQ(r2.dtype(), kFloat32);
  EXPECT_EQ(floats(r2), (std::vector<float>{0.5f, -0.5f, -1.5f}));
}

TEST_P(TensorOpsTest, IntDivisionIsTrueDivisionInFloat32) {
  Tensor i = make_i64({1, 2, 3}, {3});
  Tensor two = make_i64({2, 2, 2}, {3});
  Tensor r = i / two;
  EXPECT_EQ(r.dtype(), kFloat32);
  EXPECT_EQ(floats(r), (std::vector<float>{0.5f, 1.0f, 1.5f}));
  EXPECT_EQ((i / 2).dtype(), kFloat32);
  EXPECT_EQ(floats(i / 2), (std::vector<float>{0.5f, 1.0f, 1.5f}));
  Tensor inv = 2 / i;
  EXPECT_EQ(inv.dtype(), kFloat32);
  expect_floats_near(floats(inv), {2.0f, 1.0f, 2.0f / 3.0f});
}

TEST_P(TensorOpsTest, MixedTensorDtypesPromote) {
  Tensor f = make({1, 2}, {2});
  Tensor d = make_f64({0.5, 0.25}, {2});
  Tensor i = make_i64({3, 4}, {2});
  Tensor fd = f + d;
  EXPECT_EQ(fd.dtype(), kFloat64);
  EXPECT_EQ(fd.to_vector<double>(), (std::vector<double>{1.5, 2.25}));
  Tensor fi = f * i;
  EXPECT_EQ(fi.dtype(), kFloat32);
  EXPECT_EQ(floats(fi), (std::vector<float>{3, 8}));
  Tensor di = i - d;
  EXPECT_EQ(di.dtype(), kFloat64);
  EXPECT_EQ(di.to_vector<double>(), (std::vector<double>{2.5, 3.75}));
  EXPECT_EQ((d * 2.5).dtype(), kFloat64);  // a Scalar never widens a floating tensor
  EXPECT_EQ((f * 2.5).dtype(), kFloat32);
}

TEST_P(TensorOpsTest, InPlaceKeepsSelfDtypeWhenTheResultFits) {
  Tensor f = make({1, 1, 1}, {3});
  f.add_(make_f64({0.5, 0.5, 0.5}, {3}));  // float64 result cast back to float32 is allowed
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_EQ(floats(f), (std::vector<float>{1.5f, 1.5f, 1.5f}));
  f.add_(make_i64({1, 2, 3}, {3}));
  EXPECT_EQ(floats(f), (std::vector<float>{2.5f, 3.5f, 4.5f}));
  Tensor i = make_i64({1, 2, 3}, {3});
  i.mul_(3);
  EXPECT_EQ(ints(i), (std::vector<std::int64_t>{3, 6, 9}));
}

TEST_P(TensorOpsTest, Int64ArithmeticIsExactBeyondDoublePrecision) {
  const std::int64_t two53 = std::int64_t{1} << 53;  // 2^53 + 1 has no double representation
  Tensor i = make_i64({two53, -two53}, {2});
  EXPECT_EQ(ints(i + 1), (std::vector<std::int64_t>{two53 + 1, -two53 + 1}));
  EXPECT_EQ(ints(i.add(make_i64({1, -1}, {2}))), (std::vector<std::int64_t>{two53 + 1, -two53 - 1}));
  EXPECT_EQ(ints(i.sub(make_i64({-1, 1}, {2}), 3)), (std::vector<std::int64_t>{two53 + 3, -two53 - 3}));
  Tensor k = make_i64({1, 3}, {2});
  k.add_(two53);
  EXPECT_EQ(ints(k), (std::vector<std::int64_t>{two53 + 1, two53 + 3}));
  Tensor j = make_i64({0, 0}, {2});
  j.fill_(two53 + 1);  // PyTorch: torch.full((2,), 2**53 + 1, dtype=torch.long) is exact
  EXPECT_EQ(ints(j), (std::vector<std::int64_t>{two53 + 1, two53 + 1}));
}

// --- in place -------------------------------------------------------------------------------

TEST_P(TensorOpsTest, InPlaceOpsWriteThroughAndReturnSelf) {
  Tensor a = make({1, 2, 3}, {3});
  const Tensor* self = &a;
  Tensor view = a.view({3});
  EXPECT_EQ(&a.add_(make({1, 1, 1}, {3})), self);
  EXPECT_EQ(floats(view), (std::vector<float>{2, 3, 4}));
  EXPECT_EQ(&a.add_(make({1, 1, 1}, {3}), -2), self);
  EXPECT_EQ(floats(a), (std::vector<float>{0, 1, 2}));
  EXPECT_EQ(&a.add_(1), self);
  EXPECT_EQ(&a.sub_(make({1, 1, 1}, {3}), 0.5), self);
  EXPECT_EQ(floats(a), (std::vector<float>{0.5f, 1.5f, 2.5f}));
  EXPECT_EQ(&a.sub_(0.5), self);
  EXPECT_EQ(&a.mul_(make({2, 2, 2}, {3})), self);
  EXPECT_EQ(&a.mul_(3), self);
  EXPECT_EQ(floats(a), (std::vector<float>{0, 6, 12}));
  EXPECT_EQ(&a.div_(make({1, 2, 4}, {3})), self);
  EXPECT_EQ(&a.div_(2), self);
  EXPECT_EQ(floats(a), (std::vector<float>{0, 1.5f, 1.5f}));
  EXPECT_EQ(&a.fill_(7), self);
  EXPECT_EQ(floats(view), (std::vector<float>{7, 7, 7}));
  EXPECT_EQ(&a.zero_(), self);
  EXPECT_EQ(floats(view), (std::vector<float>{0, 0, 0}));
}

TEST_P(TensorOpsTest, CompoundAssignmentIsInPlace) {
  Tensor a = make({1, 2, 3}, {3});
  Tensor alias = a;
  const std::uint64_t storage = a.storage_id();
  a += make({1, 1, 1}, {3});
  a += 1;
  a -= make({0.5f, 0.5f, 0.5f}, {3});
  a -= 0.5;
  a *= make({2, 2, 2}, {3});
  a *= 2;
  a /= make({4, 4, 4}, {3});
  a /= 2;  // ((x + 2 - 1) * 4) / 8
  EXPECT_TRUE(a.is_same(alias));
  EXPECT_EQ(a.storage_id(), storage);
  EXPECT_EQ(floats(a), (std::vector<float>{1, 1.5f, 2}));
}

TEST_P(TensorOpsTest, InPlaceBroadcastsOtherIntoSelf) {
  Tensor a = make(std::vector<float>(6, 1.0f), {2, 3});
  a.add_(make({1, 2, 3}, {3}));
  EXPECT_EQ(floats(a), (std::vector<float>{2, 3, 4, 2, 3, 4}));
  a.mul_(make({10, 100}, {2, 1}));
  EXPECT_EQ(floats(a), (std::vector<float>{20, 30, 40, 200, 300, 400}));
}

TEST_P(TensorOpsTest, FillAndZeroOnAViewTouchOnlyTheView) {
  Tensor m = iota({3, 3});
  m.select(1, 1).fill_(-1);
  m.select(0, 2).zero_();
  EXPECT_EQ(floats(m), (std::vector<float>{0, -1, 2, 3, -1, 5, 0, 0, 0}));
}

TEST_P(TensorOpsTest, CopyBroadcastsConvertsAndWritesThroughViews) {
  Tensor dst = make(std::vector<float>(6, 0.0f), {2, 3});
  dst.copy_(make_i64({1, 2, 3}, {3}));  // broadcast + int64 -> float32
  EXPECT_EQ(dst.dtype(), kFloat32);
  EXPECT_EQ(floats(dst), (std::vector<float>{1, 2, 3, 1, 2, 3}));
  dst.t().select(0, 0).copy_(make({9, 8}, {2}));  // column 0
  EXPECT_EQ(floats(dst), (std::vector<float>{9, 2, 3, 8, 2, 3}));
  Tensor ints_dst = make_i64({0, 0, 0}, {3});
  ints_dst.copy_(make({1.7f, -2.7f, 3.0f}, {3}));
  EXPECT_EQ(ints(ints_dst), (std::vector<std::int64_t>{1, -2, 3}));  // truncation, as PyTorch
  Tensor transposed_src = iota({2, 3}).t();
  Tensor dst2 = make(std::vector<float>(6, 0.0f), {3, 2});
  dst2.copy_(transposed_src);
  EXPECT_EQ(floats(dst2), (std::vector<float>{0, 3, 1, 4, 2, 5}));
}

TEST_P(TensorOpsTest, CopyAcrossDevices) {
  Tensor host = tensor(std::vector<float>{1, 2, 3}, {3});
  Tensor here = make({0, 0, 0}, {3});
  here.copy_(host);
  EXPECT_EQ(floats(here), (std::vector<float>{1, 2, 3}));
  Tensor host_dst = tensor(std::vector<float>{0, 0, 0}, {3});
  host_dst.copy_(make({4, 5, 6}, {3}));
  EXPECT_EQ(floats(host_dst), (std::vector<float>{4, 5, 6}));
  EXPECT_TRUE(host_dst.device().is_cpu());
}

// --- broadcasting ----------------------------------------------------------------------------

TEST_P(TensorOpsTest, BroadcastingFollowsNumpyRules) {
  Tensor a = iota({2, 1, 3});
  Tensor b = make({100, 200, 300, 400}, {4, 1});
  Tensor r = a + b;
  ASSERT_EQ(r.sizes(), (Shape{2, 4, 3}));
  std::vector<float> expected;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 3; ++k) expected.push_back(static_cast<float>(i * 3 + k + 100 * (j + 1)));
  EXPECT_EQ(floats(r), expected);
  Tensor s = make({2}, {});
  EXPECT_EQ((a * s).sizes(), (Shape{2, 1, 3}));
  EXPECT_EQ(((a * s) - (a + a)).to_vector<float>(), std::vector<float>(6, 0.0f));
  Tensor empty_rows = make({}, {0, 3});
  EXPECT_EQ((empty_rows + make({1, 2, 3}, {3})).sizes(), (Shape{0, 3}));
}

// --- unary ----------------------------------------------------------------------------------

TEST_P(TensorOpsTest, UnaryMathMatchesStdAndPropagatesNaN) {
  const std::vector<float> in = {-1.0f, 0.0f, 2.0f, kNaN};
  Tensor u = make(in, {4});
  std::vector<float> e_exp, e_log, e_sig, e_relu, e_neg;
  for (float x : in) {
    e_exp.push_back(std::exp(x));
    e_log.push_back(std::log(x));  // log(-1) = NaN, log(0) = -inf
    e_sig.push_back(1.0f / (1.0f + std::exp(-x)));
    e_relu.push_back(std::isnan(x) ? x : std::max(x, 0.0f));
    e_neg.push_back(-x);
  }
  expect_floats_near(floats(u.exp()), e_exp);
  expect_floats_near(floats(u.log()), e_log);
  expect_floats_near(floats(u.sigmoid()), e_sig);
  expect_floats_near(floats(u.relu()), e_relu);
  expect_floats_near(floats(u.neg()), e_neg);
  EXPECT_TRUE(std::signbit(floats(u.neg())[1]));  // -0.0, as PyTorch prints it
  EXPECT_EQ(floats(u)[0], -1.0f);                  // out of place
  EXPECT_FALSE(u.exp().is_alias_of(u));
}

TEST_P(TensorOpsTest, UnaryOnInt64) {
  Tensor i = make_i64({-1, 2, 3}, {3});
  EXPECT_EQ(i.neg().dtype(), kInt64);
  EXPECT_EQ(ints(i.neg()), (std::vector<std::int64_t>{1, -2, -3}));
  EXPECT_EQ(i.relu().dtype(), kInt64);
  EXPECT_EQ(ints(i.relu()), (std::vector<std::int64_t>{0, 2, 3}));
  Tensor e = i.exp();  // PyTorch: integer inputs of exp give float32
  EXPECT_EQ(e.dtype(), kFloat32);
  expect_floats_near(floats(e), {std::exp(-1.0f), std::exp(2.0f), std::exp(3.0f)});
}

TEST_P(TensorOpsTest, Clamp) {
  Tensor u = make({-1, 0, 2, kNaN}, {4});
  expect_floats_near(floats(u.clamp(0, 1)), {0, 0, 1, kNaN});
  expect_floats_near(floats(u.clamp(std::nullopt, 1)), {-1, 0, 1, kNaN});
  expect_floats_near(floats(u.clamp(0.5)), {0.5f, 0.5f, 2, kNaN});
  expect_floats_near(floats(u.clamp(2, 1)), {1, 1, 1, kNaN});  // min > max: everything is max
  Tensor i = make_i64({1, 2, 3}, {3});
  Tensor ic = i.clamp(0, 2);
  EXPECT_EQ(ic.dtype(), kInt64);
  EXPECT_EQ(ints(ic), (std::vector<std::int64_t>{1, 2, 2}));
  Tensor fc = i.clamp(0.5, 2.5);  // PyTorch promotes to float32
  EXPECT_EQ(fc.dtype(), kFloat32);
  EXPECT_EQ(floats(fc), (std::vector<float>{1, 2, 2.5f}));

  Tensor v = make({-5, 5, 0.5f}, {3});
  EXPECT_EQ(&v.clamp_(0, 1), &v);
  EXPECT_EQ(floats(v), (std::vector<float>{0, 1, 0.5f}));
}

// --- reductions ------------------------------------------------------------------------------

TEST_P(TensorOpsTest, SumAndMean) {
  Tensor x = make({1, 5, 3, 4, 2, 6}, {2, 3});
  Tensor s = x.sum();
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item<float>(), 21.0f);
  EXPECT_EQ(x.sum(0).sizes(), (Shape{3}));
  EXPECT_EQ(floats(x.sum(0)), (std::vector<float>{5, 7, 9}));
  EXPECT_EQ(x.sum(-1, true).sizes(), (Shape{2, 1}));
  EXPECT_EQ(floats(x.sum(-1, true)), (std::vector<float>{9, 12}));
  EXPECT_EQ(floats(x.mean(1)), (std::vector<float>{3, 4}));
  EXPECT_EQ(x.mean(-2, true).sizes(), (Shape{1, 3}));
  EXPECT_EQ(floats(x.mean(-2, true)), (std::vector<float>{2.5f, 3.5f, 4.5f}));
  EXPECT_EQ(x.mean().item<float>(), 3.5f);
  EXPECT_EQ(s.device(), device());
  // Over a non-contiguous view: columns of the transpose.
  EXPECT_EQ(floats(x.t().sum(0)), (std::vector<float>{9, 12}));
  EXPECT_EQ(floats(x.t().sum(1)), (std::vector<float>{5, 7, 9}));
}

TEST_P(TensorOpsTest, ReductionsOfEmptyTensors) {
  Tensor e = make({}, {0});
  EXPECT_EQ(e.sum().item<float>(), 0.0f);
  EXPECT_TRUE(std::isnan(e.mean().item<float>()));  // PyTorch: nan
  Tensor rows = make({}, {2, 0});
  EXPECT_EQ(floats(rows.sum(1)), (std::vector<float>{0, 0}));
}

TEST_P(TensorOpsTest, MaxAndArgmax) {
  Tensor x = make({1, 5, 3, 4, 2, 6}, {2, 3});
  EXPECT_EQ(x.max().item<float>(), 6.0f);
  EXPECT_EQ(x.max().dim(), 0);
  auto [values, indices] = x.max(0);
  EXPECT_EQ(floats(values), (std::vector<float>{4, 5, 6}));
  EXPECT_EQ(indices.dtype(), kInt64);
  EXPECT_EQ(ints(indices), (std::vector<std::int64_t>{1, 0, 1}));
  auto [kv, ki] = x.max(-1, true);
  EXPECT_EQ(kv.sizes(), (Shape{2, 1}));
  EXPECT_EQ(ki.sizes(), (Shape{2, 1}));
  EXPECT_EQ(floats(kv), (std::vector<float>{5, 6}));
  EXPECT_EQ(ints(ki), (std::vector<std::int64_t>{1, 2}));
  Tensor am = x.argmax();
  EXPECT_EQ(am.dtype(), kInt64);
  EXPECT_EQ(am.dim(), 0);
  EXPECT_EQ(am.item<std::int64_t>(), 5);  // index into the flattened tensor
  EXPECT_EQ(ints(x.argmax(0)), (std::vector<std::int64_t>{1, 0, 1}));
  EXPECT_EQ(x.argmax(1, true).sizes(), (Shape{2, 1}));
  EXPECT_EQ(ints(x.argmax(1, true)), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(make({1, 3, 3}, {3}).argmax().item<std::int64_t>(), 1);  // first of equal maxima
  // Flattened in logical (row-major) order, not storage order: [[1,9],[2,3]].t() is [1,2,9,3].
  EXPECT_EQ(make({1, 9, 2, 3}, {2, 2}).t().argmax().item<std::int64_t>(), 2);
}

TEST_P(TensorOpsTest, ReductionsPropagateNaN) {
  Tensor n = make({1, kNaN, 3, 4, 2, 6}, {2, 3});
  EXPECT_TRUE(std::isnan(n.sum().item<float>()));
  EXPECT_TRUE(std::isnan(n.max().item<float>()));
  EXPECT_EQ(n.argmax().item<std::int64_t>(), 1);
  auto [values, indices] = n.max(1);
  const std::vector<float> v = floats(values);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], 6.0f);
  EXPECT_EQ(ints(indices), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(ints(n.argmax(1)), (std::vector<std::int64_t>{1, 2}));
  expect_floats_near(floats(n.mean(0)), {2.5f, kNaN, 4.5f});
}

TEST_P(TensorOpsTest, ReductionsOfZeroDimTensorAcceptDimZero) {
  Tensor s = make({5}, {});
  EXPECT_EQ(s.sum(0).item<float>(), 5.0f);
  EXPECT_EQ(s.sum(-1).item<float>(), 5.0f);
  EXPECT_EQ(s.argmax(0).item<std::int64_t>(), 0);
}

// --- matmul ----------------------------------------------------------------------------------

/// Reference batched matmul on row-major buffers: [batch, n, k] x [batch, k, m].
std::vector<float> reference_bmm(const std::vector<float>& a, const std::vector<float>& b, int batch, int n, int k,
                                 int m, bool broadcast_b) {
  std::vector<float> out;
  for (int p = 0; p < batch; ++p)
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < m; ++j) {
        float acc = 0;
        for (int q = 0; q < k; ++q) {
          const std::size_t ai = static_cast<std::size_t>((p * n + i) * k + q);
          const std::size_t bi = static_cast<std::size_t>(((broadcast_b ? 0 : p) * k + q) * m + j);
          acc += a[ai] * b[bi];
        }
        out.push_back(acc);
      }
  return out;
}

TEST_P(TensorOpsTest, MatmulVectorVectorIsZeroDim) {
  Tensor r = make({1, 2, 3}, {3}).matmul(make({4, 5, 6}, {3}));
  EXPECT_EQ(r.dim(), 0);
  EXPECT_EQ(r.item<float>(), 32.0f);
}

TEST_P(TensorOpsTest, MatmulMatrixVectorAndVectorMatrix) {
  Tensor m = iota({2, 3});
  Tensor mv = m.matmul(make({1, 2, 3}, {3}));
  EXPECT_EQ(mv.sizes(), (Shape{2}));
  EXPECT_EQ(floats(mv), (std::vector<float>{8, 26}));  // [0+2+6, 3+8+15]
  Tensor vm = make({1, 2}, {2}).matmul(m);
  EXPECT_EQ(vm.sizes(), (Shape{3}));
  EXPECT_EQ(floats(vm), (std::vector<float>{6, 9, 12}));
}

TEST_P(TensorOpsTest, MatmulMatrixMatrix) {
  Tensor a = iota({2, 3});
  Tensor b = make({1, 0, 2, 1, 0, 3, -1, 2}, {4, 2}).narrow(0, 0, 3);
  std::vector<float> av = floats(a), bv = {1, 0, 2, 1, 0, 3};
  Tensor r = a.matmul(b);
  EXPECT_EQ(r.sizes(), (Shape{2, 2}));
  EXPECT_EQ(floats(r), reference_bmm(av, bv, 1, 2, 3, 2, false));
  // Transposed (non-contiguous) operand: a @ a.t()
  EXPECT_EQ(floats(a.matmul(a.t())), (std::vector<float>{5, 14, 14, 50}));
  EXPECT_FALSE(r.is_alias_of(a));
  EXPECT_EQ(r.device(), device());
}

TEST_P(TensorOpsTest, MatmulBatchedBroadcastsBatchDims) {
  Tensor batch = iota({2, 2, 3});
  std::vector<float> bv = floats(batch);
  Tensor w = make({1, 2, -1, 0, 3, 1}, {3, 2});
  Tensor r = batch.matmul(w);
  EXPECT_EQ(r.sizes(), (Shape{2, 2, 2}));
  EXPECT_EQ(floats(r), reference_bmm(bv, {1, 2, -1, 0, 3, 1}, 2, 2, 3, 2, true));

  // [1, 2, 3] @ [4, 3, 2] -> [4, 2, 2]: the left operand's batch of 1 broadcasts.
  Tensor left = iota({1, 2, 3});
  Tensor right = iota({4, 3, 2});
  Tensor r2 = left.matmul(right);
  EXPECT_EQ(r2.sizes(), (Shape{4, 2, 2}));
  std::vector<float> lv = floats(left), rv = floats(right);
  std::vector<float> expected;
  for (int p = 0; p < 4; ++p) {
    std::vector<float> rp(rv.begin() + p * 6, rv.begin() + (p + 1) * 6);
    std::vector<float> part = reference_bmm(lv, rp, 1, 2, 3, 2, false);
    expected.insert(expected.end(), part.begin(), part.end());
  }
  EXPECT_EQ(floats(r2), expected);

  // Batched @ 1-D and 1-D @ batched.
  Tensor bvv = batch.matmul(make({1, 2, 3}, {3}));
  EXPECT_EQ(bvv.sizes(), (Shape{2, 2}));
  EXPECT_EQ(floats(bvv), (std::vector<float>{8, 26, 44, 62}));
  Tensor vb = make({1, 2}, {2}).matmul(batch);
  EXPECT_EQ(vb.sizes(), (Shape{2, 3}));
  EXPECT_EQ(floats(vb), (std::vector<float>{6, 9, 12, 24, 27, 30}));
}

// --- comparison and closeness ----------------------------------------------------------------

TEST_P(TensorOpsTest, EqReturnsBool) {
  Tensor a = make({1, 2, 3}, {3});
  Tensor r = a.eq(make({1, 0, 3}, {3}));
  EXPECT_EQ(r.dtype(), kBool);
  EXPECT_EQ(r.device(), device());
  EXPECT_EQ(r.to_vector<bool>(), (std::vector<bool>{true, false, true}));
  EXPECT_EQ(a.eq(2).to_vector<bool>(), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(make_i64({1, 2, 3}, {3}).eq(2.0).to_vector<bool>(), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(make_i64({1, 2, 3}, {3}).eq(make({1, 0, 3}, {3})).to_vector<bool>(),
            (std::vector<bool>{true, false, true}));
  EXPECT_EQ(make({kNaN}, {1}).eq(make({kNaN}, {1})).to_vector<bool>(), (std::vector<bool>{false}));
  Tensor bc = make({1, 2}, {2, 1}).eq(make({1, 2, 3}, {3}));
  EXPECT_EQ(bc.sizes(), (Shape{2, 3}));
  EXPECT_EQ(bc.to_vector<bool>(), (std::vector<bool>{true, false, false, false, true, false}));
}

TEST_P(TensorOpsTest, EqualAndAllclose) {
  Tensor a = make({1, 2, 3}, {3});
  EXPECT_TRUE(a.equal(make({1, 2, 3}, {3})));
  EXPECT_FALSE(a.equal(make({1, 2, 4}, {3})));
  EXPECT_FALSE(a.equal(make({1, 2, 3}, {3, 1})));  // shapes differ
  EXPECT_TRUE(iota({2, 3}).t().equal(make({0, 3, 1, 4, 2, 5}, {3, 2})));
  EXPECT_FALSE(make({kNaN}, {1}).equal(make({kNaN}, {1})));

  EXPECT_TRUE(make({1.0f}, {1}).allclose(make({1.0f + 1e-6f}, {1})));
  EXPECT_FALSE(make({1.0f}, {1}).allclose(make({1.0001f}, {1})));
  EXPECT_TRUE(make({0.0f}, {1}).allclose(make({1e-9f}, {1})));
  EXPECT_FALSE(make({0.0f}, {1}).allclose(make({1e-7f}, {1})));
  EXPECT_TRUE(make({0.0f}, {1}).allclose(make({1e-7f}, {1}), 1e-5, 1e-6));  // atol honoured
  EXPECT_TRUE(make({100.0f}, {1}).allclose(make({101.0f}, {1}), 0.02));      // rtol honoured
  EXPECT_FALSE(make({kNaN}, {1}).allclose(make({kNaN}, {1})));
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_TRUE(make({inf}, {1}).allclose(make({inf}, {1})));
  EXPECT_FALSE(make({inf}, {1}).allclose(make({-inf}, {1})));
  EXPECT_TRUE(allclose(a, make({1, 2, 3.00001f}, {3})));
  EXPECT_FALSE(allclose(a, make({1, 2, 3.1f}, {3})));
}

// --- values ----------------------------------------------------------------------------------

TEST_P(TensorOpsTest, ItemOfOneElementTensors) {
  Scalar f = make({2.5f}, {1, 1}).item();
  EXPECT_FALSE(f.is_integral());
  EXPECT_EQ(f.to_double(), 2.5);
  Scalar i = make_i64({-7}, {}).item();
  EXPECT_TRUE(i.is_integral());
  EXPECT_EQ(i.to_int(), -7);
  EXPECT_EQ(make_i64({42}, {1}).item<std::int64_t>(), 42);
  EXPECT_EQ(make_f64({0.125}, {}).item<double>(), 0.125);
  EXPECT_EQ(make({3.0f}, {}).item<std::int64_t>(), 3);
  EXPECT_EQ(iota({2, 3})[1][2].item<float>(), 5.0f);
}

TEST_P(TensorOpsTest, ToVectorIsRowMajorOverTheView) {
  Tensor x = iota({2, 3});
  EXPECT_EQ(x.t().to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(x.t().to_vector<double>(), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(x.slice(1, 1).to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 2, 4, 5}));
  EXPECT_TRUE(make({}, {0, 4}).to_vector<float>().empty());
  EXPECT_EQ(make_i64({1, 0, 3}, {3}).to_vector<bool>(), (std::vector<bool>{true, false, true}));
}

TEST_P(TensorOpsTest, DataPointersPointAtElementZeroOfTheView) {
  Tensor x = iota({2, 3});
  const float* base = x.const_data_ptr<float>();
  EXPECT_EQ(x.const_data_ptr(), static_cast<const void*>(base));
  EXPECT_EQ(x.mutable_data_ptr<float>(), base);
  EXPECT_EQ(x.mutable_data_ptr(), static_cast<const void*>(base));
  EXPECT_EQ(x.select(0, 1).const_data_ptr<float>(), base + 3);
  EXPECT_EQ(x.slice(1, 2).mutable_data_ptr<float>(), base + 2);
  EXPECT_EQ(x.t().const_data_ptr<float>(), base);
  EXPECT_NE(x.clone().const_data_ptr<float>(), base);
  EXPECT_NE(make_i64({1}, {1}).const_data_ptr<std::int64_t>(), nullptr);
  EXPECT_NE(make_f64({1}, {1}).mutable_data_ptr<double>(), nullptr);
  EXPECT_NE(make({1}, {1}).eq(1).const_data_ptr<bool>(), nullptr);
}

TEST_P(TensorOpsTest, RequiresGradFlag) {
  Tensor a = make({1, 2}, {2});
  EXPECT_FALSE(a.requires_grad());
  EXPECT_EQ(&a.set_requires_grad(true), &a);
  EXPECT_TRUE(a.requires_grad());
  Tensor same = a;
  EXPECT_TRUE(same.requires_grad());  // one handle, one flag
  Tensor v = a.detach();
  EXPECT_FALSE(v.requires_grad());
  v.set_requires_grad(true);
  a.set_requires_grad(false);
  EXPECT_TRUE(v.requires_grad());  // per handle, not per storage
  EXPECT_FALSE(a.requires_grad());
  Tensor created = zeros({2}, opts().requires_grad(true));
  EXPECT_TRUE(created.requires_grad());
}

TEST_P(TensorOpsTest, GradSlotIsPerHandle) {
  Tensor p = make({1, 2}, {2});
  EXPECT_FALSE(p.grad().defined());
  Tensor g = make({0.5f, 0.5f}, {2});
  p.mutable_grad() = g;
  EXPECT_TRUE(p.grad().defined());
  EXPECT_TRUE(p.grad().is_same(g));
  Tensor same = p;
  EXPECT_TRUE(same.grad().is_same(g));
  EXPECT_FALSE(p.detach().grad().defined());
  EXPECT_FALSE(p.view({2}).grad().defined());
  p.grad().mul_(2);  // the slot holds a handle: writes through it reach g
  EXPECT_EQ(floats(g), (std::vector<float>{1, 1}));
  p.mutable_grad() = Tensor();
  EXPECT_FALSE(p.grad().defined());
}

TEST(TensorHandleTest, DefaultConstructedIsUndefined) {
  Tensor t;
  EXPECT_FALSE(t.defined());
  EXPECT_TRUE(t.is_same(Tensor()));
  EXPECT_TRUE(zeros({1}).defined());
  EXPECT_FALSE(zeros({1}).is_same(t));
  Tensor a = zeros({2});
  EXPECT_TRUE(Tensor(a.impl()).is_same(a));  // wrapping the impl again is the same handle
}

AG_INSTANTIATE_ON_DEVICES(TensorOpsTest);

}  // namespace
}  // namespace aliasguard::test
