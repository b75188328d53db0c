// Views, identity and copies: geometry (sizes, strides, storage_offset) is compared with what
// PyTorch 1.13 reports for the same call; values are checked against an iota base, where each
// element holds its own storage index.

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "aliasguard/tensor.h"
#include "tensor_test_fixture.h"

namespace aliasguard::test {
namespace {

class TensorViewsTest : public DeviceTest {
 protected:
  /// Expects `v` to be a view with exactly this geometry and the values it implies.
  static void expect_view(const Tensor& base, const Tensor& v, const Shape& sizes, const Shape& strides,
                          std::int64_t offset) {
    EXPECT_EQ(v.sizes(), sizes);
    EXPECT_EQ(v.strides(), strides);
    EXPECT_EQ(v.storage_offset(), offset);
    EXPECT_TRUE(v.is_alias_of(base));
    EXPECT_FALSE(v.is_same(base));
    EXPECT_EQ(v.storage_id(), base.storage_id());
    EXPECT_EQ(v.to_vector<float>(), gather(sizes, strides, offset));
  }
};

TEST_P(TensorViewsTest, ViewSharesStorageAndBothSeeEachOthersWrites) {
  Tensor base = iota({2, 3});
  Tensor v = base.view({3, 2});
  expect_view(base, v, {3, 2}, {2, 1}, 0);
  EXPECT_EQ(v.device(), device());

  v.select(0, 2).select(0, 1).fill_(100);  // v[2][1] is storage element 5 == base[1][2]
  EXPECT_EQ(base.to_vector<float>(), (std::vector<float>{0, 1, 2, 3, 4, 100}));
  base.mul_(2);
  EXPECT_EQ(v.to_vector<float>(), (std::vector<float>{0, 2, 4, 6, 8, 200}));
}

TEST_P(TensorViewsTest, ViewInfersOneMinusOneDimension) {
  Tensor base = iota({2, 3});
  expect_view(base, base.view({-1, 2}), {3, 2}, {2, 1}, 0);
  expect_view(base, base.view({3, -1}), {3, 2}, {2, 1}, 0);
  expect_view(base, base.view({-1}), {6}, {1}, 0);
}

TEST_P(TensorViewsTest, ViewOfTransposedWorksWhenDimsDoNotCrossSubspaces) {
  Tensor base = iota({2, 3});
  Tensor t = base.t();  // sizes [3, 2], strides [1, 3]
  // PyTorch: t.view(3,2,1) -> strides (1,3,3); t.view(3,1,2) -> strides (1,6,3).
  expect_view(base, t.view({3, 2, 1}), {3, 2, 1}, {1, 3, 3}, 0);
  expect_view(base, t.view({3, 1, 2}), {3, 1, 2}, {1, 6, 3}, 0);
}

TEST_P(TensorViewsTest, ViewBetweenZeroDimAndOneElement) {
  Tensor s = make({5}, {});
  EXPECT_EQ(s.dim(), 0);
  Tensor one = s.view({1});
  EXPECT_EQ(one.sizes(), (Shape{1}));
  EXPECT_TRUE(one.is_alias_of(s));
  Tensor back = one.view({});
  EXPECT_EQ(back.dim(), 0);
  EXPECT_EQ(back.item<float>(), 5.0f);
}

TEST_P(TensorViewsTest, ReshapeIsAViewWhenStridesAllow) {
  Tensor base = iota({2, 3});
  expect_view(base, base.reshape({3, 2}), {3, 2}, {2, 1}, 0);
  // A column: PyTorch gives sizes (2,1), strides (3,3), offset 1, still a view.
  Tensor col = base.select(1, 1);
  expect_view(base, col.reshape({2, 1}), {2, 1}, {3, 3}, 1);
  // Transposed, but only a unit dimension is inserted: PyTorch keeps a view, strides (1,6,3).
  expect_view(base, base.t().reshape({3, 1, 2}), {3, 1, 2}, {1, 6, 3}, 0);
}

TEST_P(TensorViewsTest, ReshapeCopiesWhenStridesDoNotAllow) {
  Tensor base = iota({2, 3});
  Tensor r = base.t().reshape({6});
  EXPECT_FALSE(r.is_alias_of(base));
  EXPECT_TRUE(r.is_contiguous());
  EXPECT_EQ(r.strides(), (Shape{1}));
  EXPECT_EQ(r.to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));  // PyTorch's values
  r.fill_(-1);
  EXPECT_EQ(base.to_vector<float>(), (std::vector<float>{0, 1, 2, 3, 4, 5}));

  Tensor r2 = base.t().reshape({2, 3});
  EXPECT_FALSE(r2.is_alias_of(base));
  EXPECT_EQ(r2.to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));

  Tensor strided = base.slice(1, std::nullopt, std::nullopt, 2);  // columns 0 and 2
  Tensor r3 = strided.reshape({4});
  EXPECT_FALSE(r3.is_alias_of(base));
  EXPECT_EQ(r3.to_vector<float>(), (std::vector<float>{0, 2, 3, 5}));
}

struct SliceCase {
  std::optional<std::int64_t> start, end;
  std::int64_t step;
  std::int64_t size, stride, offset;
};

TEST_P(TensorViewsTest, SliceClampsBoundsLikePython) {
  Tensor base = iota({10});
  // Each row is what torch.ops.aten.slice(arange(10), 0, start, end, step) gives.
  const std::vector<SliceCase> cases = {
      {-3, std::nullopt, 1, 3, 1, 7},    {-100, 100, 1, 10, 1, 0},          {2, 100, 3, 3, 3, 2},
      {8, 2, 1, 0, 1, 8},                {std::nullopt, std::nullopt, 2, 5, 2, 0},
      {1, -1, 4, 2, 4, 1},               {20, 30, 1, 0, 1, 10},             {-1, std::nullopt, 1, 1, 1, 9},
  };
  for (const SliceCase& c : cases) {
    SCOPED_TRACE(testing::Message() << "start=" << (c.start ? std::to_string(*c.start) : "None")
                                    << " end=" << (c.end ? std::to_string(*c.end) : "None") << " step=" << c.step);
    Tensor s = base.slice(0, c.start, c.end, c.step);
    EXPECT_EQ(s.sizes(), (Shape{c.size}));
    EXPECT_EQ(s.numel(), c.size);
    if (c.size > 0) {
      EXPECT_EQ(s.strides(), (Shape{c.stride}));
      EXPECT_EQ(s.storage_offset(), c.offset);
    }
    EXPECT_TRUE(s.is_alias_of(base));
    EXPECT_EQ(s.to_vector<float>(), gather({c.size}, {c.stride}, c.offset));
  }
}

TEST_P(TensorViewsTest, SliceWithStepOnInnerDims) {
  Tensor base = iota({2, 3, 4});
  expect_view(base, base.slice(1, 1, 3, 2), {2, 1, 4}, {12, 8, 1}, 4);
  expect_view(base, base.slice(2, std::nullopt, std::nullopt, 3), {2, 3, 2}, {12, 4, 3}, 0);
  expect_view(base, base.slice(-1, -2), {2, 3, 2}, {12, 4, 1}, 2);
}

TEST_P(TensorViewsTest, WritesThroughSteppedSliceTouchOnlyItsElements) {
  Tensor base = make(std::vector<float>(10, 0.0f), {10});
  base.slice(0, 1, std::nullopt, 3).fill_(7);  // elements 1, 4, 7
  EXPECT_EQ(base.to_vector<float>(), (std::vector<float>{0, 7, 0, 0, 7, 0, 0, 7, 0, 0}));
}

TEST_P(TensorViewsTest, NarrowGeometry) {
  Tensor base = iota({2, 3, 4});
  expect_view(base, base.narrow(2, 1, 2), {2, 3, 2}, {12, 4, 1}, 1);
  expect_view(base, base.narrow(1, -2, 2), {2, 2, 4}, {12, 4, 1}, 4);  // negative start wraps
  Tensor empty_cols = iota({2, 3}).narrow(1, 3, 0);
  EXPECT_EQ(empty_cols.sizes(), (Shape{2, 0}));
  EXPECT_EQ(empty_cols.numel(), 0);
}

TEST_P(TensorViewsTest, SelectGeometry) {
  Tensor base = iota({2, 3, 4});
  expect_view(base, base.select(1, 2), {2, 4}, {12, 1}, 8);
  expect_view(base, base.select(-1, -1), {2, 3}, {12, 4}, 3);
  Tensor scalar = iota({4}).select(0, 2);
  EXPECT_EQ(scalar.dim(), 0);
  EXPECT_EQ(scalar.numel(), 1);
  EXPECT_EQ(scalar.item<float>(), 2.0f);
}

TEST_P(TensorViewsTest, SubscriptSelectsAlongFirstDim) {
  Tensor base = iota({3, 2});
  expect_view(base, base[1], {2}, {1}, 2);
  expect_view(base, base[-1], {2}, {1}, 4);
  expect_view(base, base[2][1], {}, {}, 5);
}

TEST_P(TensorViewsTest, TransposeAndTGeometry) {
  Tensor base = iota({2, 3, 4});
  expect_view(base, base.transpose(0, 2), {4, 3, 2}, {1, 4, 12}, 0);
  expect_view(base, base.transpose(-1, 0), {4, 3, 2}, {1, 4, 12}, 0);
  Tensor m = iota({2, 3});
  expect_view(m, m.t(), {3, 2}, {1, 3}, 0);
  Tensor v = iota({3});
  expect_view(v, v.t(), {3}, {1}, 0);  // t() of 1-D is a view with the same geometry
  Tensor s = make({1}, {});
  EXPECT_EQ(s.t().dim(), 0);
}

TEST_P(TensorViewsTest, PermuteGeometry) {
  Tensor base = iota({2, 3, 4});
  expect_view(base, base.permute({2, 0, 1}), {4, 2, 3}, {1, 12, 4}, 0);
  expect_view(base, base.permute({-1, 0, -2}), {4, 2, 3}, {1, 12, 4}, 0);
  expect_view(base, base.permute({0, 1, 2}), {2, 3, 4}, {12, 4, 1}, 0);
}

TEST_P(TensorViewsTest, ExpandGeometryUsesZeroStrides) {
  Tensor col = iota({3, 1});
  expect_view(col, col.expand({3, 4}), {3, 4}, {1, 0}, 0);
  expect_view(col, col.expand({2, 3, 4}), {2, 3, 4}, {0, 1, 0}, 0);
  expect_view(col, col.expand({-1, 4}), {3, 4}, {1, 0}, 0);
  Tensor row = iota({3});
  expect_view(row, row.expand({2, 3}), {2, 3}, {0, 1}, 0);
  EXPECT_FALSE(row.expand({2, 3}).is_contiguous());
}

TEST_P(TensorViewsTest, ExpandedViewSeesWritesToTheSource) {
  Tensor row = iota({3});
  Tensor e = row.expand({2, 3});
  row.select(0, 1).fill_(9);
  EXPECT_EQ(e.to_vector<float>(), (std::vector<float>{0, 9, 2, 0, 9, 2}));
}

TEST_P(TensorViewsTest, SqueezeGeometry) {
  Tensor z = iota({2, 1, 3, 1});
  expect_view(z, z.squeeze(), {2, 3}, {3, 1}, 0);
  expect_view(z, z.squeeze(1), {2, 3, 1}, {3, 1, 1}, 0);
  expect_view(z, z.squeeze(-1), {2, 1, 3}, {3, 3, 1}, 0);
  // Squeezing a dimension whose size is not 1 is a no-op view, as in PyTorch.
  expect_view(z, z.squeeze(0), {2, 1, 3, 1}, {3, 3, 1, 1}, 0);
  Tensor ones = iota({1, 1});
  EXPECT_EQ(ones.squeeze().dim(), 0);
}

TEST_P(TensorViewsTest, UnsqueezeGeometry) {
  Tensor y = iota({2, 3});
  expect_view(y, y.unsqueeze(0), {1, 2, 3}, {6, 3, 1}, 0);
  expect_view(y, y.unsqueeze(1), {2, 1, 3}, {3, 3, 1}, 0);
  expect_view(y, y.unsqueeze(2), {2, 3, 1}, {3, 1, 1}, 0);
  expect_view(y, y.unsqueeze(-1), {2, 3, 1}, {3, 1, 1}, 0);
  expect_view(y, y.unsqueeze(-3), {1, 2, 3}, {6, 3, 1}, 0);
  Tensor t = y.t();  // sizes [3, 2], strides [1, 3]
  expect_view(y, t.unsqueeze(0), {1, 3, 2}, {3, 1, 3}, 0);
  expect_view(y, t.unsqueeze(1), {3, 1, 2}, {1, 6, 3}, 0);
  expect_view(y, t.unsqueeze(2), {3, 2, 1}, {1, 3, 1}, 0);
  EXPECT_EQ(make({1}, {}).unsqueeze(0).sizes(), (Shape{1}));
}

TEST_P(TensorViewsTest, FlattenGeometry) {
  Tensor x = iota({2, 3, 4});
  expect_view(x, x.flatten(), {24}, {1}, 0);
  expect_view(x, x.flatten(1), {2, 12}, {12, 1}, 0);
  expect_view(x, x.flatten(0, 1), {6, 4}, {4, 1}, 0);
  expect_view(x, x.flatten(-2, -1), {2, 12}, {12, 1}, 0);
  Tensor s = make({3}, {});
  EXPECT_EQ(s.flatten().sizes(), (Shape{1}));
}

TEST_P(TensorViewsTest, FlattenOfTransposedCopies) {
  Tensor x = iota({2, 3, 4});
  Tensor f = x.transpose(0, 1).flatten();
  EXPECT_FALSE(f.is_alias_of(x));
  EXPECT_EQ(f.sizes(), (Shape{24}));
  EXPECT_EQ(f.to_vector<float>(), gather({3, 2, 4}, {4, 12, 1}, 0));
}

TEST_P(TensorViewsTest, ViewsOfViewsComposeGeometry) {
  Tensor x = iota({2, 3, 4});
  // PyTorch: x.transpose(0,2)[1:3].select(2,1) -> sizes (2,3), strides (1,4), offset 13.
  Tensor v = x.transpose(0, 2).slice(0, 1, 3).select(2, 1);
  expect_view(x, v, {2, 3}, {1, 4}, 13);
  v.fill_(-1);
  std::vector<float> expected = gather({24}, {1}, 0);
  for (float idx : gather({2, 3}, {1, 4}, 13)) expected[static_cast<std::size_t>(idx)] = -1;
  EXPECT_EQ(x.to_vector<float>(), expected);
}

TEST_P(TensorViewsTest, DetachAndDataAreViewsWithoutRequiresGrad) {
  Tensor p = iota({2, 2});
  p.set_requires_grad(true);
  for (const Tensor& d : {p.detach(), p.data()}) {
    EXPECT_TRUE(d.is_alias_of(p));
    EXPECT_FALSE(d.is_same(p));
    EXPECT_FALSE(d.requires_grad());
    EXPECT_EQ(d.sizes(), p.sizes());
    EXPECT_EQ(d.strides(), p.strides());
  }
  EXPECT_TRUE(p.requires_grad());
  p.detach().fill_(3);
  EXPECT_EQ(p.to_vector<float>(), (std::vector<float>{3, 3, 3, 3}));
}

TEST_P(TensorViewsTest, IsContiguousIgnoresUnitDims) {
  Tensor y = iota({2, 3});
  EXPECT_TRUE(y.is_contiguous());
  EXPECT_FALSE(y.t().is_contiguous());
  EXPECT_TRUE(y.select(0, 1).is_contiguous());
  EXPECT_FALSE(y.select(1, 1).is_contiguous());
  EXPECT_FALSE(y.narrow(1, 0, 1).is_contiguous());  // sizes [2,1], strides [3,1]
  EXPECT_TRUE(y.narrow(0, 0, 1).is_contiguous());   // sizes [1,3]
  EXPECT_TRUE(iota({1, 3}).t().is_contiguous());    // sizes [3,1], strides [1,3]: PyTorch says True
}

TEST_P(TensorViewsTest, ContiguousReturnsSameHandleOrACopy) {
  Tensor y = iota({2, 3});
  EXPECT_TRUE(y.contiguous().is_same(y));
  Tensor t = y.t();
  Tensor c = t.contiguous();
  EXPECT_FALSE(c.is_alias_of(y));
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_EQ(c.sizes(), (Shape{3, 2}));
  EXPECT_EQ(c.strides(), (Shape{2, 1}));
  EXPECT_EQ(c.to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(c.device(), device());
  Tensor e = iota({3}).expand({2, 3}).contiguous();  // zero strides are materialised
  EXPECT_EQ(e.strides(), (Shape{3, 1}));
  EXPECT_EQ(e.storage_nbytes(), 6 * sizeof(float));
  EXPECT_EQ(e.to_vector<float>(), (std::vector<float>{0, 1, 2, 0, 1, 2}));
}

TEST_P(TensorViewsTest, CloneMakesNewContiguousStorage) {
  Tensor y = iota({2, 3});
  Tensor col = y.select(1, 2);
  Tensor c = col.clone();
  EXPECT_FALSE(c.is_alias_of(y));
  EXPECT_NE(c.storage_id(), y.storage_id());
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_EQ(c.storage_offset(), 0);
  EXPECT_EQ(c.storage_nbytes(), 2 * sizeof(float));
  EXPECT_EQ(c.to_vector<float>(), (std::vector<float>{2, 5}));
  EXPECT_EQ(c.device(), device());
  c.fill_(0);
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{0, 1, 2, 3, 4, 5}));
}

TEST_P(TensorViewsTest, DeepCopyKeepsViewGeometryAndWholeStorage) {
  Tensor y = iota({2, 3});
  Tensor v = y.slice(1, 1);  // sizes [2,2], strides [3,1], offset 1
  Tensor d = deep_copy(v);
  EXPECT_FALSE(d.is_alias_of(y));
  EXPECT_EQ(d.sizes(), v.sizes());
  EXPECT_EQ(d.strides(), v.strides());
  EXPECT_EQ(d.storage_offset(), v.storage_offset());
  EXPECT_EQ(d.storage_nbytes(), y.storage_nbytes());
  EXPECT_EQ(d.dtype(), v.dtype());
  EXPECT_EQ(d.device(), v.device());
  EXPECT_EQ(d.to_vector<float>(), (std::vector<float>{1, 2, 4, 5}));
  d.fill_(0);
  EXPECT_EQ(v.to_vector<float>(), (std::vector<float>{1, 2, 4, 5}));
}

TEST_P(TensorViewsTest, ToSameDeviceOrDtypeIsTheSameHandle) {
  Tensor y = iota({2, 3});
  EXPECT_TRUE(y.to(device()).is_same(y));
  EXPECT_TRUE(y.to(kFloat32).is_same(y));
  Tensor forced = y.to(device(), /*copy=*/true);
  EXPECT_FALSE(forced.is_alias_of(y));
  EXPECT_EQ(forced.device(), device());
  EXPECT_EQ(forced.to_vector<float>(), y.to_vector<float>());
  Tensor forced_dtype = y.to(kFloat32, /*copy=*/true);
  EXPECT_FALSE(forced_dtype.is_alias_of(y));
  EXPECT_EQ(forced_dtype.to_vector<float>(), y.to_vector<float>());
}

TEST_P(TensorViewsTest, ToOtherDtypeConvertsIntoNewStorage) {
  Tensor f = make({-1.7f, 2.9f, 0.0f}, {3});
  Tensor i = f.to(kInt64);
  EXPECT_EQ(i.dtype(), kInt64);
  EXPECT_FALSE(i.is_alias_of(f));
  EXPECT_EQ(i.device(), device());
  EXPECT_EQ(i.to_vector<std::int64_t>(), (std::vector<std::int64_t>{-1, 2, 0}));  // truncation, as PyTorch
  Tensor b = f.to(kBool);
  EXPECT_EQ(b.dtype(), kBool);
  EXPECT_EQ(b.to_vector<bool>(), (std::vector<bool>{true, true, false}));
  Tensor d = f.to(kFloat64);
  EXPECT_EQ(d.dtype(), kFloat64);
  EXPECT_EQ(d.to_vector<double>(), (std::vector<double>{static_cast<double>(-1.7f), static_cast<double>(2.9f), 0.0}));
  Tensor back = b.to(kFloat32);
  EXPECT_EQ(back.to_vector<float>(), (std::vector<float>{1, 1, 0}));
}

TEST_P(TensorViewsTest, ToAnotherDeviceCopiesBothWays) {
  if (device().is_cpu()) GTEST_SKIP() << "needs a second device; the CUDA instantiation covers this";
  Tensor host = tensor(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor dev = host.t().to(device());
  EXPECT_TRUE(dev.is_cuda());
  EXPECT_FALSE(dev.is_alias_of(host));
  EXPECT_EQ(dev.sizes(), (Shape{3, 2}));
  EXPECT_EQ(dev.to_vector<float>(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  Tensor round_trip = dev.cpu();
  EXPECT_TRUE(round_trip.device().is_cpu());
  EXPECT_FALSE(round_trip.is_alias_of(dev));
  EXPECT_EQ(round_trip.to_vector<float>(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_TRUE(dev.to(device()).is_same(dev));
}

TEST_P(TensorViewsTest, CpuOnHostTensorIsTheSameHandle) {
  Tensor host = tensor(std::vector<float>{1, 2}, {2});
  EXPECT_TRUE(host.cpu().is_same(host));
  Tensor y = iota({2});
  Tensor c = y.cpu();
  EXPECT_TRUE(c.device().is_cpu());
  EXPECT_EQ(c.to_vector<float>(), (std::vector<float>{0, 1}));
}

TEST_P(TensorViewsTest, CopyingATensorValueIsTheSameHandle) {
  Tensor a = iota({2, 3});
  Tensor b = a;  // NOLINT(performance-unnecessary-copy-initialization): the point of the test
  EXPECT_TRUE(b.is_same(a));
  Tensor c = make({9, 9, 9, 9, 9, 9}, {2, 3});
  b = c;  // rebinds b; a is untouched
  EXPECT_TRUE(b.is_same(c));
  EXPECT_FALSE(a.is_alias_of(c));
  EXPECT_EQ(a.to_vector<float>(), (std::vector<float>{0, 1, 2, 3, 4, 5}));
  Tensor moved = std::move(c);
  EXPECT_TRUE(moved.is_same(b));
}

TEST_P(TensorViewsTest, AssigningToASubscriptFillsOrCopies) {
  Tensor a = make(std::vector<float>(6, 0.0f), {2, 3});
  const std::uint64_t storage = a.storage_id();
  a[0] = 5;
  EXPECT_EQ(a.to_vector<float>(), (std::vector<float>{5, 5, 5, 0, 0, 0}));
  a[1] = make({1, 2, 3}, {3});
  EXPECT_EQ(a.to_vector<float>(), (std::vector<float>{5, 5, 5, 1, 2, 3}));
  a[1][2] = 1.5;
  EXPECT_EQ(a.to_vector<float>(), (std::vector<float>{5, 5, 5, 1, 2, 1.5f}));
  EXPECT_EQ(a.storage_id(), storage);
}

TEST_P(TensorViewsTest, AssigningToDataCopiesValuesIntoTheSameStorage) {
  Tensor p = make({1, 2, 3, 4}, {2, 2});
  Tensor view_of_p = p.view({4});
  Tensor src = make({7, 8, 9, 10}, {2, 2});
  p.data() = src;
  EXPECT_EQ(p.to_vector<float>(), (std::vector<float>{7, 8, 9, 10}));
  EXPECT_EQ(view_of_p.to_vector<float>(), (std::vector<float>{7, 8, 9, 10}));
  EXPECT_FALSE(p.is_alias_of(src));
  src.fill_(0);
  EXPECT_EQ(p.to_vector<float>(), (std::vector<float>{7, 8, 9, 10}));
}

TEST_P(TensorViewsTest, StorageIdsAreDistinctPerStorage) {
  Tensor a = iota({4});
  Tensor b = iota({4});
  EXPECT_NE(a.storage_id(), b.storage_id());
  EXPECT_FALSE(a.is_alias_of(b));
  EXPECT_EQ(a.slice(0, 1).storage_id(), a.storage_id());
  EXPECT_EQ(a.storage_nbytes(), 4 * sizeof(float));
  EXPECT_EQ(a.slice(0, 1).storage_nbytes(), 4 * sizeof(float));  // the storage, not the view
}

AG_INSTANTIATE_ON_DEVICES(TensorViewsTest);

}  // namespace
}  // namespace aliasguard::test
