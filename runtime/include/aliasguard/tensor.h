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
  Tensor& operator=(const Tensor& src) &&;
  /// On a temporary (`t[0] = 1.5`) fills, as LibTorch does.
  Tensor& operator=(Scalar value) &&;

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
  const void* const_data_ptr() const;
  /// Pointer to element [0, ..., 0] for writing (the checked runtime counts this as a write).
  void* mutable_data_ptr() const;
  template <class T> const T* const_data_ptr() const {
    check_dtype_for_pointer(CppTypeToScalarType<T>::value);
    return static_cast<const T*>(const_data_ptr());
  }
  template <class T> T* mutable_data_ptr() const {
    check_dtype_for_pointer(CppTypeToScalarType<T>::value);
    return static_cast<T*>(mutable_data_ptr());
  }

  // --- views: a new handle on the same storage -------------------------------------------
  Tensor view(const Shape& shape) const;
  /// A view when the strides allow it, otherwise a contiguous copy (as in PyTorch).
  Tensor reshape(const Shape& shape) const;
  Tensor slice(std::int64_t dim, std::optional<std::int64_t> start = std::nullopt,
               std::optional<std::int64_t> end = std::nullopt, std::int64_t step = 1) const;
  Tensor narrow(std::int64_t dim, std::int64_t start, std::int64_t length) const;
  Tensor select(std::int64_t dim, std::int64_t index) const;
  Tensor operator[](std::int64_t index) const { return select(0, index); }
  Tensor transpose(std::int64_t dim0, std::int64_t dim1) const;
  Tensor t() const;
  Tensor permute(const Shape& dims) const;
  Tensor expand(const Shape& shape) const;
  Tensor squeeze() const;
  Tensor squeeze(std::int64_t dim) const;
  Tensor unsqueeze(std::int64_t dim) const;
  Tensor flatten(std::int64_t start_dim = 0, std::int64_t end_dim = -1) const;
  /// A new handle on the same storage with requires_grad off.
  Tensor detach() const;
  /// Like detach(): LibTorch's `variable_data()`; PyTorch's `.data`.
  Tensor data() const;

  // --- in place: write through this handle ------------------------------------------------
  const Tensor& add_(const Tensor& other, Scalar alpha = 1) const;
  const Tensor& add_(Scalar other) const;
  const Tensor& sub_(const Tensor& other, Scalar alpha = 1) const;
  const Tensor& sub_(Scalar other) const;
  const Tensor& mul_(const Tensor& other) const;
  const Tensor& mul_(Scalar other) const;
  const Tensor& div_(const Tensor& other) const;
  const Tensor& div_(Scalar other) const;
  const Tensor& fill_(Scalar value) const;
  const Tensor& zero_() const;
  /// Copies `src` (broadcast, any device, any dtype) into this tensor's bytes.
  const Tensor& copy_(const Tensor& src) const;
  const Tensor& clamp_(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  const Tensor& uniform_(double from = 0.0, double to = 1.0, Generator* gen = nullptr) const;
  const Tensor& normal_(double mean = 0.0, double std = 1.0, Generator* gen = nullptr) const;
  const Tensor& operator+=(const Tensor& other) const { return add_(other); }
  const Tensor& operator+=(Scalar other) const { return add_(other); }
  const Tensor& operator-=(const Tensor& other) const { return sub_(other); }
  const Tensor& operator-=(Scalar other) const { return sub_(other); }
  const Tensor& operator*=(const Tensor& other) const { return mul_(other); }
  const Tensor& operator*=(Scalar other) const { return mul_(other); }
  const Tensor& operator/=(const Tensor& other) const { return div_(other); }
  const Tensor& operator/=(Scalar other) const { return div_(other); }

  // --- out of place: a new tensor with new storage ---------------------------------------
  Tensor add(const Tensor& other, Scalar alpha = 1) const;
  Tensor add(Scalar other) const;
  Tensor sub(const Tensor& other, Scalar alpha = 1) const;
  Tensor sub(Scalar other) const;
  Tensor mul(const Tensor& other) const;
  Tensor mul(Scalar other) const;
  Tensor div(const Tensor& other) const;
  Tensor div(Scalar other) const;
  Tensor neg() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  Tensor matmul(const Tensor& other) const;
  Tensor sum() const;
  Tensor sum(std::int64_t dim, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(std::int64_t dim, bool keepdim = false) const;
  Tensor max() const;
  /// (values, indices) along `dim`, like torch::max(t, dim).
  std::tuple<Tensor, Tensor> max(std::int64_t dim, bool keepdim = false) const;
  Tensor argmax() const;
  Tensor argmax(std::int64_t dim, bool keepdim = false) const;
  Tensor eq(const Tensor& other) const;
  Tensor eq(Scalar other) const;

  /// New storage, same values; keeps the strides of a dense input (PyTorch's preserve_format).
  Tensor clone() const;
  /// This handle when already contiguous, else a contiguous copy.
  Tensor contiguous() const;
  /// This handle when already on `device` (unless copy), else a copy there.
  Tensor to(Device device, bool copy = false) const;
  /// This handle when already of `dtype` (unless copy), else a converted copy.
  Tensor to(ScalarType dtype, bool copy = false) const;
  Tensor cpu() const { return to(Device::cpu()); }

  // --- values ----------------------------------------------------------------------------
  bool equal(const Tensor& other) const;
  bool allclose(const Tensor& other, double rtol = 1e-05, double atol = 1e-08) const;
  /// The value of a one-element tensor.
  Scalar item() const;
  template <class T> T item() const;
  /// All elements in row-major order, converted to T, copied to the host.
  template <class T> std::vector<T> to_vector() const;

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

// Out-of-place operators, scalar operands on either side.
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, Scalar b);
Tensor operator-(const Tensor& a, Scalar b);
Tensor operator*(const Tensor& a, Scalar b);
Tensor operator/(const Tensor& a, Scalar b);
Tensor operator+(Scalar a, const Tensor& b);
Tensor operator-(Scalar a, const Tensor& b);
Tensor operator*(Scalar a, const Tensor& b);
Tensor operator/(Scalar a, const Tensor& b);
Tensor operator-(const Tensor& a);

// --- factories -----------------------------------------------------------------------------
/// Uninitialised storage (zero-filled: the runtime never hands out indeterminate bytes).
Tensor empty(const Shape& shape, TensorOptions options = {});
Tensor zeros(const Shape& shape, TensorOptions options = {});
Tensor ones(const Shape& shape, TensorOptions options = {});
Tensor full(const Shape& shape, Scalar value, TensorOptions options = {});
/// [0, end) step 1; int64 unless options say otherwise.
Tensor arange(Scalar end, std::optional<TensorOptions> options = std::nullopt);
/// [start, end) by step; int64 when all three are integral, else float32, unless options say.
Tensor arange(Scalar start, Scalar end, Scalar step = 1,
              std::optional<TensorOptions> options = std::nullopt);
/// A tensor holding `values` (row-major) with `shape`; dtype follows T unless options say.
Tensor tensor(const std::vector<float>& values, const Shape& shape, std::optional<TensorOptions> options = std::nullopt);
Tensor tensor(const std::vector<double>& values, const Shape& shape, std::optional<TensorOptions> options = std::nullopt);
Tensor tensor(const std::vector<std::int64_t>& values, const Shape& shape, std::optional<TensorOptions> options = std::nullopt);
/// 1-D tensor of float32 values.
Tensor tensor(std::initializer_list<float> values, std::optional<TensorOptions> options = std::nullopt);
Tensor rand(const Shape& shape, TensorOptions options = {}, Generator* gen = nullptr);
Tensor randn(const Shape& shape, TensorOptions options = {}, Generator* gen = nullptr);

/// Copies a tensor *and its whole storage*, keeping its view geometry (copy.deepcopy).
Tensor deep_copy(const Tensor& t);
/// Element-wise `a` and `b` both finite-close: |a - b| <= atol + rtol * |b|.
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-05, double atol = 1e-08);

/// "[2, 3]": shapes in messages are printed like this.
std::string shape_str(const Shape& shape);

}  // namespace aliasguard
