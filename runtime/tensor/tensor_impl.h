#pragma once
// Internal: what a Tensor handle points at.

#include <memory>

#include "aliasguard/tensor.h"
#include "backend.h"
#include "storage_impl.h"

namespace aliasguard::detail {

/// Sizes, strides (in elements), offset and dtype over a shared StorageImpl.
class TensorImpl {
 public:
  /// A handle made by a factory, an op or a copy: a new user owner (Note [Owners] in
  /// tracker.h), having observed everything written to `storage` so far.
  TensorImpl(std::shared_ptr<StorageImpl> storage, ScalarType dtype, Shape sizes, Shape strides,
             std::int64_t offset, Origin created = Origin::current());
  /// A view of `source`'s storage: inherits its owner, name and what it has observed.
  TensorImpl(const TensorImpl& source, Shape sizes, Shape strides, std::int64_t offset, Origin created);
  TensorImpl(const TensorImpl&) = delete;
  TensorImpl& operator=(const TensorImpl&) = delete;

  const std::shared_ptr<StorageImpl>& storage() const { return storage_; }
  ScalarType dtype() const { return dtype_; }
  const Shape& sizes() const { return sizes_; }
  const Shape& strides() const { return strides_; }
  std::int64_t offset() const { return offset_; }
  std::int64_t numel() const { return numel_; }
  bool is_contiguous() const { return contiguous_; }
  Device device() const { return storage_->device(); }
  /// Address of element [0, ..., 0].
  char* data() const {
    return static_cast<char*>(storage_->data()) + offset_ * static_cast<std::int64_t>(element_size(dtype_));
  }

  bool requires_grad = false;
  /// The grad() slot; allocated on first mutable access.
  std::unique_ptr<Tensor> grad;

  /// Points this handle at new storage (Module::to moves parameters in place).
  void set_storage(std::shared_ptr<StorageImpl> storage, Shape strides, std::int64_t offset);

  /// The geometry as a kernel argument.
  StridedView strided_view() const;

#if AG_CHECKED
  /// The tracker's record of this handle (checked runtime only).
  tracker::Handle& tracked() const { return tracked_; }
#endif

 private:
  void refresh();

  std::shared_ptr<StorageImpl> storage_;
  ScalarType dtype_;
  Shape sizes_;
  Shape strides_;
  std::int64_t offset_;
  std::int64_t numel_ = 1;
  bool contiguous_ = true;
#if AG_CHECKED
  mutable tracker::Handle tracked_;  // last: its extent is computed from the fields above
#endif
};

/// Row-major strides for `sizes`.
Shape contiguous_strides(const Shape& sizes);

}  // namespace aliasguard::detail
