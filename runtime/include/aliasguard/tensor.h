#pragma once
/// \file Tensor: a handle on a strided window into a Storage. See Note [Handles and storage].

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "aliasguard/device.h"
#include "aliasguard/dtype.h"
#include "aliasguard/origin.h"
#include "aliasguard/scalar.h"
#include "aliasguard/tensor_options.h"

namespace aliasguard {

using Shape = std::vector<std::int64_t>;

class Generator;
namespace detail { class TensorImpl; }

// Note [Handles and storage]
// A Tensor is a shared pointer to a TensorImpl (the *handle*): sizes, strides, offset, dtype
// and a pointer to a Storage (the bytes). Copying a Tensor value copies the pointer, so
// `Tensor b = a;` is the same handle, like Python's `b = a`. Views (view, slice, select,
// transpose, expand, detach, data(), ...) make a new handle on the same Storage. clone(),
// deep_copy() and to(other device) make a new Storage. Two tensors alias iff they share a
// Storage (is_alias_of). In-place ops are const member functions, as in LibTorch: they do not
// change the handle, only the bytes it points at.

/// A handle on tensor data; see Note [Handles and storage].
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<detail::TensorImpl> impl) : impl_(std::move(impl)) {}
  Tensor(const Tensor&) = default;
  Tensor(Tensor&&) noexcept = default;
  ~Tensor() = default;

  /// Rebinds this variable to `other`'s handle (Python `a = b`).
  Tensor& operator=(const Tensor& other) & = default;
  Tensor& operator=(Tensor&& other) & noexcept = default;
  /// On a temporary (`t[0] = src`, `p.data() = src`) copies values, as LibTorch does.
  Tensor& operator=(Located<const Tensor&> src) &&;
  /// On a temporary (`t[0] = 1.5`) fills, as LibTorch does.
  Tensor& operator=(Located<Scalar> value) &&;

  // --- metadata -------------------------------------------------------------------------
  bool defined() const { return impl_ != nullptr; }
  const Shape& sizes() const;
  const Shape& strides() const;
  std::int64_t size(std::int64_t dim) const;
  std::int64_t stride(std::int64_t dim) const;
  std::int64_t dim() const;
  std::int64_t numel() const;
  std::int64_t storage_offset() const;
  ScalarType dtype() const;
  Device device() const;
  bool is_cuda() const { return device().is_cuda(); }
  bool is_contiguous() const;
  bool requires_grad() const;
  const Tensor& set_requires_grad(bool requires_grad) const;

  // --- identity -------------------------------------------------------------------------
  /// True when both handles point into the same Storage.
  bool is_alias_of(const Tensor& other) const;
  /// True when both are the same handle (Python `a is b`).
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }
  /// Identifier of the storage, unique for the life of the process (allocators reuse
  /// addresses, ids are never reused).
  std::uint64_t storage_id() const;
  std::size_t storage_nbytes() const;
  /// Pointer to element [0, ..., 0] for reading.
  const void* const_data_ptr(Origin origin = Origin::current()) const;
  /// Pointer to element [0, ..., 0] for writing (the checked runtime counts this as a write).
  void* mutable_data_ptr(Origin origin = Origin::current()) const;
  template <class T> const T* const_data_ptr(Origin origin = Origin::current()) const {
    check_dtype_for_pointer(CppTypeToScalarType<T>::value);
    return static_cast<const T*>(const_data_ptr(origin));
  }
  template <class T> T* mutable_data_ptr(Origin origin = Origin::current()) const {
    check_dtype_for_pointer(CppTypeToScalarType<T>::value);
    return static_cast<T*>(mutable_data_ptr(origin));
  }

  // --- views: a new handle on the same storage -------------------------------------------
  Tensor view(const Shape& shape, Origin origin = Origin::current()) const;
  /// A view when the strides allow it, otherwise a contiguous copy (as in PyTorch).
  Tensor reshape(const Shape& shape, Origin origin = Origin::current()) const;
  Tensor slice(std::int64_t dim, std::optional<std::int64_t> start = std::nullopt,
               std::optional<std::int64_t> end = std::nullopt, std::int64_t step = 1, Origin origin = Origin::current()) const;
  Tensor narrow(std::int64_t dim, std::int64_t start, std::int64_t length, Origin origin = Origin::current()) const;
  Tensor select(std::int64_t dim, std::int64_t index, Origin origin = Origin::current()) const;
  Tensor operator[](Located<std::int64_t> index) const { return select(0, index.value, index.origin); }
  Tensor transpose(std::int64_t dim0, std::int64_t dim1, Origin origin = Origin::current()) const;
  Tensor t(Origin origin = Origin::current()) const;
  Tensor permute(const Shape& dims, Origin origin = Origin::current()) const;
  Tensor expand(const Shape& shape, Origin origin = Origin::current()) const;
  Tensor squeeze(Origin origin = Origin::current()) const;
  Tensor squeeze(std::int64_t dim, Origin origin = Origin::current()) const;
  Tensor unsqueeze(std::int64_t dim, Origin origin = Origin::current()) const;
  Tensor flatten(std::int64_t start_dim = 0, std::int64_t end_dim = -1, Origin origin = Origin::current()) const;
  /// A new handle on the same storage with requires_grad off.
  Tensor detach(Origin origin = Origin::current()) const;
  /// Like detach(): LibTorch's `variable_data()`; PyTorch's `.data`.
  Tensor data(Origin origin = Origin::current()) const;

  // --- in place: write through this handle ------------------------------------------------
  const Tensor& add_(const Tensor& other, Scalar alpha = 1, Origin origin = Origin::current()) const;
  const Tensor& add_(Scalar other, Origin origin = Origin::current()) const;
  const Tensor& sub_(const Tensor& other, Scalar alpha = 1, Origin origin = Origin::current()) const;
  const Tensor& sub_(Scalar other, Origin origin = Origin::current()) const;
  const Tensor& mul_(const Tensor& other, Origin origin = Origin::current()) const;
  const Tensor& mul_(Scalar other, Origin origin = Origin::current()) const;
  const Tensor& div_(const Tensor& other, Origin origin = Origin::current()) const;
  const Tensor& div_(Scalar other, Origin origin = Origin::current()) const;
  const Tensor& fill_(Scalar value, Origin origin = Origin::current()) const;
  const Tensor& zero_(Origin origin = Origin::current()) const;
  /// Copies `src` (broadcast, any device, any dtype) into this tensor's bytes.
  const Tensor& copy_(const Tensor& src, Origin origin = Origin::current()) const;
  const Tensor& clamp_(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt, Origin origin = Origin::current()) const;
  const Tensor& uniform_(double from = 0.0, double to = 1.0, Generator* gen = nullptr, Origin origin = Origin::current()) const;
  const Tensor& normal_(double mean = 0.0, double std = 1.0, Generator* gen = nullptr, Origin origin = Origin::current()) const;
  const Tensor& operator+=(Located<const Tensor&> o) const { return add_(o.value, 1, o.origin); }
  const Tensor& operator+=(Located<Scalar> o) const { return add_(o.value, o.origin); }
  const Tensor& operator-=(Located<const Tensor&> o) const { return sub_(o.value, 1, o.origin); }
  const Tensor& operator-=(Located<Scalar> o) const { return sub_(o.value, o.origin); }
  const Tensor& operator*=(Located<const Tensor&> o) const { return mul_(o.value, o.origin); }
  const Tensor& operator*=(Located<Scalar> o) const { return mul_(o.value, o.origin); }
  const Tensor& operator/=(Located<const Tensor&> o) const { return div_(o.value, o.origin); }
  const Tensor& operator/=(Located<Scalar> o) const { return div_(o.value, o.origin); }

  // --- out of place: a new tensor with new storage ---------------------------------------
  Tensor add(const Tensor& other, Scalar alpha = 1, Origin origin = Origin::current()) const;
  Tensor add(Scalar other, Origin origin = Origin::current()) const;
  Tensor sub(const Tensor& other, Scalar alpha = 1, Origin origin = Origin::current()) const;
  Tensor sub(Scalar other, Origin origin = Origin::current()) const;
  Tensor mul(const Tensor& other, Origin origin = Origin::current()) const;
  Tensor mul(Scalar other, Origin origin = Origin::current()) const;
  Tensor div(const Tensor& other, Origin origin = Origin::current()) const;
  Tensor div(Scalar other, Origin origin = Origin::current()) const;
  Tensor neg(Origin origin = Origin::current()) const;
  Tensor exp(Origin origin = Origin::current()) const;
  Tensor log(Origin origin = Origin::current()) const;
  Tensor sigmoid(Origin origin = Origin::current()) const;
  Tensor relu(Origin origin = Origin::current()) const;
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt, Origin origin = Origin::current()) const;
  Tensor matmul(const Tensor& other, Origin origin = Origin::current()) const;
  Tensor sum(Origin origin = Origin::current()) const;
  Tensor sum(std::int64_t dim, bool keepdim = false, Origin origin = Origin::current()) const;
  Tensor mean(Origin origin = Origin::current()) const;
  Tensor mean(std::int64_t dim, bool keepdim = false, Origin origin = Origin::current()) const;
  Tensor max(Origin origin = Origin::current()) const;
  /// (values, indices) along `dim`, like torch::max(t, dim).
  std::tuple<Tensor, Tensor> max(std::int64_t dim, bool keepdim = false, Origin origin = Origin::current()) const;
  Tensor argmax(Origin origin = Origin::current()) const;
  Tensor argmax(std::int64_t dim, bool keepdim = false, Origin origin = Origin::current()) const;
  Tensor eq(const Tensor& other, Origin origin = Origin::current()) const;
  Tensor eq(Scalar other, Origin origin = Origin::current()) const;

  /// New storage, same values; keeps the strides of a dense input (PyTorch's preserve_format).
  Tensor clone(Origin origin = Origin::current()) const;
  /// This handle when already contiguous, else a contiguous copy.
  Tensor contiguous(Origin origin = Origin::current()) const;
  /// This handle when already on `device` (unless copy), else a copy there.
  Tensor to(Device device, bool copy = false, Origin origin = Origin::current()) const;
  /// This handle when already of `dtype` (unless copy), else a converted copy.
  Tensor to(ScalarType dtype, bool copy = false, Origin origin = Origin::current()) const;
  Tensor cpu(Origin origin = Origin::current()) const { return to(Device::cpu(), false, origin); }

  // --- values ----------------------------------------------------------------------------
  bool equal(const Tensor& other, Origin origin = Origin::current()) const;
  bool allclose(const Tensor& other, double rtol = 1e-05, double atol = 1e-08, Origin origin = Origin::current()) const;
  /// The value of a one-element tensor.
  Scalar item(Origin origin = Origin::current()) const;
  template <class T> T item(Origin origin = Origin::current()) const;
  /// All elements in row-major order, converted to T, copied to the host.
  template <class T> std::vector<T> to_vector(Origin origin = Origin::current()) const;

  // --- gradients (a slot per handle; no autograd) ----------------------------------------
  /// The gradient slot; undefined until set.
  const Tensor& grad() const;
  /// The gradient slot, for assignment (`p.mutable_grad() = g`).
  Tensor& mutable_grad() const;

  /// The handle, for the runtime's own code.
  const std::shared_ptr<detail::TensorImpl>& impl() const { return impl_; }

 private:
  void check_dtype_for_pointer(ScalarType requested) const;
  std::shared_ptr<detail::TensorImpl> impl_;
};

// Out-of-place operators, scalar operands on either side. A Located operand carries the
// user's line (operators cannot take a defaulted Origin).
Tensor operator+(Located<const Tensor&> a, const Tensor& b);
Tensor operator-(Located<const Tensor&> a, const Tensor& b);
Tensor operator*(Located<const Tensor&> a, const Tensor& b);
Tensor operator/(Located<const Tensor&> a, const Tensor& b);
Tensor operator+(Located<const Tensor&> a, Scalar b);
Tensor operator-(Located<const Tensor&> a, Scalar b);
Tensor operator*(Located<const Tensor&> a, Scalar b);
Tensor operator/(Located<const Tensor&> a, Scalar b);
Tensor operator+(Scalar a, Located<const Tensor&> b);
Tensor operator-(Scalar a, Located<const Tensor&> b);
Tensor operator*(Scalar a, Located<const Tensor&> b);
Tensor operator/(Scalar a, Located<const Tensor&> b);
Tensor operator-(Located<const Tensor&> a);

// --- factories -----------------------------------------------------------------------------
/// Uninitialised storage (zero-filled: the runtime never hands out indeterminate bytes).
Tensor empty(const Shape& shape, TensorOptions options = {}, Origin origin = Origin::current());
Tensor zeros(const Shape& shape, TensorOptions options = {}, Origin origin = Origin::current());
Tensor ones(const Shape& shape, TensorOptions options = {}, Origin origin = Origin::current());
Tensor full(const Shape& shape, Scalar value, TensorOptions options = {}, Origin origin = Origin::current());
/// [0, end) step 1; int64 unless options say otherwise.
Tensor arange(Scalar end, std::optional<TensorOptions> options = std::nullopt, Origin origin = Origin::current());
/// [start, end) by step; int64 when all three are integral, else float32, unless options say.
Tensor arange(Scalar start, Scalar end, Scalar step = 1,
              std::optional<TensorOptions> options = std::nullopt, Origin origin = Origin::current());
/// A tensor holding `values` (row-major) with `shape`; dtype follows T unless options say.
Tensor tensor(const std::vector<float>& values, const Shape& shape, std::optional<TensorOptions> options = std::nullopt,
              Origin origin = Origin::current());
Tensor tensor(const std::vector<double>& values, const Shape& shape, std::optional<TensorOptions> options = std::nullopt,
              Origin origin = Origin::current());
Tensor tensor(const std::vector<std::int64_t>& values, const Shape& shape,
              std::optional<TensorOptions> options = std::nullopt, Origin origin = Origin::current());
/// 1-D tensor of float32 values.
Tensor tensor(std::initializer_list<float> values, std::optional<TensorOptions> options = std::nullopt,
              Origin origin = Origin::current());
Tensor rand(const Shape& shape, TensorOptions options = {}, Generator* gen = nullptr, Origin origin = Origin::current());
Tensor randn(const Shape& shape, TensorOptions options = {}, Generator* gen = nullptr, Origin origin = Origin::current());

/// Copies a tensor *and its whole storage*, keeping its view geometry (copy.deepcopy).
Tensor deep_copy(const Tensor& t, Origin origin = Origin::current());
/// Element-wise `a` and `b` both finite-close: |a - b| <= atol + rtol * |b|.
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-05, double atol = 1e-08,
              Origin origin = Origin::current());

/// "[2, 3]": shapes in messages are printed like this.
std::string shape_str(const Shape& shape);

}  // namespace aliasguard
