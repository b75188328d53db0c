// Prints a fixed list of tensors, each as "### <name>" then its repr. print_vs_pytorch.py
// builds the same list with PyTorch and diffs the two outputs; keep the names and the
// expressions of both files in step.
//
// Values are built only from exact steps (integer aranges, operands that float32 holds
// exactly, +-*/, which round correctly whether computed in float or double), so both sides
// print from bit-identical numbers and a difference can only come from the printing.

#include <cstdint>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "aliasguard/aliasguard.h"

namespace ag = aliasguard;
using ag::Tensor;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr ag::ScalarType kF32 = ag::kFloat32;
constexpr ag::ScalarType kF64 = ag::kFloat64;
constexpr ag::ScalarType kI64 = ag::kInt64;

void print_case(const std::string& name, const Tensor& t) {
  std::cout << "### " << name << "\n" << t << "\n";
}

Tensor f32(const std::vector<float>& values, const ag::Shape& shape) { return ag::tensor(values, shape); }
Tensor f64(const std::vector<double>& values, const ag::Shape& shape) { return ag::tensor(values, shape); }
Tensor i64(const std::vector<std::int64_t>& values, const ag::Shape& shape) { return ag::tensor(values, shape); }

Tensor with_grad(Tensor t) {
  t.set_requires_grad(true);
  return t;
}

}  // namespace

int main() {
  using ag::arange;
  // Zero-dim.
  print_case("scalar_int_valued", ag::full({}, 3.0));
  print_case("scalar_fraction", ag::full({}, 0.5));
  print_case("scalar_int64", ag::full({}, 7, kI64));
  print_case("scalar_neg_zero", ag::full({}, -0.0));
  print_case("scalar_nan", ag::full({}, kNaN));
  print_case("scalar_bool", ag::full({}, 0, kI64).eq(0));
  print_case("scalar_float64", ag::full({}, 2.25, kF64));
  print_case("scalar_requires_grad", with_grad(ag::full({}, 1.5)));
  // Empty.
  print_case("empty_1d", ag::zeros({0}));
  print_case("empty_2d", ag::zeros({0, 3}));
  print_case("empty_int64", ag::zeros({0}, kI64));
  print_case("empty_float64_3d", ag::zeros({2, 0, 3}, kF64));
  print_case("empty_bool", ag::zeros({0}, ag::kBool));
  // Fixed, int and sci modes.
  print_case("arange_int64", arange(10));
  print_case("arange_float", arange(10, kF32));
  print_case("matrix_eighths", arange(12, kF32).reshape({3, 4}) / 8);
  print_case("negative_thirds", (arange(6, kF32) - 2.5) / 3);
  print_case("mixed_signs", f32({-0.0053f, 0.3793f, -0.5820f, -0.5204f}, {2, 2}));
  print_case("rounding", f32({0.1f, 0.2f, 0.3f, 1.23455f, 2.5f, 0.00015f}, {6}));
  print_case("zeros", ag::zeros({2, 3}));
  print_case("ones_float64", ag::ones({2, 2}, kF64));
  print_case("special_values", f32({kNaN, kInf, -kInf, -0.0f, 1.5f}, {5}));
  print_case("special_int_mode", f32({kNaN, kInf, 2.0f, -3.0f}, {4}));
  print_case("only_non_finite", f32({kNaN, kInf, -kInf}, {3}));
  print_case("negative_zero_int_mode", f32({-0.0f, 0.0f, 1.0f}, {3}));
  print_case("sci_big", arange(1, 6, 1, kF32) * 1000000000);
  print_case("sci_small", arange(1, 6, 1, kF32) / 100000);
  print_case("sci_ratio_int_mode", f32({1.0f, 1001.0f}, {2}));
  print_case("ratio_1000_int_mode", f32({1.0f, 1000.0f}, {2}));
  print_case("sci_ratio_fraction", f32({0.5f, 600.25f}, {2}));
  print_case("sci_over_1e8_int_mode", arange(5, kF32) * 100000000);
  print_case("min_at_1e-4", f32({0.0001f, 0.5f}, {2}));
  print_case("wide_fixed", (arange(10, kF32) - 5) * 123.5);
  print_case("sci_with_nan", f32({kNaN, 0.00001f, 3.0f, -kInf}, {4}));
  // Wrapping.
  print_case("long_row_float", arange(30, kF32) / 7);
  print_case("long_row_int64", arange(40) * 1000000007);
  print_case("wrapped_rows_2d", arange(60, kF32).reshape({3, 20}) / 3);
  print_case("long_row_sci", arange(1, 25, 1, kF32) / 1000000);
  // Summarized (more than 1000 elements).
  print_case("summarized_1d", arange(2000, kF32) / 4);
  print_case("summarized_2d_int64", arange(1200).reshape({40, 30}));
  print_case("summarized_3d", arange(1200, kF32).reshape({10, 10, 12}) / 16);
  print_case("summarized_sci", (arange(1500, kF32) + 1) / 100000);
  print_case("summarized_wide_rows", arange(1010, kF32).reshape({1, 1010}) * 0.5);
  print_case("summarized_column", arange(1001, kF32).reshape({1001, 1}));
  // Shapes and views.
  print_case("three_d", arange(24, kF32).reshape({2, 3, 4}));
  print_case("four_d", arange(36, kF32).reshape({2, 3, 2, 3}) / 4);
  print_case("five_d_int64", arange(32).reshape({2, 2, 2, 2, 2}));
  print_case("eight_d", arange(20, kF32).reshape({1, 1, 1, 1, 1, 1, 4, 5}));
  print_case("column", arange(5, kF32).reshape({5, 1}));
  print_case("single_element_3d", ag::full({1, 1, 1}, 2.5));
  print_case("transposed", arange(6, kF32).reshape({2, 3}).t());
  print_case("strided_slice", arange(10).slice(0, 2, 8, 2));
  print_case("selected_column", arange(12, kF32).reshape({3, 4}).select(1, 2));
  print_case("expanded", arange(3, kF32).expand({2, 3}));
  // Integers and booleans.
  print_case("int64_negative", arange(-3, 4));
  print_case("int64_widths", i64({-1000000, 5, 42}, {3}));
  print_case("int64_limits", i64({std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()}, {2}));
  print_case("bool_mixed", arange(6).eq(i64({0, 1, 5, 3, 2, 5}, {6})));
  print_case("bool_2d_true", ag::ones({2, 3}, ag::kBool));
  print_case("bool_summarized", arange(1100).eq(i64({7}, {1}).expand({1100})).reshape({11, 100}));
  // float64 and requires_grad suffixes.
  print_case("float64_thirds", arange(5, kF64) / 3);
  print_case("float64_tiny", f64({1e-300, 1.0}, {2}));
  print_case("float64_huge", f64({1e300, -2.5}, {2}));
  print_case("requires_grad_short", with_grad(arange(4, kF32)));
  print_case("requires_grad_wraps", with_grad(arange(12, kF32)));
  print_case("requires_grad_float64", with_grad(arange(14, kF64)));
  print_case("requires_grad_2d", with_grad(arange(6, kF32).reshape({2, 3}) / 4));
  print_case("requires_grad_empty", with_grad(ag::zeros({0})));

  ag::StateDict sd;
  sd.insert("fc.weight", f32({-0.0472f, -0.4500f, -0.3051f, -0.3033f}, {2, 2}));
  sd.insert("fc.bias", f32({-0.1162f, -0.4246f}, {2}));
  sd.insert("it's.step", ag::full({}, 3, kI64));
  std::cout << "### state_dict\n" << sd << "\n";
  std::cout << "### state_dict_empty\n" << ag::StateDict{} << "\n";
  return 0;
}
