// Tensor metadata, identity, value access and device/dtype conversion.

#include <cmath>
#include <string>

#include "ops_common.h"
#include "tracking.h"

namespace aliasguard {

using detail::check_defined;

namespace {
detail::TensorImpl& impl_of(const Tensor& t, const char* op) {
  check_defined(t, op);
  return *t.impl();
}
}  // namespace

Tensor& Tensor::operator=(Located<const Tensor&> src) && {
  copy_(src.value, src.origin);
  return *this;
}

Tensor& Tensor::operator=(Located<Scalar> value) && {
  fill_(value.value, value.origin);
  return *this;
}

const Shape& Tensor::sizes() const { return impl_of(*this, "sizes").sizes(); }
const Shape& Tensor::strides() const { return impl_of(*this, "strides").strides(); }
std::int64_t Tensor::size(std::int64_t dim) const {
  return sizes()[detail::wrap_dim(dim, this->dim(), "size")];
}
std::int64_t Tensor::stride(std::int64_t dim) const {
  return strides()[detail::wrap_dim(dim, this->dim(), "stride")];
}
std::int64_t Tensor::dim() const { return static_cast<std::int64_t>(sizes().size()); }
std::int64_t Tensor::numel() const { return impl_of(*this, "numel").numel(); }
std::int64_t Tensor::storage_offset() const { return impl_of(*this, "storage_offset").offset(); }
ScalarType Tensor::dtype() const { return impl_of(*this, "dtype").dtype(); }
Device Tensor::device() const { return impl_of(*this, "device").device(); }
bool Tensor::is_contiguous() const { return impl_of(*this, "is_contiguous").is_contiguous(); }
bool Tensor::requires_grad() const { return impl_of(*this, "requires_grad").requires_grad; }

const Tensor& Tensor::set_requires_grad(bool requires_grad) const {
  detail::TensorImpl& impl = impl_of(*this, "set_requires_grad");
  if (requires_grad && !is_floating(impl.dtype())) {
    throw Error(std::string("only floating point tensors can require gradients, not ") + dtype_name(impl.dtype()));
  }
  impl.requires_grad = requires_grad;
  return *this;
}

bool Tensor::is_alias_of(const Tensor& other) const {
  return defined() && other.defined() && impl_->storage() == other.impl_->storage();
}

std::uint64_t Tensor::storage_id() const { return impl_of(*this, "storage_id").storage()->id(); }
std::size_t Tensor::storage_nbytes() const { return impl_of(*this, "storage_nbytes").storage()->nbytes(); }
const void* Tensor::const_data_ptr(Origin origin) const {
  const detail::TensorImpl& impl = impl_of(*this, "const_data_ptr");
  detail::note_read(impl, origin);
  return impl.data();
}

void* Tensor::mutable_data_ptr(Origin origin) const {
  const detail::TensorImpl& impl = impl_of(*this, "mutable_data_ptr");
  detail::note_write(impl, origin);
  return impl.data();
}

void Tensor::check_dtype_for_pointer(ScalarType requested) const {
  const ScalarType actual = dtype();
  if (actual != requested) {
    throw Error(std::string("data pointer of type ") + dtype_name(requested) + " requested from a tensor of dtype " +
                dtype_name(actual));
  }
}

const Tensor& Tensor::grad() const {
  static const Tensor undefined;
  const detail::TensorImpl& impl = impl_of(*this, "grad");
  return impl.grad ? *impl.grad : undefined;
}

Tensor& Tensor::mutable_grad() const {
  detail::TensorImpl& impl = impl_of(*this, "mutable_grad");
  if (!impl.grad) impl.grad = std::make_unique<Tensor>();
  return *impl.grad;
}

// Copies read the source through this handle (the checked runtime checks that read) and
// write only new storage, which no other handle can see.
Tensor Tensor::clone(Origin origin) const {
  check_defined(*this, "clone");
  detail::note_read(*impl_, origin);
  Tensor out = detail::make_tensor_like(*this, dtype(), device(), origin);
  detail::copy_into(out, *this);
  return out;
}

Tensor Tensor::contiguous(Origin origin) const {
  check_defined(*this, "contiguous");
  if (is_contiguous()) return *this;
  detail::note_read(*impl_, origin);
  Tensor out = detail::make_tensor_for_copy(sizes(), dtype(), device(), origin);
  detail::copy_into(out, *this);
  return out;
}

Tensor Tensor::to(Device device, bool copy, Origin origin) const {
  check_defined(*this, "to");
  if (device == this->device() && !copy) return *this;
  detail::note_read(*impl_, origin);
  Tensor out = detail::make_tensor_like(*this, dtype(), device, origin);
  detail::copy_into(out, *this);
  return out;
}

Tensor Tensor::to(ScalarType dtype, bool copy, Origin origin) const {
  check_defined(*this, "to");
  if (dtype == this->dtype() && !copy) return *this;
  detail::note_read(*impl_, origin);
  Tensor out = detail::make_tensor_like(*this, dtype, device(), origin);
  detail::copy_into(out, *this);
  return out;
}

template <class T>
std::vector<T> Tensor::to_vector(Origin origin) const {
  check_defined(*this, "to_vector");
  detail::note_read(*impl_, origin);
  constexpr ScalarType want = CppTypeToScalarType<T>::value;
  Tensor host = to(Device::cpu(), false, origin).to(want, false, origin).contiguous(origin);
  const T* p = static_cast<const T*>(static_cast<const void*>(host.impl()->data()));  // read noted above
  return std::vector<T>(p, p + host.numel());
}

template std::vector<float> Tensor::to_vector<float>(Origin) const;
template std::vector<double> Tensor::to_vector<double>(Origin) const;
template std::vector<std::int64_t> Tensor::to_vector<std::int64_t>(Origin) const;
template std::vector<bool> Tensor::to_vector<bool>(Origin) const;

Scalar Tensor::item(Origin origin) const {
  check_defined(*this, "item");
  if (numel() != 1) {
    throw Error("a Tensor with " + std::to_string(numel()) + " elements (shape " + shape_str(sizes()) +
                ") cannot be converted to a Scalar");
  }
  switch (dtype()) {
    case ScalarType::Float32:
    case ScalarType::Float64: return Scalar(to_vector<double>(origin)[0]);
    case ScalarType::Int64: return Scalar(to_vector<std::int64_t>(origin)[0]);
    case ScalarType::Bool: return Scalar(static_cast<bool>(to_vector<bool>(origin)[0]));
  }
  throw Error("item(): unknown dtype");
}

template <class T>
T Tensor::item(Origin origin) const {
  const Scalar s = item(origin);
  if constexpr (std::is_floating_point_v<T>) return static_cast<T>(s.to_double());
  else if constexpr (std::is_same_v<T, bool>) return s.to_int() != 0;
  else return static_cast<T>(s.to_int());
}

template float Tensor::item<float>(Origin) const;
template double Tensor::item<double>(Origin) const;
template std::int64_t Tensor::item<std::int64_t>(Origin) const;
template bool Tensor::item<bool>(Origin) const;

bool Tensor::equal(const Tensor& other, Origin origin) const {
  check_defined(*this, "equal");
  check_defined(other, "equal");
  detail::check_same_device(*this, other, "equal");
  if (sizes() != other.sizes()) return false;
  if (dtype() == kInt64 && other.dtype() == kInt64) {
    return to_vector<std::int64_t>(origin) == other.to_vector<std::int64_t>(origin);
  }
  const std::vector<double> a = to_vector<double>(origin);
  const std::vector<double> b = other.to_vector<double>(origin);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!(a[i] == b[i])) return false;  // NaN is never equal, as in torch.equal
  }
  return true;
}

bool Tensor::allclose(const Tensor& other, double rtol, double atol, Origin origin) const {
  check_defined(*this, "allclose");
  check_defined(other, "allclose");
  detail::check_same_device(*this, other, "allclose");
  const Shape shape = detail::broadcast_shapes(sizes(), other.sizes(), "allclose");
  const std::vector<double> a = expand(shape, origin).to_vector<double>(origin);
  const std::vector<double> b = other.expand(shape, origin).to_vector<double>(origin);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;  // covers equal infinities
    if (std::isinf(a[i]) || std::isinf(b[i])) return false;
    if (!(std::fabs(a[i] - b[i]) <= atol + rtol * std::fabs(b[i]))) return false;
  }
  return true;
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, Origin origin) {
  return a.allclose(b, rtol, atol, origin);
}

}  // namespace aliasguard
