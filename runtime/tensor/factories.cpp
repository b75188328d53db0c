// Factory functions: new storage, filled.

#include <cmath>
#include <string>

#include "ops_common.h"

namespace aliasguard {

namespace {

Tensor with_grad(Tensor t, const TensorOptions& options) {
  if (options.requires_grad()) t.set_requires_grad(true);
  return t;
}

/// A host tensor over `values`, then moved and converted to what `options` ask for.
template <class T>
Tensor from_values(const std::vector<T>& values, const Shape& shape, const TensorOptions& options, const char* name,
                   Origin origin) {
  std::int64_t numel = 1;
  for (std::int64_t s : shape) {
    if (s < 0) throw Error(std::string(name) + ": negative dimension in shape " + shape_str(shape));
    numel *= s;
  }
  if (numel != static_cast<std::int64_t>(values.size())) {
    throw Error(std::string(name) + ": " + std::to_string(values.size()) + " values given for shape " +
                shape_str(shape) + " (" + std::to_string(numel) + " elements)");
  }
  Tensor host = detail::make_tensor(shape, CppTypeToScalarType<T>::value, Device::cpu());
  std::copy(values.begin(), values.end(), static_cast<T*>(host.mutable_data_ptr()));
  Tensor out = detail::make_tensor(shape, options.dtype(), options.device(), origin);
  detail::copy_into(out, host);
  return with_grad(out, options);
}

}  // namespace

Tensor empty(const Shape& shape, TensorOptions options, Origin origin) {
  return with_grad(detail::make_tensor(shape, options.dtype(), options.device(), origin), options);
}

Tensor zeros(const Shape& shape, TensorOptions options, Origin origin) { return empty(shape, options, origin); }

Tensor ones(const Shape& shape, TensorOptions options, Origin origin) { return full(shape, 1, options, origin); }

Tensor full(const Shape& shape, Scalar value, TensorOptions options, Origin origin) {
  Tensor t = detail::make_tensor(shape, options.dtype(), options.device(), origin);
  t.fill_(value, origin);
  return with_grad(t, options);
}

Tensor arange(Scalar end, std::optional<TensorOptions> options, Origin origin) {
  return arange(0, end, 1, options, origin);
}

Tensor arange(Scalar start, Scalar end, Scalar step, std::optional<TensorOptions> options, Origin origin) {
  const bool integral = start.is_integral() && end.is_integral() && step.is_integral();
  const TensorOptions opts = options.value_or(TensorOptions(integral ? kInt64 : kFloat32));
  const double s = start.to_double(), e = end.to_double(), d = step.to_double();
  if (d == 0.0) throw Error("arange: step must be nonzero");
  if (!std::isfinite(s) || !std::isfinite(e)) throw Error("arange: unsupported range " + std::to_string(s) + " -> " + std::to_string(e));
  if ((d > 0 && e < s) || (d < 0 && e > s)) {
    throw Error("arange: upper bound and larger bound inconsistent with step sign (start " + std::to_string(s) +
                ", end " + std::to_string(e) + ", step " + std::to_string(d) + ")");
  }
  const auto n = static_cast<std::int64_t>(std::ceil((e - s) / d));
  if (integral) {
    std::vector<std::int64_t> values(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) values[static_cast<std::size_t>(i)] = start.to_int() + i * step.to_int();
    return from_values(values, {n}, opts, "arange", origin);
  }
  std::vector<double> values(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) values[static_cast<std::size_t>(i)] = s + static_cast<double>(i) * d;
  return from_values(values, {n}, opts, "arange", origin);
}

Tensor tensor(const std::vector<float>& values, const Shape& shape, std::optional<TensorOptions> options,
              Origin origin) {
  return from_values(values, shape, options.value_or(TensorOptions(kFloat32)), "tensor", origin);
}
Tensor tensor(const std::vector<double>& values, const Shape& shape, std::optional<TensorOptions> options,
              Origin origin) {
  return from_values(values, shape, options.value_or(TensorOptions(kFloat64)), "tensor", origin);
}
Tensor tensor(const std::vector<std::int64_t>& values, const Shape& shape, std::optional<TensorOptions> options,
              Origin origin) {
  return from_values(values, shape, options.value_or(TensorOptions(kInt64)), "tensor", origin);
}
Tensor tensor(std::initializer_list<float> values, std::optional<TensorOptions> options, Origin origin) {
  return tensor(std::vector<float>(values), {static_cast<std::int64_t>(values.size())}, options, origin);
}

Tensor rand(const Shape& shape, TensorOptions options, Generator* gen, Origin origin) {
  Tensor t = detail::make_tensor(shape, options.dtype(), options.device(), origin);
  t.uniform_(0.0, 1.0, gen, origin);
  return with_grad(t, options);
}

Tensor randn(const Shape& shape, TensorOptions options, Generator* gen, Origin origin) {
  Tensor t = detail::make_tensor(shape, options.dtype(), options.device(), origin);
  t.normal_(0.0, 1.0, gen, origin);
  return with_grad(t, options);
}

}  // namespace aliasguard
