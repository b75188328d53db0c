// Backend interface tests, part 1: memory, copy_bytes, fill, copy, unary, binary,
// binary_scalar, clamp. Every op runs on contiguous and strided views (transposed, offset,
// stepped, stride-0 broadcast) on each available backend; expected values come from the
// generators in backend_test_util.h through plain reference loops.

#include <cstring>
#include <string>

#include "backend_test_util.h"

namespace aliasguard::detail::test {
namespace {

class BackendTest : public BackendFixture {};

constexpr std::int64_t kRows = 5;
constexpr std::int64_t kCols = 37;  // longer than any vector width, and odd

/// Input geometries of logical shape [kRows, kCols].
std::vector<std::pair<std::string, Geometry>> input_geometries() {
  return {
      {"contiguous", contiguous({kRows, kCols})},
      {"transposed", transposed(kRows, kCols)},
      {"offset-padded-rows", Geometry{{kRows, kCols}, {kCols + 3, 1}, 2}},
      {"stepped", Geometry{{kRows, kCols}, {2 * kCols, 2}, 1}},
      {"row-broadcast", Geometry{{kRows, kCols}, {0, 1}, 0}},
      {"column-broadcast", Geometry{{kRows, kCols}, {1, 0}, 3}},
      {"scalar-like", Geometry{{kRows, kCols}, {0, 0}, 1}},
  };
}

/// Output geometries: no stride 0, so no element is written twice.
std::vector<std::pair<std::string, Geometry>> output_geometries() {
  return {
      {"contiguous", contiguous({kRows, kCols})},
      {"transposed", transposed(kRows, kCols)},
      {"offset-padded-rows", Geometry{{kRows, kCols}, {kCols + 3, 1}, 2}},
      {"stepped", Geometry{{kRows, kCols}, {2 * kCols, 2}, 1}},
  };
}

// Deterministic, sign-mixed values; `b_value` is never zero so division is defined.
template <class T>
T a_value(std::int64_t i) {
  const std::int64_t base = (i * 37) % 23 - 11;
  if constexpr (std::is_floating_point_v<T>) return static_cast<T>(base) * T(0.25) + T(0.125);
  else return base;
}
template <class T>
T b_value(std::int64_t i) {
  const std::int64_t base = (i * 53) % 19 - 9;
  if constexpr (std::is_floating_point_v<T>) return static_cast<T>(base) * T(0.5) + T(0.25);
  else return base == 0 ? 5 : base;
}

template <class T>
constexpr T kSentinel = T(-777);

// ---- memory ---------------------------------------------------------------------------

TEST_P(BackendTest, AllocateReturnsZeroFilledMemory) {
  // The last two reach the host's large-block path (Note [Large host blocks]).
  for (std::size_t nbytes : {std::size_t{0}, std::size_t{1}, std::size_t{63}, std::size_t{4096 + 5},
                             std::size_t{2} << 20, (std::size_t{3} << 20) + 5}) {
    DeviceBuffer buffer(backend(), nbytes);
    const std::vector<std::uint8_t> bytes = buffer.download<std::uint8_t>();
    ASSERT_EQ(bytes.size(), nbytes);
    for (std::uint8_t b : bytes) EXPECT_EQ(b, 0) << "nbytes " << nbytes;
    if (on_host()) {
      EXPECT_NE(buffer.data(), nullptr);
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(buffer.data()) % 64, 0u) << "nbytes " << nbytes;
    }
  }
}

TEST_P(BackendTest, AllocateFailureThrowsError) {
  const std::size_t huge = (std::size_t{1} << 63) + 64;  // beyond any address space
  try {
    void* p = backend().allocate(huge, 0);
    backend().deallocate(p, huge, 0);
    FAIL() << "allocating " << huge << " bytes succeeded";
  } catch (const Error& e) {
    if (on_host()) {
      EXPECT_NE(std::string(e.what()).find(std::to_string(huge)), std::string::npos) << e.what();
    }
  }
}

TEST_P(BackendTest, CopyBytesRoundTrips) {
  std::vector<std::int64_t> host(100);
  for (std::size_t i = 0; i < host.size(); ++i) host[i] = static_cast<std::int64_t>(i * i) - 50;
  DeviceBuffer first(backend(), host.size() * sizeof(std::int64_t));
  DeviceBuffer second(backend(), host.size() * sizeof(std::int64_t));
  first.upload(host);
  backend().copy_bytes(second.data(), first.data(), 40 * sizeof(std::int64_t),
                       CopyKind::DeviceToDevice, 0);
  backend().synchronize(0);
  const std::vector<std::int64_t> back = second.download<std::int64_t>();
  for (std::size_t i = 0; i < host.size(); ++i) EXPECT_EQ(back[i], i < 40 ? host[i] : 0) << i;
  EXPECT_EQ(first.download<std::int64_t>(), host);
}

// ---- fill -----------------------------------------------------------------------------

template <class T>
void check_fill(Backend& backend, double value, T expected) {
  for (const auto& [name, g] : output_geometries()) {
    SCOPED_TRACE(std::string(dtype_name(dtype_of<T>())) + " " + name);
    Operand<T> out(backend, g, [](std::int64_t) { return T(3); }, T(9));
    backend.fill(out.view(), value);
    expect_values(out.values(), std::vector<T>(static_cast<std::size_t>(kRows * kCols), expected));
  }
}

TEST_P(BackendTest, FillConvertsTheValueToEachDtype) {
  check_fill<float>(backend(), 0.1, 0.1f);
  check_fill<double>(backend(), 0.1, 0.1);
  check_fill<std::int64_t>(backend(), -2.7, -2);  // truncation toward zero
  check_fill<std::int64_t>(backend(), 2.7, 2);
  check_fill<std::uint8_t>(backend(), 0.5, 1);  // nonzero is true
  check_fill<std::uint8_t>(backend(), 0.0, 0);
}

TEST_P(BackendTest, FillHandlesZeroDimAndEmptyViews) {
  Operand<float> scalar(backend(), Geometry{{}, {}, 1}, [](std::int64_t) { return 1.0f; }, 9.0f);
  backend().fill(scalar.view(), 4.5);
  expect_values(scalar.values(), {4.5f});
  Operand<float> empty(backend(), Geometry{{3, 0}, {0, 1}, 0}, [](std::int64_t) { return 1.0f; }, 9.0f);
  backend().fill(empty.view(), 4.5);
  EXPECT_TRUE(empty.values().empty());
}

// ---- copy -----------------------------------------------------------------------------

// Source values that every conversion handles the same way on every backend (no NaN or
// out-of-range float -> int64, whose result is platform-specific).
template <class T>
T copy_source(std::int64_t i) {
  if constexpr (std::is_same_v<T, std::uint8_t>) return static_cast<std::uint8_t>(i % 3 == 0);
  else if constexpr (std::is_floating_point_v<T>) {
    constexpr double kValues[] = {0.0, -0.0, 1.5, -2.7, 2.5, 3.0, -1.0, 1e6 + 0.75, 0.1};
    return static_cast<T>(kValues[i % 9]);
  } else {
    constexpr std::int64_t kValues[] = {0, 1, -1, 7, -9, (std::int64_t{1} << 53) + 1, 123456789};
    return kValues[i % 7];
  }
}

/// The reference conversion, written out per case as PyTorch defines it.
template <class To, class From>
To reference_convert(From v) {
  if constexpr (std::is_same_v<To, std::uint8_t>) return static_cast<std::uint8_t>(v != From(0));
  else if constexpr (std::is_same_v<From, std::uint8_t>) return v != 0 ? To(1) : To(0);
  else if constexpr (std::is_same_v<To, std::int64_t> && std::is_floating_point_v<From>) {
    return static_cast<std::int64_t>(std::trunc(static_cast<double>(v)));
  } else return static_cast<To>(v);
}

template <class To, class From>
void check_copy(Backend& backend) {
  const std::vector<std::pair<Geometry, Geometry>> cases = {
      {contiguous({kRows, kCols}), contiguous({kRows, kCols})},
      {contiguous({kRows, kCols}), transposed(kRows, kCols)},
      {Geometry{{kRows, kCols}, {2 * kCols, 2}, 1}, Geometry{{kRows, kCols}, {0, 1}, 0}},
      {transposed(kRows, kCols), Geometry{{kRows, kCols}, {kCols + 3, 1}, 2}},
      {contiguous({kRows, kCols}), Geometry{{kRows, kCols}, {0, 0}, 0}},
  };
  for (std::size_t c = 0; c < cases.size(); ++c) {
    SCOPED_TRACE(std::string(dtype_name(dtype_of<From>())) + " -> " + dtype_name(dtype_of<To>()) +
                 ", case " + std::to_string(c));
    const Geometry& in_geom = cases[c].second;
    Operand<From> in(backend, in_geom, copy_source<From>, From(7));
    Operand<To> out(backend, cases[c].first, [](std::int64_t) { return To(1); }, To(5));
    backend.copy(out.view(), in.view());
    std::vector<To> expected;
    for_each_index(in_geom.sizes, [&](const Index& idx) {
      // A broadcast input repeats the element its strides point at.
      Index source = idx;
      for (std::size_t d = 0; d < idx.size(); ++d) if (in_geom.strides[d] == 0) source[d] = 0;
      expected.push_back(reference_convert<To>(copy_source<From>(row_major(in_geom.sizes, source))));
    });
    expect_values(out.values(), expected, 0.0);
  }
}

template <class To>
void check_copy_from_all(Backend& backend) {
  check_copy<To, float>(backend);
  check_copy<To, double>(backend);
  check_copy<To, std::int64_t>(backend);
  check_copy<To, std::uint8_t>(backend);
}

TEST_P(BackendTest, CopyConvertsBetweenAllDtypes) {
  check_copy_from_all<float>(backend());
  check_copy_from_all<double>(backend());
  check_copy_from_all<std::int64_t>(backend());
  check_copy_from_all<std::uint8_t>(backend());
}

// ---- unary ----------------------------------------------------------------------------

template <class T>
T unary_source(std::int64_t i) {
  if constexpr (std::is_floating_point_v<T>) {
    constexpr double kSpecial[] = {std::numeric_limits<double>::quiet_NaN(),
                                   std::numeric_limits<double>::infinity(),
                                   -std::numeric_limits<double>::infinity(), 0.0, -0.0};
    if (i < 5) return static_cast<T>(kSpecial[i]);
  }
  return a_value<T>(i);
}

template <class T>
T unary_reference(UnaryOp op, T x) {
  const double v = static_cast<double>(x);
  switch (op) {
    case UnaryOp::Neg: return static_cast<T>(-v);
    case UnaryOp::Exp: return static_cast<T>(std::exp(v));
    case UnaryOp::Log: return static_cast<T>(std::log(v));
    case UnaryOp::Sigmoid: return static_cast<T>(1.0 / (1.0 + std::exp(-v)));
    case UnaryOp::Relu: return std::isnan(v) ? x : (v > 0 ? x : T(0));
  }
  return T(0);
}

template <class T>
void check_unary(Backend& backend, UnaryOp op) {
  const std::vector<std::pair<Geometry, Geometry>> cases = {
      {contiguous({kRows, kCols}), contiguous({kRows, kCols})},
      {contiguous({kRows, kCols}), transposed(kRows, kCols)},
      {Geometry{{kRows, kCols}, {2 * kCols, 2}, 1}, Geometry{{kRows, kCols}, {kCols + 3, 1}, 2}},
      {contiguous({kRows, kCols}), Geometry{{kRows, kCols}, {0, 1}, 0}},
  };
  std::vector<T> expected;
  for (std::int64_t i = 0; i < kRows * kCols; ++i) expected.push_back(unary_reference(op, unary_source<T>(i)));
  for (std::size_t c = 0; c < cases.size(); ++c) {
    SCOPED_TRACE(std::string(dtype_name(dtype_of<T>())) + " op " + std::to_string(static_cast<int>(op)) +
                 " case " + std::to_string(c));
    Operand<T> in(backend, cases[c].second, unary_source<T>, kSentinel<T>);
    Operand<T> out(backend, cases[c].first, [](std::int64_t) { return T(1); }, kSentinel<T>);
    backend.unary(op, out.view(), in.view());
    std::vector<T> want = expected;
    if (c == 3) {  // row broadcast: every row repeats row 0
      for (std::int64_t i = 0; i < kRows * kCols; ++i) want[static_cast<std::size_t>(i)] = expected[static_cast<std::size_t>(i % kCols)];
    }
    expect_values(out.values(), want);
  }
  // In place: out is the input view itself.
  Operand<T> inout(backend, Geometry{{kRows, kCols}, {kCols + 3, 1}, 2}, unary_source<T>, kSentinel<T>);
  backend.unary(op, inout.view(), inout.view());
  expect_values(inout.values(), expected);
}

TEST_P(BackendTest, UnaryOpsOnFloatingDtypes) {
  for (UnaryOp op : {UnaryOp::Neg, UnaryOp::Exp, UnaryOp::Log, UnaryOp::Sigmoid, UnaryOp::Relu}) {
    check_unary<float>(backend(), op);
    check_unary<double>(backend(), op);
  }
}

TEST_P(BackendTest, NegAndReluOnInt64) {
  check_unary<std::int64_t>(backend(), UnaryOp::Neg);
  check_unary<std::int64_t>(backend(), UnaryOp::Relu);
}

TEST_P(BackendTest, UnaryRejectsUnsupportedDtypesNamingThem) {
  Operand<std::int64_t> ints(backend(), contiguous({4}), a_value<std::int64_t>, 0);
  for (UnaryOp op : {UnaryOp::Exp, UnaryOp::Log, UnaryOp::Sigmoid}) {
    try {
      backend().unary(op, ints.view(), ints.view());
      FAIL() << "unary op " << static_cast<int>(op) << " accepted int64";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("int64"), std::string::npos) << e.what();
    }
  }
  Operand<std::uint8_t> bools(backend(), contiguous({4}), [](std::int64_t i) { return static_cast<std::uint8_t>(i % 2); }, 0);
  EXPECT_THROW(backend().unary(UnaryOp::Neg, bools.view(), bools.view()), Error);
}

// ---- binary ---------------------------------------------------------------------------

template <class T>
T binary_reference(BinaryOp op, T a, T b, double alpha) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case BinaryOp::Add: return a + static_cast<T>(alpha) * b;
      case BinaryOp::Sub: return a - static_cast<T>(alpha) * b;
      case BinaryOp::Mul: return a * b;
      case BinaryOp::Div: return a / b;
      case BinaryOp::Eq: break;
    }
  } else {
    const auto al = static_cast<std::int64_t>(alpha);
    switch (op) {
      case BinaryOp::Add: return a + al * b;
      case BinaryOp::Sub: return a - al * b;
      case BinaryOp::Mul: return a * b;
      case BinaryOp::Div:
      case BinaryOp::Eq: break;
    }
  }
  ADD_FAILURE() << "no reference for op " << static_cast<int>(op);
  return T(0);
}

/// The element of a generator that a (possibly broadcast) geometry shows at flat index i.
inline std::int64_t source_index(const Geometry& g, std::int64_t i) {
  std::int64_t row = i / kCols;
  std::int64_t col = i % kCols;
  if (g.strides[0] == 0) row = 0;
  if (g.strides[1] == 0) col = 0;
  return row * kCols + col;
}

template <class T>
void check_binary(Backend& backend, BinaryOp op, double alpha) {
  const auto inputs = input_geometries();
  const auto outputs = output_geometries();
  // Every input geometry appears as a and as b (the other contiguous, or the same), each
  // against a contiguous output and a rotating strided one.
  auto run_case = [&](std::size_t i, std::size_t j, std::size_t o) {
    const auto& [out_name, out_geom] = outputs[o];
    SCOPED_TRACE(std::string(dtype_name(dtype_of<T>())) + " op " + std::to_string(static_cast<int>(op)) +
                 " out " + out_name + ", a " + inputs[i].first + ", b " + inputs[j].first);
    Operand<T> a(backend, inputs[i].second, a_value<T>, kSentinel<T>);
    Operand<T> b(backend, inputs[j].second, b_value<T>, kSentinel<T>);
    Operand<T> out(backend, out_geom, [](std::int64_t) { return T(1); }, kSentinel<T>);
    backend.binary(op, out.view(), a.view(), b.view(), alpha);
    std::vector<T> expected;
    for (std::int64_t e = 0; e < kRows * kCols; ++e) {
      expected.push_back(binary_reference(op, a_value<T>(source_index(inputs[i].second, e)),
                                          b_value<T>(source_index(inputs[j].second, e)), alpha));
    }
    expect_values(out.values(), expected);
  };
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    for (std::size_t j = 0; j < inputs.size(); ++j) {
      if (i != 0 && j != 0 && i != j) continue;
      run_case(i, j, 0);
      const std::size_t rotating = (i + j) % outputs.size();
      if (rotating != 0) run_case(i, j, rotating);
    }
  }
  // In place (out is a), and a 4-d permuted case that cannot be coalesced.
  Operand<T> inout(backend, transposed(kRows, kCols), a_value<T>, kSentinel<T>);
  Operand<T> b(backend, contiguous({kRows, kCols}), b_value<T>, kSentinel<T>);
  backend.binary(op, inout.view(), inout.view(), b.view(), alpha);
  std::vector<T> expected;
  for (std::int64_t e = 0; e < kRows * kCols; ++e) {
    expected.push_back(binary_reference(op, a_value<T>(e), b_value<T>(e), alpha));
  }
  expect_values(inout.values(), expected);

  const Index sizes = {2, 3, 4, 5};
  Operand<T> a4(backend, Geometry{sizes, {1, 2, 30, 6}, 0}, a_value<T>, kSentinel<T>);  // permuted
  Operand<T> b4(backend, Geometry{sizes, {0, 5, 0, 1}, 1}, b_value<T>, kSentinel<T>);   // broadcast
  Operand<T> out4(backend, Geometry{sizes, {60, 20, 5, 1}, 0}, [](std::int64_t) { return T(1); }, kSentinel<T>);
  backend.binary(op, out4.view(), a4.view(), b4.view(), alpha);
  std::vector<T> expected4;
  for_each_index(sizes, [&](const Index& idx) {
    const Index b_idx = {0, idx[1], 0, idx[3]};
    expected4.push_back(binary_reference(op, a_value<T>(row_major(sizes, idx)),
                                         b_value<T>(row_major(sizes, b_idx)), alpha));
  });
  expect_values(out4.values(), expected4);
}

TEST_P(BackendTest, BinaryArithmeticOnFloatingDtypes) {
  for (BinaryOp op : {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div}) {
    check_binary<float>(backend(), op, 1.0);
    check_binary<double>(backend(), op, 1.0);
  }
  check_binary<float>(backend(), BinaryOp::Add, 2.5);
  check_binary<double>(backend(), BinaryOp::Sub, -0.5);
}

TEST_P(BackendTest, BinaryArithmeticOnInt64) {
  for (BinaryOp op : {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul}) check_binary<std::int64_t>(backend(), op, 1.0);
  check_binary<std::int64_t>(backend(), BinaryOp::Add, 3.0);
  check_binary<std::int64_t>(backend(), BinaryOp::Sub, 2.0);
}

TEST_P(BackendTest, Int64AdditionWrapsAroundLikePyTorch) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  Operand<std::int64_t> a(backend(), contiguous({2}), [](std::int64_t) { return kMax; }, 0);
  Operand<std::int64_t> b(backend(), contiguous({2}), [](std::int64_t i) { return i + 1; }, 0);
  backend().binary(BinaryOp::Add, a.view(), a.view(), b.view(), 1.0);
  expect_values(a.values(), {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::min() + 1});
}

TEST_P(BackendTest, BinaryRejectsInt64DivisionAndBoolArithmetic) {
  Operand<std::int64_t> ints(backend(), contiguous({4}), b_value<std::int64_t>, 0);
  EXPECT_THROW(backend().binary(BinaryOp::Div, ints.view(), ints.view(), ints.view(), 1.0), Error);
  EXPECT_THROW(backend().binary_scalar(BinaryOp::Div, ints.view(), ints.view(), 2.0, false), Error);
  Operand<std::uint8_t> bools(backend(), contiguous({4}), [](std::int64_t i) { return static_cast<std::uint8_t>(i % 2); }, 0);
  EXPECT_THROW(backend().binary(BinaryOp::Add, bools.view(), bools.view(), bools.view(), 1.0), Error);
}

template <class T>
void check_eq(Backend& backend) {
  // Small value ranges so that equal pairs occur (bools stay 0/1); NaN never equals itself.
  constexpr std::int64_t kRange = std::is_same_v<T, std::uint8_t> ? 2 : 5;
  auto av = [](std::int64_t i) {
    if constexpr (std::is_floating_point_v<T>) { if (i == 3) return std::numeric_limits<T>::quiet_NaN(); }
    return static_cast<T>(i % kRange);
  };
  auto bv = [](std::int64_t i) {
    if constexpr (std::is_floating_point_v<T>) { if (i == 3) return std::numeric_limits<T>::quiet_NaN(); }
    return static_cast<T>((i / 2) % kRange);
  };
  for (const Geometry& bg : {contiguous({kRows, kCols}), transposed(kRows, kCols), Geometry{{kRows, kCols}, {0, 1}, 0}}) {
    SCOPED_TRACE(dtype_name(dtype_of<T>()));
    Operand<T> a(backend, contiguous({kRows, kCols}), av, T(0));
    Operand<T> b(backend, bg, bv, T(0));
    Operand<std::uint8_t> out(backend, Geometry{{kRows, kCols}, {2 * kCols, 2}, 1}, [](std::int64_t) { return std::uint8_t{1}; }, 7);
    backend.binary(BinaryOp::Eq, out.view(), a.view(), b.view(), 1.0);
    std::vector<std::uint8_t> expected;
    for (std::int64_t e = 0; e < kRows * kCols; ++e) expected.push_back(av(e) == bv(source_index(bg, e)) ? 1 : 0);
    expect_values(out.values(), expected);
  }
}

TEST_P(BackendTest, EqWritesBoolForEveryDtype) {
  check_eq<float>(backend());
  check_eq<double>(backend());
  check_eq<std::int64_t>(backend());
  check_eq<std::uint8_t>(backend());
}

// ---- binary_scalar ----------------------------------------------------------------------

template <class T>
void check_binary_scalar(Backend& backend, BinaryOp op, double scalar) {
  const T s = std::is_floating_point_v<T> ? static_cast<T>(scalar) : static_cast<T>(std::trunc(scalar));
  for (bool scalar_first : {false, true}) {
    for (const Geometry& g : {contiguous({kRows, kCols}), transposed(kRows, kCols)}) {
      SCOPED_TRACE(std::string(dtype_name(dtype_of<T>())) + " op " + std::to_string(static_cast<int>(op)) +
                   (scalar_first ? " scalar first" : " scalar second"));
      Operand<T> a(backend, g, b_value<T>, kSentinel<T>);
      Operand<T> out(backend, Geometry{{kRows, kCols}, {kCols + 3, 1}, 2}, [](std::int64_t) { return T(1); }, kSentinel<T>);
      backend.binary_scalar(op, out.view(), a.view(), scalar, scalar_first);
      std::vector<T> expected;
      for (std::int64_t e = 0; e < kRows * kCols; ++e) {
        const T x = b_value<T>(e);
        expected.push_back(scalar_first ? binary_reference(op, s, x, 1.0) : binary_reference(op, x, s, 1.0));
      }
      expect_values(out.values(), expected);
    }
  }
}

TEST_P(BackendTest, BinaryScalarOps) {
  for (BinaryOp op : {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div}) {
    check_binary_scalar<float>(backend(), op, 2.5);
    check_binary_scalar<double>(backend(), op, -1.25);
  }
  for (BinaryOp op : {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul}) check_binary_scalar<std::int64_t>(backend(), op, 3.0);
}

TEST_P(BackendTest, EqScalarComparesExactly) {
  Operand<std::int64_t> ints(backend(), contiguous({6}), [](std::int64_t i) { return i % 3; }, 0);
  Operand<std::uint8_t> out(backend(), contiguous({6}), [](std::int64_t) { return std::uint8_t{7}; }, 0);
  backend().binary_scalar(BinaryOp::Eq, out.view(), ints.view(), 2.0, false);
  expect_values(out.values(), {0, 0, 1, 0, 0, 1});
  backend().binary_scalar(BinaryOp::Eq, out.view(), ints.view(), 2.5, true);  // no int64 is 2.5
  expect_values(out.values(), {0, 0, 0, 0, 0, 0});

  Operand<float> floats(backend(), transposed(2, 3), [](std::int64_t i) { return i == 4 ? std::nanf("") : 0.1f * static_cast<float>(i % 2); }, 0.0f);
  Operand<std::uint8_t> out2(backend(), contiguous({2, 3}), [](std::int64_t) { return std::uint8_t{7}; }, 0);
  backend().binary_scalar(BinaryOp::Eq, out2.view(), floats.view(), 0.1, false);  // 0.1 as float32
  expect_values(out2.values(), {0, 1, 0, 1, 0, 1});

  Operand<std::uint8_t> bools(backend(), contiguous({4}), [](std::int64_t i) { return static_cast<std::uint8_t>(i % 2); }, 0);
  Operand<std::uint8_t> out3(backend(), contiguous({4}), [](std::int64_t) { return std::uint8_t{7}; }, 0);
  backend().binary_scalar(BinaryOp::Eq, out3.view(), bools.view(), 1.0, false);
  expect_values(out3.values(), {0, 1, 0, 1});
}

// ---- clamp ----------------------------------------------------------------------------

TEST_P(BackendTest, ClampFloatingPropagatesNaNAndHonoursMissingBounds) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const auto source = [](std::int64_t i) { return i == 0 ? std::nan("") : static_cast<double>(i) - 3.0; };
  struct Case { double lo, hi; };
  for (const Case c : {Case{-1.0, 2.0}, Case{-kInf, 0.5}, Case{1.5, kInf}, Case{3.0, 2.0}}) {
    SCOPED_TRACE("clamp to [" + std::to_string(c.lo) + ", " + std::to_string(c.hi) + "]");
    Operand<double> in(backend(), transposed(2, 4), source, -777.0);
    Operand<double> out(backend(), contiguous({2, 4}), [](std::int64_t) { return 0.0; }, -777.0);
    backend().clamp(out.view(), in.view(), c.lo, c.hi);
    std::vector<double> expected;
    for (std::int64_t i = 0; i < 8; ++i) {
      const double x = source(i);
      // torch.clamp: NaN stays NaN; lo > hi gives hi.
      const double raised = x < c.lo ? c.lo : x;
      expected.push_back(std::isnan(x) ? x : (raised > c.hi ? c.hi : raised));
    }
    expect_values(out.values(), expected);
  }
  Operand<float> f(backend(), contiguous({3}), [](std::int64_t i) { return static_cast<float>(i) * 2.0f - 2.0f; }, 0.0f);
  backend().clamp(f.view(), f.view(), -1.0, kInf);
  expect_values(f.values(), {-1.0f, 0.0f, 2.0f});
}

TEST_P(BackendTest, ClampInt64) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  const auto source = [](std::int64_t i) { return i == 0 ? kMin : i * 3 - 7; };  // kMin, -4, -1, 2, 5
  Operand<std::int64_t> in(backend(), contiguous({5}), source, 0);
  Operand<std::int64_t> out(backend(), Geometry{{5}, {2}, 1}, [](std::int64_t) { return std::int64_t{0}; }, 99);
  backend().clamp(out.view(), in.view(), -kInf, kInf);
  expect_values(out.values(), {kMin, -4, -1, 2, 5});
  backend().clamp(out.view(), in.view(), -3.0, 3.0);
  expect_values(out.values(), {-3, -3, -1, 2, 3});
  backend().clamp(out.view(), in.view(), 0.0, kInf);
  expect_values(out.values(), {0, 0, 0, 2, 5});
}

// ---- host-specific behaviour ---------------------------------------------------------------

TEST(CpuBackendTest, IsOneHostSingleton) {
  EXPECT_EQ(&cpu_backend(), &cpu_backend());
  EXPECT_EQ(cpu_backend().type(), DeviceType::CPU);
}

// A size the address space could hold but no machine can back: the allocator itself fails.
// AddressSanitizer aborts on such requests by design (allocator_may_return_null=0).
TEST(CpuBackendTest, OutOfMemoryThrowsErrorNamingTheSize) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer aborts on oversized allocations";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  GTEST_SKIP() << "AddressSanitizer aborts on oversized allocations";
#endif
#endif
  const std::size_t huge = std::size_t{1} << 62;
  try {
    void* p = cpu_backend().allocate(huge, 0);
    cpu_backend().deallocate(p, huge, 0);
    FAIL() << "allocating 2^62 bytes succeeded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(huge)), std::string::npos) << e.what();
  }
}

// Blocks on both sides of the large-block threshold (2 MiB, Note [Large host blocks]) are
// writable to the last byte, keep what was written, and are freed by their size; a
// large block is aligned to the huge page. The second round gets blocks the first one
// dirtied and freed (the host keeps freed large blocks for reuse): zero-filled still means
// zero-filled.
#if defined(__SANITIZE_ADDRESS__)
#define AG_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AG_TEST_ASAN 1
#endif
#endif
#ifndef AG_TEST_ASAN
#define AG_TEST_ASAN 0
#endif

TEST(CpuBackendTest, LargeAndSmallBlocksHoldTheirBytes) {
  Backend& host = cpu_backend();
  constexpr std::size_t kLarge = std::size_t{2} << 20;
  for (std::size_t nbytes : {kLarge - 1, kLarge, kLarge + 1, 3 * kLarge + 12345}) {
    for (int round = 0; round < 2; ++round) {  // a second block after the first is freed
      auto* p = static_cast<std::uint8_t*>(host.allocate(nbytes, 0, /*zero=*/false));
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 64, 0u) << nbytes;
#if !AG_TEST_ASAN  // AddressSanitizer builds allocate every block with malloc (cpu_backend.cpp)
      if (nbytes >= kLarge) {
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % kLarge, 0u) << nbytes;
      }
#endif
      for (std::size_t i = 0; i < nbytes; ++i) p[i] = static_cast<std::uint8_t>(i * 7 + round);
      auto* q = static_cast<std::uint8_t*>(host.allocate(nbytes, 0));
      std::size_t nonzero = 0;
      for (std::size_t i = 0; i < nbytes; ++i) nonzero += q[i] != 0 ? 1 : 0;
      EXPECT_EQ(nonzero, 0u) << nbytes << " bytes, round " << round;
      host.copy_bytes(q, p, nbytes, CopyKind::DeviceToDevice, 0);
      EXPECT_EQ(std::memcmp(p, q, nbytes), 0) << nbytes;
      host.deallocate(q, nbytes, 0);
      host.deallocate(p, nbytes, 0);
    }
  }
}

// PyTorch's x86 CPU build turns NaN and out-of-range floats into INT64_MIN; the host backend
// does the same instead of C++'s undefined behaviour.
TEST(CpuBackendTest, FloatToInt64CopyMatchesPyTorchForNaNAndOutOfRange) {
  Backend& host = cpu_backend();
  Operand<double> in(host, contiguous({5}), [](std::int64_t i) {
    constexpr double kValues[] = {std::numeric_limits<double>::quiet_NaN(), 1e30, -1e30, -2.7, 2.7};
    return kValues[i];
  }, 0.0);
  Operand<std::int64_t> out(host, contiguous({5}), [](std::int64_t) { return std::int64_t{1}; }, 0);
  host.copy(out.view(), in.view());
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  expect_values(out.values(), {kMin, kMin, kMin, -2, 2});
  Operand<std::uint8_t> flags(host, contiguous({5}), [](std::int64_t) { return std::uint8_t{7}; }, 0);
  host.copy(flags.view(), in.view());
  expect_values(flags.values(), {1, 1, 1, 1, 1});  // NaN is nonzero, hence true
}

TEST(CpuBackendTest, ReluKeepsNegativeZeroLikePyTorch) {
  Operand<float> x(cpu_backend(), contiguous({2}), [](std::int64_t i) { return i == 0 ? -0.0f : -1.0f; }, 0.0f);
  cpu_backend().unary(UnaryOp::Relu, x.view(), x.view());
  const std::vector<float> v = x.values();
  EXPECT_TRUE(v[0] == 0.0f && std::signbit(v[0]));
  EXPECT_TRUE(v[1] == 0.0f && !std::signbit(v[1]));
}

INSTANTIATE_TEST_SUITE_P(Devices, BackendTest, ::testing::Values(DeviceType::CPU, DeviceType::CUDA),
                         backend_param_name);

}  // namespace

}  // namespace aliasguard::detail::test
