// Factories (empty, zeros, ones, full, arange, tensor, rand, randn), their dtype inference,
// and the random generator: reproducibility under a seed and rough distribution shape.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

#include "aliasguard/generator.h"
#include "aliasguard/tensor.h"
#include "tensor_test_fixture.h"

namespace aliasguard::test {
namespace {

class TensorFactoriesTest : public DeviceTest {};

struct Moments {
  double mean, stddev, min, max;
};

Moments moments(const std::vector<double>& v) {
  double sum = 0, lo = v.front(), hi = v.front();
  for (double x : v) {
    sum += x;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  const double mean = sum / static_cast<double>(v.size());
  double sq = 0;
  for (double x : v) sq += (x - mean) * (x - mean);
  return {mean, std::sqrt(sq / static_cast<double>(v.size())), lo, hi};
}

// --- constant factories ----------------------------------------------------------------------

TEST_P(TensorFactoriesTest, ZerosOnesFullEmpty) {
  Tensor z = zeros({2, 3}, opts());
  EXPECT_EQ(z.sizes(), (Shape{2, 3}));
  EXPECT_EQ(z.strides(), (Shape{3, 1}));
  EXPECT_EQ(z.storage_offset(), 0);
  EXPECT_EQ(z.dtype(), kFloat32);
  EXPECT_EQ(z.device(), device());
  EXPECT_TRUE(z.is_contiguous());
  EXPECT_EQ(z.storage_nbytes(), 6 * sizeof(float));
  EXPECT_EQ(z.to_vector<float>(), std::vector<float>(6, 0.0f));
  EXPECT_EQ(ones({4}, opts()).to_vector<float>(), std::vector<float>(4, 1.0f));
  Tensor f = full({2, 2}, 2.5, opts());
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_EQ(f.to_vector<float>(), std::vector<float>(4, 2.5f));
  Tensor e = empty({3, 2}, opts());
  EXPECT_EQ(e.sizes(), (Shape{3, 2}));
  EXPECT_EQ(e.to_vector<float>(), std::vector<float>(6, 0.0f));  // documented zero-fill
}

TEST_P(TensorFactoriesTest, FactoriesHonourDtype) {
  Tensor zi = zeros({3}, opts(kInt64));
  EXPECT_EQ(zi.dtype(), kInt64);
  EXPECT_EQ(zi.storage_nbytes(), 3 * sizeof(std::int64_t));
  Tensor oi = ones({2}, opts(kInt64));
  EXPECT_EQ(oi.to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 1}));
  Tensor fd = full({2}, 0.1, opts(kFloat64));
  EXPECT_EQ(fd.dtype(), kFloat64);
  EXPECT_EQ(fd.to_vector<double>(), (std::vector<double>{0.1, 0.1}));  // not rounded through float
  Tensor fi = full({3}, 7, opts(kInt64));
  EXPECT_EQ(fi.to_vector<std::int64_t>(), (std::vector<std::int64_t>{7, 7, 7}));
  Tensor ob = ones({2}, opts(kBool));
  EXPECT_EQ(ob.dtype(), kBool);
  EXPECT_EQ(ob.storage_nbytes(), 2u);
  EXPECT_EQ(ob.to_vector<bool>(), (std::vector<bool>{true, true}));
}

TEST_P(TensorFactoriesTest, FullInt64IsExactBeyondDoublePrecision) {
  // PyTorch: torch.full((1,), 2**53 + 1, dtype=torch.long).item() == 2**53 + 1.
  const std::int64_t big = (std::int64_t{1} << 53) + 1;
  EXPECT_EQ(full({1}, big, opts(kInt64)).item<std::int64_t>(), big);
  EXPECT_EQ(full({1}, -big, opts(kInt64)).item().to_int(), -big);
}

TEST(TensorFactoryDefaultsTest, DefaultsAreFloat32OnCpu) {
  Tensor z = zeros({2});
  EXPECT_EQ(z.dtype(), kFloat32);
  EXPECT_TRUE(z.device().is_cpu());
  EXPECT_FALSE(z.requires_grad());
  EXPECT_EQ(full({1}, 7).dtype(), kFloat32);  // LibTorch: options, not the Scalar, pick the dtype
  EXPECT_EQ(zeros({2}, kInt64).dtype(), kInt64);  // a ScalarType converts to TensorOptions
  EXPECT_TRUE(zeros({2}, Device::cpu()).device().is_cpu());
}

TEST_P(TensorFactoriesTest, ZeroDimAndEmptyShapes) {
  Tensor s = zeros({}, opts());
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_TRUE(s.sizes().empty());
  EXPECT_TRUE(s.strides().empty());
  Tensor e = ones({0, 3}, opts());
  EXPECT_EQ(e.dim(), 2);
  EXPECT_EQ(e.numel(), 0);
  EXPECT_EQ(e.size(1), 3);
  EXPECT_TRUE(e.to_vector<float>().empty());
}

TEST_P(TensorFactoriesTest, SizeAndStrideAcceptNegativeDims) {
  Tensor t = zeros({2, 3, 4}, opts());
  EXPECT_EQ(t.dim(), 3);
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.size(0), 2);
  EXPECT_EQ(t.size(-1), 4);
  EXPECT_EQ(t.size(-3), 2);
  EXPECT_EQ(t.stride(0), 12);
  EXPECT_EQ(t.stride(-2), 4);
  EXPECT_EQ(t.stride(2), 1);
}

TEST_P(TensorFactoriesTest, RequiresGradOption) {
  Tensor p = ones({2}, opts().requires_grad(true));
  EXPECT_TRUE(p.requires_grad());
  EXPECT_FALSE(ones({2}, opts()).requires_grad());
}

// --- arange ----------------------------------------------------------------------------------

TEST_P(TensorFactoriesTest, ArangeIntegral) {
  Tensor a = arange(5, opts(kInt64));
  EXPECT_EQ(a.dtype(), kInt64);
  EXPECT_EQ(a.device(), device());
  EXPECT_EQ(a.to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  Tensor down = arange(5, 0, -1, opts(kInt64));
  EXPECT_EQ(down.to_vector<std::int64_t>(), (std::vector<std::int64_t>{5, 4, 3, 2, 1}));
  Tensor stepped = arange(1, 10, 4, opts(kInt64));
  EXPECT_EQ(stepped.to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 5, 9}));
  EXPECT_EQ(arange(0, 0, 1, opts(kInt64)).numel(), 0);
}

TEST(ArangeDtypeTest, InferredFromTheScalars) {
  EXPECT_EQ(arange(5).dtype(), kInt64);
  EXPECT_EQ(arange(5).to_vector<std::int64_t>(), (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(arange(0, 3).dtype(), kInt64);
  EXPECT_EQ(arange(1, 2.5, 0.5).dtype(), kFloat32);
  EXPECT_EQ(arange(1, 2.5, 0.5).to_vector<float>(), (std::vector<float>{1, 1.5f, 2}));
  EXPECT_EQ(arange(0.0, 3).dtype(), kFloat32);
  Tensor f = arange(2.5);  // PyTorch: torch.arange(2.5) -> float32 [0, 1, 2]
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_EQ(f.to_vector<float>(), (std::vector<float>{0, 1, 2}));
  EXPECT_TRUE(arange(3).device().is_cpu());
}

TEST_P(TensorFactoriesTest, ArangeFloatingCountsLikePyTorch) {
  Tensor a = arange(0, 1, 0.1, opts());
  ASSERT_EQ(a.numel(), 10);  // ceil((1 - 0) / 0.1)
  std::vector<float> v = a.to_vector<float>();
  for (std::size_t i = 0; i < v.size(); ++i) EXPECT_NEAR(v[i], 0.1 * static_cast<double>(i), 1e-6);
  Tensor d = arange(0, 5, 1, opts(kFloat64));
  EXPECT_EQ(d.dtype(), kFloat64);
  EXPECT_EQ(d.to_vector<double>(), (std::vector<double>{0, 1, 2, 3, 4}));
  Tensor neg = arange(1, -1, -0.5, opts());
  EXPECT_EQ(neg.to_vector<float>(), (std::vector<float>{1, 0.5f, 0, -0.5f}));
}

// --- tensor(values, shape) -------------------------------------------------------------------

TEST(TensorFromValuesTest, DtypeFollowsTheElementType) {
  Tensor f = tensor(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_EQ(f.sizes(), (Shape{2, 3}));
  EXPECT_EQ(f.strides(), (Shape{3, 1}));
  EXPECT_TRUE(f.device().is_cpu());
  EXPECT_EQ(f.to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  Tensor d = tensor(std::vector<double>{0.1, 0.2}, {2});
  EXPECT_EQ(d.dtype(), kFloat64);
  EXPECT_EQ(d.to_vector<double>(), (std::vector<double>{0.1, 0.2}));
  Tensor i = tensor(std::vector<std::int64_t>{-3, 9007199254740993}, {2});
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_EQ(i.to_vector<std::int64_t>(), (std::vector<std::int64_t>{-3, 9007199254740993}));
  Tensor list = tensor({1.5f, 2.5f, 3.5f});
  EXPECT_EQ(list.dtype(), kFloat32);
  EXPECT_EQ(list.sizes(), (Shape{3}));
  EXPECT_EQ(list.to_vector<float>(), (std::vector<float>{1.5f, 2.5f, 3.5f}));
  Tensor scalar = tensor(std::vector<float>{4}, {});
  EXPECT_EQ(scalar.dim(), 0);
  EXPECT_EQ(scalar.item<float>(), 4.0f);
  EXPECT_EQ(tensor(std::vector<float>{}, {0}).numel(), 0);
}

TEST(TensorFromValuesTest, OptionsOverrideTheElementType) {
  Tensor d_as_f = tensor(std::vector<double>{0.5, 1.5}, {2}, kFloat32);
  EXPECT_EQ(d_as_f.dtype(), kFloat32);
  EXPECT_EQ(d_as_f.to_vector<float>(), (std::vector<float>{0.5f, 1.5f}));
  Tensor f_as_i = tensor(std::vector<float>{1, 2}, {2}, kInt64);
  EXPECT_EQ(f_as_i.dtype(), kInt64);
  EXPECT_EQ(f_as_i.to_vector<std::int64_t>(), (std::vector<std::int64_t>{1, 2}));
  Tensor list64 = tensor({1.0f, 2.0f}, kFloat64);
  EXPECT_EQ(list64.dtype(), kFloat64);
  Tensor rg = tensor({1.0f}, TensorOptions().requires_grad(true));
  EXPECT_TRUE(rg.requires_grad());
}

TEST_P(TensorFactoriesTest, TensorOnDevice) {
  Tensor t = tensor(std::vector<float>{1, 2, 3}, {3}, opts());
  EXPECT_EQ(t.device(), device());
  EXPECT_EQ(t.is_cuda(), device().is_cuda());
  EXPECT_EQ(t.to_vector<float>(), (std::vector<float>{1, 2, 3}));
  Tensor l = tensor({4.0f, 5.0f}, opts());
  EXPECT_EQ(l.device(), device());
  EXPECT_EQ(l.to_vector<float>(), (std::vector<float>{4, 5}));
}

// --- random ----------------------------------------------------------------------------------

TEST(GeneratorTest, SameSeedSameSequence) {
  Generator a(42), b(42), c(43);
  EXPECT_EQ(a.initial_seed(), 42u);
  bool any_difference = false;
  for (int i = 0; i < 100; ++i) {
    const double ua = a.next_uniform();
    EXPECT_EQ(ua, b.next_uniform());
    any_difference |= ua != c.next_uniform();
    EXPECT_GE(ua, 0.0);
    EXPECT_LT(ua, 1.0);
  }
  EXPECT_TRUE(any_difference);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.next_normal(), b.next_normal());
}

TEST(GeneratorTest, ManualSeedRestarts) {
  Generator a(1);
  const double first = a.next_uniform();
  (void)a.next_uniform();
  a.manual_seed(1);
  EXPECT_EQ(a.initial_seed(), 1u);
  EXPECT_EQ(a.next_uniform(), first);
  a.manual_seed(99);
  Generator b(99);
  EXPECT_EQ(a.next_uniform(), b.next_uniform());
  EXPECT_EQ(Generator().initial_seed(), 67280421310721ULL);
}

TEST(GeneratorTest, MoveKeepsTheStream) {
  Generator a(5), reference(5);
  (void)a.next_uniform();
  (void)reference.next_uniform();
  Generator moved(std::move(a));
  EXPECT_EQ(moved.next_uniform(), reference.next_uniform());
  Generator assigned(0);
  assigned = std::move(moved);
  EXPECT_EQ(assigned.next_uniform(), reference.next_uniform());
  EXPECT_EQ(assigned.initial_seed(), 5u);
}

TEST(GeneratorTest, DistributionsHaveTheRightShape) {
  Generator g(2024);
  std::vector<double> u(10000), n(10000);
  for (double& x : u) x = g.next_uniform();
  for (double& x : n) x = g.next_normal();
  Moments mu = moments(u), mn = moments(n);
  EXPECT_NEAR(mu.mean, 0.5, 0.02);
  EXPECT_NEAR(mu.stddev, std::sqrt(1.0 / 12.0), 0.02);
  EXPECT_GE(mu.min, 0.0);
  EXPECT_LT(mu.max, 1.0);
  EXPECT_NEAR(mn.mean, 0.0, 0.05);
  EXPECT_NEAR(mn.stddev, 1.0, 0.05);
  EXPECT_LT(mn.min, -2.5);  // a real normal reaches the tails in 10k draws
  EXPECT_GT(mn.max, 2.5);
}

TEST(GeneratorTest, DefaultGeneratorFollowsManualSeed) {
  manual_seed(7);
  EXPECT_EQ(default_generator().initial_seed(), 7u);
  const double first = default_generator().next_uniform();
  manual_seed(7);
  EXPECT_EQ(default_generator().next_uniform(), first);
}

std::vector<double> as_doubles(const Tensor& t) { return t.to_vector<double>(); }

TEST_P(TensorFactoriesTest, RandIsReproducibleUnderManualSeed) {
  manual_seed(123);
  Tensor a = rand({50}, opts());
  Tensor a2 = rand({50}, opts());
  manual_seed(123);
  Tensor b = rand({50}, opts());
  EXPECT_EQ(a.dtype(), kFloat32);
  EXPECT_EQ(a.device(), device());
  EXPECT_EQ(a.to_vector<float>(), b.to_vector<float>());
  EXPECT_NE(a.to_vector<float>(), a2.to_vector<float>());  // the stream advances
  manual_seed(123);
  Tensor n1 = randn({2, 25}, opts());
  manual_seed(123);
  Tensor n2 = randn({2, 25}, opts());
  EXPECT_EQ(n1.sizes(), (Shape{2, 25}));
  EXPECT_EQ(n1.to_vector<float>(), n2.to_vector<float>());
}

TEST_P(TensorFactoriesTest, ExplicitGeneratorIsIndependentOfTheDefault) {
  Generator g1(9), g2(9);
  Tensor a = rand({20}, opts(), &g1);
  manual_seed(1);  // must not matter
  (void)rand({5}, opts());
  Tensor b = rand({20}, opts(), &g2);
  EXPECT_EQ(a.to_vector<float>(), b.to_vector<float>());
  Generator g3(10);
  EXPECT_NE(rand({20}, opts(), &g3).to_vector<float>(), a.to_vector<float>());
  Generator h1(4), h2(4);
  Tensor x = zeros({30}, opts());
  Tensor y = zeros({30}, opts());
  x.normal_(0, 1, &h1);
  y.normal_(0, 1, &h2);
  EXPECT_EQ(x.to_vector<float>(), y.to_vector<float>());
}

TEST_P(TensorFactoriesTest, SameSeedGivesSameNumbersOnEveryDevice) {
  Generator host_gen(77), dev_gen(77);
  Tensor on_host = randn({64}, TensorOptions(), &host_gen);
  Tensor here = randn({64}, opts(), &dev_gen);
  EXPECT_EQ(here.to_vector<float>(), on_host.to_vector<float>());
}

TEST_P(TensorFactoriesTest, RandAndRandnDistributions) {
  Generator g(31337);
  Moments u = moments(as_doubles(rand({10000}, opts(), &g)));
  EXPECT_GE(u.min, 0.0);
  EXPECT_LT(u.max, 1.0);
  EXPECT_NEAR(u.mean, 0.5, 0.02);
  EXPECT_NEAR(u.stddev, std::sqrt(1.0 / 12.0), 0.02);
  Moments n = moments(as_doubles(randn({100, 100}, opts(), &g)));
  EXPECT_NEAR(n.mean, 0.0, 0.05);
  EXPECT_NEAR(n.stddev, 1.0, 0.05);
  Tensor d = rand({1000}, opts(kFloat64), &g);
  EXPECT_EQ(d.dtype(), kFloat64);
  Moments md = moments(as_doubles(d));
  EXPECT_GE(md.min, 0.0);
  EXPECT_LT(md.max, 1.0);
  EXPECT_TRUE(rand({2}, opts().requires_grad(true), &g).requires_grad());
}

TEST_P(TensorFactoriesTest, UniformAndNormalInPlace) {
  Generator g(555);
  Tensor u = zeros({10000}, opts());
  EXPECT_EQ(&u.uniform_(-2, 3, &g), &u);
  Moments mu = moments(as_doubles(u));
  EXPECT_GE(mu.min, -2.0);
  EXPECT_LT(mu.max, 3.0);
  EXPECT_NEAR(mu.mean, 0.5, 0.1);
  EXPECT_NEAR(mu.stddev, 5.0 / std::sqrt(12.0), 0.1);
  Tensor n = zeros({100, 100}, opts());
  EXPECT_EQ(&n.normal_(10, 2, &g), &n);
  Moments mn = moments(as_doubles(n));
  EXPECT_NEAR(mn.mean, 10.0, 0.1);
  EXPECT_NEAR(mn.stddev, 2.0, 0.1);
  manual_seed(8);
  Tensor d1 = zeros({16}, opts()).uniform_();
  Tensor n1 = zeros({16}, opts()).normal_();
  manual_seed(8);
  Tensor d2 = zeros({16}, opts()).uniform_();
  Tensor n2 = zeros({16}, opts()).normal_();
  EXPECT_EQ(d1.to_vector<float>(), d2.to_vector<float>());
  EXPECT_EQ(n1.to_vector<float>(), n2.to_vector<float>());
  EXPECT_NE(n1.to_vector<float>(), std::vector<float>(16, 0.0f));
}

TEST_P(TensorFactoriesTest, RandomFillOfAViewTouchesOnlyTheView) {
  Generator g(3);
  Tensor m = zeros({4, 4}, opts());
  m.select(1, 2).uniform_(1, 2, &g);
  std::vector<float> v = m.to_vector<float>();
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i % 4 == 2) {
      EXPECT_GE(v[i], 1.0f) << i;
      EXPECT_LT(v[i], 2.0f) << i;
    } else {
      EXPECT_EQ(v[i], 0.0f) << i;
    }
  }
}

AG_INSTANTIATE_ON_DEVICES(TensorFactoriesTest);

}  // namespace
}  // namespace aliasguard::test
