// Backend interface tests, part 2: reduce (sum, mean, max, argmax over the last dim) and
// matmul, on contiguous and strided views, against reference loops written here.

#include <string>

#include "backend_test_util.h"

namespace aliasguard::detail::test {
namespace {

class BackendReduceTest : public BackendFixture {};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- reduce ---------------------------------------------------------------------------

/// Reference reduction of one row, in double (ArgMax returns the index as a double).
double reduce_reference(ReduceOp op, const std::vector<double>& row) {
  switch (op) {
    case ReduceOp::Sum:
    case ReduceOp::Mean: {
      double s = 0;
      for (double v : row) s += v;
      return op == ReduceOp::Sum ? s : (row.empty() ? kNaN : s / static_cast<double>(row.size()));
    }
    case ReduceOp::Max:
    case ReduceOp::ArgMax: {
      // PyTorch: the first NaN wins, otherwise the first of equal maxima.
      std::size_t best = 0;
      for (std::size_t k = 0; k < row.size(); ++k) {
        if (std::isnan(row[k])) { best = k; break; }
        if (row[k] > row[best]) best = k;
      }
      return op == ReduceOp::Max ? row[best] : static_cast<double>(best);
    }
  }
  return 0;
}

// Values with ties and (for floats) NaNs and infinities in some rows.
template <class T>
T reduce_source(std::int64_t i) {
  if constexpr (std::is_floating_point_v<T>) {
    if (i == 7 || i == 9) return std::numeric_limits<T>::quiet_NaN();
    if (i == 13) return -std::numeric_limits<T>::infinity();
    return static_cast<T>((i * 7) % 5) * T(0.5) - T(1);
  } else {
    return (i * 7) % 5 - 1;
  }
}

struct ReduceCase {
  std::string name;
  Geometry in;
  Geometry out;
};

std::vector<ReduceCase> reduce_cases() {
  return {
      {"2d contiguous", contiguous({4, 6}), contiguous({4})},
      {"1d to 0-d", contiguous({6}), Geometry{{}, {}, 1}},
      {"3d", contiguous({2, 3, 5}), contiguous({2, 3})},
      {"transposed input", transposed(4, 6), Geometry{{4}, {2}, 1}},
      {"offset padded input", Geometry{{3, 5}, {8, 1}, 3}, contiguous({3})},
      {"permuted 3d input", Geometry{{2, 3, 4}, {1, 8, 2}, 0}, transposed(2, 3)},
      {"broadcast reduced dim", Geometry{{3, 4}, {1, 0}, 0}, contiguous({3})},
  };
}

template <class T, class O>
void check_reduce(Backend& backend, ReduceOp op) {
  for (const ReduceCase& c : reduce_cases()) {
    SCOPED_TRACE(std::string(dtype_name(dtype_of<T>())) + " op " + std::to_string(static_cast<int>(op)) +
                 " " + c.name);
    Operand<T> in(backend, c.in, reduce_source<T>, T(-777));
    Operand<O> out(backend, c.out, [](std::int64_t) { return O(5); }, O(-777));
    backend.reduce(op, out.view(), in.view());
    // Gather each row of the logical input (a broadcast dim repeats element 0).
    const std::int64_t k = c.in.sizes.back();
    std::vector<O> expected;
    for_each_index(c.out.sizes, [&](const Index& outer) {
      std::vector<double> row;
      for (std::int64_t j = 0; j < k; ++j) {
        Index idx = outer;
        idx.push_back(j);
        for (std::size_t d = 0; d < idx.size(); ++d) if (c.in.strides[d] == 0) idx[d] = 0;
        row.push_back(static_cast<double>(reduce_source<T>(row_major(c.in.sizes, idx))));
      }
      expected.push_back(static_cast<O>(reduce_reference(op, row)));
    });
    expect_values(out.values(), expected, std::is_same_v<T, float> ? 1e-6 : 1e-12);
  }
}

TEST_P(BackendReduceTest, SumMeanMaxArgMaxOnFloatingDtypes) {
  for (ReduceOp op : {ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max}) {
    check_reduce<float, float>(backend(), op);
    check_reduce<double, double>(backend(), op);
  }
  check_reduce<float, std::int64_t>(backend(), ReduceOp::ArgMax);
  check_reduce<double, std::int64_t>(backend(), ReduceOp::ArgMax);
}

TEST_P(BackendReduceTest, SumMaxArgMaxOnInt64) {
  check_reduce<std::int64_t, std::int64_t>(backend(), ReduceOp::Sum);
  check_reduce<std::int64_t, std::int64_t>(backend(), ReduceOp::Max);
  check_reduce<std::int64_t, std::int64_t>(backend(), ReduceOp::ArgMax);
}

TEST_P(BackendReduceTest, MaxPropagatesTheFirstNaNAndTakesTheFirstOfTies) {
  const std::vector<double> rows = {1, kNaN, 3, kNaN,   // NaN at 1 wins over the later one
                                    2, 5, 5, 1,         // tie: index 1
                                    -std::numeric_limits<double>::infinity(), -1, -1, -7,
                                    kNaN, 9, 9, 9};
  Operand<double> in(backend(), contiguous({4, 4}), [&](std::int64_t i) { return rows[static_cast<std::size_t>(i)]; }, 0.0);
  Operand<double> max(backend(), contiguous({4}), [](std::int64_t) { return 0.0; }, 0.0);
  Operand<std::int64_t> argmax(backend(), contiguous({4}), [](std::int64_t) { return std::int64_t{-1}; }, 0);
  backend().reduce(ReduceOp::Max, max.view(), in.view());
  backend().reduce(ReduceOp::ArgMax, argmax.view(), in.view());
  expect_values(max.values(), {kNaN, 5.0, -1.0, kNaN});
  expect_values(argmax.values(), {1, 1, 1, 0});
  Operand<double> sum(backend(), contiguous({4}), [](std::int64_t) { return 0.0; }, 0.0);
  backend().reduce(ReduceOp::Sum, sum.view(), in.view());
  expect_values(sum.values(), {kNaN, 13.0, -std::numeric_limits<double>::infinity(), kNaN});
}

TEST_P(BackendReduceTest, EmptyReducedDim) {
  Operand<float> in(backend(), contiguous({3, 0}), [](std::int64_t) { return 1.0f; }, 0.0f);
  Operand<float> out(backend(), contiguous({3}), [](std::int64_t) { return 7.0f; }, 0.0f);
  backend().reduce(ReduceOp::Sum, out.view(), in.view());
  expect_values(out.values(), {0.0f, 0.0f, 0.0f});
  backend().reduce(ReduceOp::Mean, out.view(), in.view());
  expect_values(out.values(), std::vector<float>(3, std::nanf("")));
  Operand<std::int64_t> index(backend(), contiguous({3}), [](std::int64_t) { return std::int64_t{7}; }, 0);
  EXPECT_THROW(backend().reduce(ReduceOp::Max, out.view(), in.view()), Error);
  EXPECT_THROW(backend().reduce(ReduceOp::ArgMax, index.view(), in.view()), Error);
}

TEST_P(BackendReduceTest, MeanRejectsInt64) {
  Operand<std::int64_t> in(backend(), contiguous({2, 3}), [](std::int64_t i) { return i; }, 0);
  Operand<std::int64_t> out(backend(), contiguous({2}), [](std::int64_t) { return std::int64_t{0}; }, 0);
  try {
    backend().reduce(ReduceOp::Mean, out.view(), in.view());
    FAIL() << "mean accepted int64";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("int64"), std::string::npos) << e.what();
  }
}

// Float32 sums accumulate in double on the host: 1e8 + sixteen 1s is exact there, while a
// float accumulator would stay at 1e8 (float32 spacing at 1e8 is 8).
TEST(CpuBackendTest, Float32SumAccumulatesInDouble) {
  Operand<float> in(cpu_backend(), contiguous({17}), [](std::int64_t i) { return i == 0 ? 1e8f : 1.0f; }, 0.0f);
  Operand<float> out(cpu_backend(), Geometry{{}, {}, 0}, [](std::int64_t) { return 0.0f; }, 0.0f);
  cpu_backend().reduce(ReduceOp::Sum, out.view(), in.view());
  EXPECT_EQ(out.values(), std::vector<float>{100000016.0f});
}

// ---- matmul ---------------------------------------------------------------------------

/// A deterministic pseudo-random value in [-1, 1) (a 64-bit LCG keyed by seed and index).
double lcg_value(std::uint64_t seed, std::int64_t i) {
  std::uint64_t x = seed * 6364136223846793005ULL + static_cast<std::uint64_t>(i) * 1442695040888963407ULL;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return static_cast<double>(x >> 11) / static_cast<double>(1ULL << 53) * 2.0 - 1.0;
}

struct MatmulCase {
  std::string name;
  Geometry out, a, b;
};

std::vector<MatmulCase> matmul_cases(std::int64_t m, std::int64_t k, std::int64_t n) {
  return {
      {"contiguous", contiguous({m, n}), contiguous({m, k}), contiguous({k, n})},
      {"a transposed", contiguous({m, n}), transposed(m, k), contiguous({k, n})},
      {"b transposed", contiguous({m, n}), contiguous({m, k}), transposed(k, n)},
      {"out transposed, both transposed", transposed(m, n), transposed(m, k), transposed(k, n)},
      {"offset padded", Geometry{{m, n}, {n + 2, 1}, 3}, Geometry{{m, k}, {k + 1, 1}, 1},
       Geometry{{k, n}, {2 * n + 1, 2}, 5}},
      {"b rows broadcast", contiguous({m, n}), contiguous({m, k}), Geometry{{k, n}, {0, 1}, 0}},
  };
}

template <class T>
void check_matmul(Backend& backend, std::int64_t m, std::int64_t k, std::int64_t n) {
  const auto a_gen = [](std::int64_t i) { return static_cast<T>(lcg_value(11, i)); };
  const auto b_gen = [](std::int64_t i) { return static_cast<T>(lcg_value(29, i)); };
  for (const MatmulCase& c : matmul_cases(m, k, n)) {
    SCOPED_TRACE(std::string(dtype_name(dtype_of<T>())) + " " + std::to_string(m) + "x" + std::to_string(k) +
                 "x" + std::to_string(n) + " " + c.name);
    Operand<T> a(backend, c.a, a_gen, T(-777));
    Operand<T> b(backend, c.b, b_gen, T(-777));
    Operand<T> out(backend, c.out, [](std::int64_t) { return T(42); }, T(-777));
    backend.matmul(out.view(), a.view(), b.view());
    const std::vector<T> got = out.values();
    ASSERT_EQ(got.size(), static_cast<std::size_t>(m * n));
    const bool b_broadcast = c.b.strides[0] == 0;
    for (std::int64_t i = 0; i < m; ++i) {
      for (std::int64_t j = 0; j < n; ++j) {
        double sum = 0;
        double magnitude = 0;
        for (std::int64_t p = 0; p < k; ++p) {
          const double term = static_cast<double>(a_gen(i * k + p)) *
                              static_cast<double>(b_gen((b_broadcast ? 0 : p) * n + j));
          sum += term;
          magnitude += std::fabs(term);
        }
        const double tol = (std::is_same_v<T, float> ? 1e-5 : 1e-13) * (magnitude + 1.0);
        EXPECT_NEAR(static_cast<double>(got[static_cast<std::size_t>(i * n + j)]), sum, tol)
            << "at [" << i << ", " << j << "]";
      }
    }
  }
}

TEST_P(BackendReduceTest, MatmulMatchesNaiveLoopsForAllLayouts) {
  check_matmul<float>(backend(), 13, 17, 19);
  check_matmul<double>(backend(), 13, 17, 19);
  check_matmul<float>(backend(), 33, 70, 40);
  // A transposed b of 1024 x 520 floats is packed (in 64 x 64 tiles) into a block of over
  // 2 MiB, the host's large-block path.
  check_matmul<float>(backend(), 2, 1024, 520);
  check_matmul<double>(backend(), 1, 5, 1);
  check_matmul<float>(backend(), 3, 0, 4);  // K == 0: out is all zeros, not left as it was
}

TEST_P(BackendReduceTest, MatmulPropagatesNaNAndInfinity) {
  // 0 * inf is NaN, so a zero in a must not short-circuit the product.
  Operand<double> a(backend(), contiguous({1, 2}), [](std::int64_t i) { return i == 0 ? 0.0 : 1.0; }, 0.0);
  Operand<double> b(backend(), contiguous({2, 2}), [](std::int64_t i) {
    return i == 0 ? std::numeric_limits<double>::infinity() : 2.0;
  }, 0.0);
  Operand<double> out(backend(), contiguous({1, 2}), [](std::int64_t) { return 0.0; }, 0.0);
  backend().matmul(out.view(), a.view(), b.view());
  expect_values(out.values(), {kNaN, 2.0});
}

TEST_P(BackendReduceTest, MatmulRejectsInt64) {
  Operand<std::int64_t> a(backend(), contiguous({2, 2}), [](std::int64_t i) { return i; }, 0);
  Operand<std::int64_t> out(backend(), contiguous({2, 2}), [](std::int64_t) { return std::int64_t{0}; }, 0);
  EXPECT_THROW(backend().matmul(out.view(), a.view(), a.view()), Error);
}

INSTANTIATE_TEST_SUITE_P(Devices, BackendReduceTest,
                         ::testing::Values(DeviceType::CPU, DeviceType::CUDA), backend_param_name);

}  // namespace
}  // namespace aliasguard::detail::test
