// Extents of strided views and overlap between them: exact where the design promises
// (contiguous, simply strided, row-major blocks), never wrong elsewhere.

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "aliasguard/tracker/tracker.h"

namespace {

using aliasguard::tracker::Extent;
using aliasguard::tracker::extent_of;
using aliasguard::tracker::Overlap;
using aliasguard::tracker::overlap;

// A float view: offset, sizes and strides in elements.
struct View {
  std::int64_t offset;
  std::vector<std::int64_t> sizes;
  std::vector<std::int64_t> strides;

  Extent extent(std::size_t element_size = 4) const {
    return extent_of(element_size, offset, sizes.data(), strides.data(), static_cast<int>(sizes.size()));
  }
  // Every byte the view touches, by brute force.
  std::set<std::uint64_t> bytes(std::size_t element_size = 4) const {
    std::set<std::uint64_t> out;
    std::vector<std::int64_t> index(sizes.size(), 0);
    for (std::int64_t s : sizes)
      if (s == 0) return out;
    while (true) {
      std::int64_t element = offset;
      for (std::size_t k = 0; k < sizes.size(); ++k) element += index[k] * strides[k];
      for (std::size_t b = 0; b < element_size; ++b) out.insert(static_cast<std::uint64_t>(element) * element_size + b);
      std::size_t k = sizes.size();
      while (k > 0 && ++index[k - 1] == sizes[k - 1]) index[--k] = 0;
      if (k == 0) return out;
    }
  }
};

std::set<std::uint64_t> bytes_of(const Extent& e) {
  std::set<std::uint64_t> out;
  for (std::uint64_t r = 0; r < e.rows; ++r)
    for (std::uint64_t b = 0; b < e.row_bytes; ++b) out.insert(e.begin + r * e.row_stride + b);
  return out;
}

bool meet(const std::set<std::uint64_t>& a, const std::set<std::uint64_t>& b) {
  for (std::uint64_t x : a)
    if (b.count(x)) return true;
  return false;
}

// A 4x6 row-major float matrix and views of it.
constexpr std::int64_t kCols = 6;
View matrix() { return {0, {4, kCols}, {kCols, 1}}; }
View column(std::int64_t c) { return {c, {4}, {kCols}}; }
View row(std::int64_t r) { return {r * kCols, {kCols}, {1}}; }
View block(std::int64_t r0, std::int64_t r1, std::int64_t c0, std::int64_t c1) {
  return {r0 * kCols + c0, {r1 - r0, c1 - c0}, {kCols, 1}};
}

TEST(Extent, ContiguousViewIsOneExactRow) {
  const Extent e = matrix().extent();
  EXPECT_EQ(e.begin, 0u);
  EXPECT_EQ(e.rows, 1u);
  EXPECT_EQ(e.row_bytes, 4u * 4 * kCols);
  EXPECT_TRUE(e.exact);
  EXPECT_EQ(e.end(), 96u);
}

TEST(Extent, SizeOneAndExpandedDimsDoNotMatter) {
  const View v{3, {1, 5, 1, 2}, {100, 1, 7, 0}};  // stride 0: expand
  const Extent e = v.extent();
  EXPECT_EQ(e.begin, 12u);
  EXPECT_EQ(e.rows, 1u);
  EXPECT_EQ(e.row_bytes, 20u);
  EXPECT_TRUE(e.exact);
}

TEST(Extent, ColumnIsExactRows) {
  const Extent e = column(2).extent();
  EXPECT_EQ(e.begin, 8u);
  EXPECT_EQ(e.rows, 4u);
  EXPECT_EQ(e.row_stride, 4u * kCols);
  EXPECT_EQ(e.row_bytes, 4u);
  EXPECT_TRUE(e.exact);
}

TEST(Extent, RowMajorBlockIsExactRows) {
  const Extent e = block(1, 3, 2, 5).extent();
  EXPECT_EQ(e.begin, 4u * (kCols + 2));
  EXPECT_EQ(e.rows, 2u);
  EXPECT_EQ(e.row_bytes, 12u);
  EXPECT_TRUE(e.exact);
}

TEST(Extent, TransposeOfContiguousMatrixIsTheSameBlock) {
  const View t{0, {kCols, 4}, {1, kCols}};
  const Extent e = t.extent();
  EXPECT_EQ(e.rows, 1u);
  EXPECT_EQ(e.row_bytes, 96u);
  EXPECT_TRUE(e.exact);
}

TEST(Extent, EveryOtherColumnMergesIntoOneStride) {
  const View even{0, {4, kCols / 2}, {kCols, 2}};
  const Extent e = even.extent();
  EXPECT_EQ(e.rows, 12u);
  EXPECT_EQ(e.row_stride, 8u);
  EXPECT_EQ(e.row_bytes, 4u);
  EXPECT_TRUE(e.exact);
}

TEST(Extent, TwoIndependentStepsAreBoundedNotExact) {
  const View v{0, {2, 2, 3}, {100, 10, 1}};
  const Extent e = v.extent();
  EXPECT_FALSE(e.exact);
  const auto covered = bytes_of(e);
  for (std::uint64_t b : v.bytes()) EXPECT_TRUE(covered.count(b)) << "byte " << b << " not covered";
}

TEST(Extent, EmptyViewHasNoRows) {
  const View v{5, {3, 0}, {1, 1}};
  const Extent e = v.extent();
  EXPECT_EQ(e.rows, 0u);
  EXPECT_EQ(e.bytes(), 0u);
  EXPECT_EQ(overlap(e, matrix().extent()), Overlap::No);
}

TEST(Extent, OverFourGiBStaysExactAsEqualRows) {
  const std::int64_t n = std::int64_t{3} << 30;  // 12 GiB of floats
  const View v{0, {n}, {1}};
  const Extent e = v.extent();
  EXPECT_TRUE(e.exact);
  EXPECT_EQ(e.bytes(), static_cast<std::uint64_t>(n) * 4);
  EXPECT_EQ(e.end(), static_cast<std::uint64_t>(n) * 4);
  const View tail{n - 1, {1}, {1}};
  EXPECT_EQ(overlap(e, tail.extent()), Overlap::Yes);
}

TEST(Overlap, DisjointSlicesOfAFlatBufferNeverOverlap) {
  const View first{0, {10}, {1}};
  const View second{10, {10}, {1}};
  const View straddle{5, {10}, {1}};
  EXPECT_EQ(overlap(first.extent(), second.extent()), Overlap::No);
  EXPECT_EQ(overlap(first.extent(), straddle.extent()), Overlap::Yes);
  EXPECT_EQ(overlap(second.extent(), straddle.extent()), Overlap::Yes);
}

TEST(Overlap, EvenAndOddColumnsAreDisjoint) {
  const View even{0, {4, kCols / 2}, {kCols, 2}};
  const View odd{1, {4, kCols / 2}, {kCols, 2}};
  EXPECT_EQ(overlap(even.extent(), odd.extent()), Overlap::No);
  EXPECT_EQ(overlap(even.extent(), column(4).extent()), Overlap::Yes);
  EXPECT_EQ(overlap(odd.extent(), column(4).extent()), Overlap::No);
}

TEST(Overlap, ColumnsRowsAndBlocks) {
  EXPECT_EQ(overlap(column(1).extent(), column(2).extent()), Overlap::No);
  EXPECT_EQ(overlap(column(1).extent(), row(2).extent()), Overlap::Yes);
  EXPECT_EQ(overlap(column(1).extent(), block(1, 3, 2, 5).extent()), Overlap::No);
  EXPECT_EQ(overlap(column(3).extent(), block(1, 3, 2, 5).extent()), Overlap::Yes);
  EXPECT_EQ(overlap(row(0).extent(), block(1, 3, 2, 5).extent()), Overlap::No);
  EXPECT_EQ(overlap(block(0, 2, 0, 2).extent(), block(2, 4, 0, 2).extent()), Overlap::No);
}

TEST(Overlap, DifferentStridesAreDecidedRowByRowWhenSmall) {
  const View every_third{0, {20}, {3}};
  const View odd{1, {30}, {2}};
  const View multiples_of_four{0, {15}, {4}};
  EXPECT_EQ(overlap(every_third.extent(), odd.extent()), Overlap::Yes);  // element 3
  EXPECT_EQ(overlap(odd.extent(), multiples_of_four.extent()), Overlap::No);
}

TEST(Overlap, ManyRowsWithDifferentStridesAreMaybe) {
  const View a{0, {100000}, {2}};
  const View b{1, {100000}, {3}};
  EXPECT_EQ(overlap(a.extent(), b.extent()), Overlap::Maybe);
  const View far{1000000, {100000}, {3}};
  EXPECT_EQ(overlap(a.extent(), far.extent()), Overlap::No);  // bounding ranges apart
}

TEST(Overlap, InexactIsAtBestMaybeButStillNoWhenApart) {
  const View v{0, {2, 2, 3}, {100, 10, 1}};  // bytes in [0, 4*113)
  ASSERT_FALSE(v.extent().exact);
  EXPECT_EQ(overlap(v.extent(), View{0, {1}, {1}}.extent()), Overlap::Maybe);
  EXPECT_EQ(overlap(v.extent(), View{200, {10}, {1}}.extent()), Overlap::No);
  // A gap between the bounding runs (elements 20..99) is provably untouched.
  EXPECT_EQ(overlap(v.extent(), View{40, {20}, {1}}.extent()), Overlap::No);
}

TEST(Overlap, OneRangeAgainstRows) {
  const Extent rows{0, 100, 50, 10, true};  // [0,10) [100,110) ...
  EXPECT_EQ(overlap(Extent{10, 90, 1, 90, true}, rows), Overlap::No);  // the gap [10, 100)
  EXPECT_EQ(overlap(Extent{10, 91, 1, 91, true}, rows), Overlap::Yes);
  EXPECT_EQ(overlap(Extent{4909, 1, 1, 1, true}, rows), Overlap::Yes);  // last row [4900, 4910)
  EXPECT_EQ(overlap(Extent{4910, 5, 1, 5, true}, rows), Overlap::No);
}

// Every pair of random strided views of a small buffer: No and Yes must be true, and exact
// extents must describe exactly the bytes (and never answer Maybe with equal strides).
TEST(Overlap, AgreesWithBruteForceOnRandomViews) {
  std::mt19937 rng(1234);
  auto random_view = [&] {
    View v{static_cast<std::int64_t>(rng() % 8), {}, {}};
    const int ndim = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < ndim; ++k) {
      v.sizes.push_back(static_cast<std::int64_t>(rng() % 4));
      v.strides.push_back(static_cast<std::int64_t>(rng() % 9));
    }
    return v;
  };
  int exact_pairs = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const View a = random_view();
    const View b = random_view();
    const Extent ea = a.extent();
    const Extent eb = b.extent();
    const auto ba = a.bytes();
    const auto bb = b.bytes();
    const auto ca = bytes_of(ea);
    const auto cb = bytes_of(eb);
    if (ea.exact) {
      EXPECT_EQ(ca, ba) << "trial " << trial;
    }
    for (std::uint64_t x : ba) ASSERT_TRUE(ca.count(x)) << "trial " << trial << ": extent misses byte " << x;
    const Overlap o = overlap(ea, eb);
    const bool truth = meet(ba, bb);
    if (o == Overlap::No) {
      EXPECT_FALSE(truth) << "trial " << trial;
    }
    if (o == Overlap::Yes) {
      EXPECT_TRUE(truth) << "trial " << trial;
    }
    if (ea.exact && eb.exact) {
      ++exact_pairs;
      EXPECT_NE(o, Overlap::Maybe) << "trial " << trial << ": small exact extents must be decided";
    }
  }
  EXPECT_GT(exact_pairs, 1000);
}

}  // namespace
