#pragma once
/// \file Origin: the user's call site, which the checked runtime puts in its reports.

#include <source_location>
#include <type_traits>
#include <utility>

namespace aliasguard {

/// Where a runtime call was made. Public functions take it as a last parameter defaulted
/// to `Origin::current()`, which C++ evaluates at the caller: users never pass it.
using Origin = std::source_location;

/// An operand that carries the call site of the expression it appears in. Operators cannot
/// take an extra defaulted parameter, but the implicit conversion to Located<T> happens in
/// the user's expression, so its defaulted Origin is the user's line.
template <class T>
struct Located {
  template <class U, std::enable_if_t<std::is_constructible_v<T, U&&>, int> = 0>
  Located(U&& v, Origin o = Origin::current())  // NOLINT(google-explicit-constructor)
      : value(std::forward<U>(v)), origin(o) {}
  T value;
  Origin origin;
};

}  // namespace aliasguard
