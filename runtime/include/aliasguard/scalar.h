#pragma once
/// \file Scalar: a number operand that remembers whether it was integral, so that
/// `int_tensor * 2` stays int64 and `int_tensor * 2.0` becomes float32, as in PyTorch.

#include <cstdint>
#include <type_traits>

namespace aliasguard {

/// A number passed to an op; integral or floating, like c10::Scalar.
class Scalar {
 public:
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  constexpr Scalar(T v) : d_(static_cast<double>(v)), i_(static_cast<std::int64_t>(v)), integral_(true) {}
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  constexpr Scalar(T v) : d_(static_cast<double>(v)), i_(static_cast<std::int64_t>(v)), integral_(false) {}
  constexpr Scalar(bool v) : d_(v ? 1.0 : 0.0), i_(v ? 1 : 0), integral_(true) {}

  constexpr double to_double() const { return d_; }
  constexpr std::int64_t to_int() const { return i_; }
  constexpr bool is_integral() const { return integral_; }

 private:
  double d_;
  std::int64_t i_;
  bool integral_;
};

}  // namespace aliasguard
