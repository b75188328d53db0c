#pragma once
/// \file Element types.

#include <cstddef>
#include <cstdint>

namespace aliasguard {

/// Element type of a tensor. Float32 supports every op; Float64 and Int64 support factories,
/// copies and elementwise ops; Bool is what comparisons return.
enum class ScalarType : std::int8_t { Float32 = 0, Float64 = 1, Int64 = 2, Bool = 3 };

inline constexpr ScalarType kFloat32 = ScalarType::Float32;
inline constexpr ScalarType kFloat64 = ScalarType::Float64;
inline constexpr ScalarType kInt64 = ScalarType::Int64;
inline constexpr ScalarType kBool = ScalarType::Bool;

constexpr std::size_t element_size(ScalarType t) {
  switch (t) {
    case ScalarType::Float32: return 4;
    case ScalarType::Float64: return 8;
    case ScalarType::Int64: return 8;
    case ScalarType::Bool: return 1;
  }
  return 0;
}

/// "float32", "float64", "int64", "bool" (PyTorch prints these with a "torch." prefix).
constexpr const char* dtype_name(ScalarType t) {
  switch (t) {
    case ScalarType::Float32: return "float32";
    case ScalarType::Float64: return "float64";
    case ScalarType::Int64: return "int64";
    case ScalarType::Bool: return "bool";
  }
  return "?";
}

constexpr bool is_floating(ScalarType t) {
  return t == ScalarType::Float32 || t == ScalarType::Float64;
}

/// PyTorch's promotion between two tensor dtypes: bool < int64 < float32 < float64.
constexpr ScalarType promote_types(ScalarType a, ScalarType b) {
  auto rank = [](ScalarType t) {
    switch (t) {
      case ScalarType::Bool: return 0;
      case ScalarType::Int64: return 1;
      case ScalarType::Float32: return 2;
      case ScalarType::Float64: return 3;
    }
    return 0;
  };
  return rank(a) >= rank(b) ? a : b;
}

template <class T> struct CppTypeToScalarType;
template <> struct CppTypeToScalarType<float> { static constexpr ScalarType value = kFloat32; };
template <> struct CppTypeToScalarType<double> { static constexpr ScalarType value = kFloat64; };
template <> struct CppTypeToScalarType<std::int64_t> { static constexpr ScalarType value = kInt64; };
template <> struct CppTypeToScalarType<bool> { static constexpr ScalarType value = kBool; };

}  // namespace aliasguard
