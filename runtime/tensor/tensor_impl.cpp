#include "tensor_impl.h"

#include <string>

#include "aliasguard/error.h"

namespace aliasguard::detail {

Shape contiguous_strides(const Shape& sizes) {
  Shape strides(sizes.size());
  std::int64_t stride = 1;
  for (std::size_t i = sizes.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= sizes[i] > 0 ? sizes[i] : 1;
  }
  return strides;
}

namespace {
#if AG_CHECKED
tracker::Extent extent_of(const TensorImpl& t) {
  return tracker::extent_of(element_size(t.dtype()), t.offset(), t.sizes().data(), t.strides().data(),
                            static_cast<int>(t.sizes().size()));
}
#endif
}  // namespace

TensorImpl::TensorImpl(std::shared_ptr<StorageImpl> storage, ScalarType dtype, Shape sizes, Shape strides,
                       std::int64_t offset, [[maybe_unused]] Origin created)
    : storage_(std::move(storage)),
      dtype_(dtype),
      sizes_(std::move(sizes)),
      strides_(std::move(strides)),
      offset_(offset)
#if AG_CHECKED
      ,
      tracked_(storage_->tracked(), extent_of(*this), tracker::new_owner(tracker::OwnerKind::User), 0, created)
#endif
{
  refresh();
}

TensorImpl::TensorImpl(const TensorImpl& source, Shape sizes, Shape strides, std::int64_t offset,
                       [[maybe_unused]] Origin created)
    : storage_(source.storage_),
      dtype_(source.dtype_),
      sizes_(std::move(sizes)),
      strides_(std::move(strides)),
      offset_(offset)
#if AG_CHECKED
      ,
      tracked_(source.tracked_, storage_->tracked(), extent_of(*this), created)
#endif
{
  refresh();
  requires_grad = source.requires_grad;
}

void TensorImpl::set_storage(std::shared_ptr<StorageImpl> storage, Shape strides, std::int64_t offset) {
  storage_ = std::move(storage);
  strides_ = std::move(strides);
  offset_ = offset;
  refresh();
#if AG_CHECKED
  tracked_.rebind(storage_->tracked(), extent_of(*this));
#endif
}

void TensorImpl::refresh() {
  numel_ = 1;
  for (std::int64_t s : sizes_) numel_ *= s;
  contiguous_ = true;
  std::int64_t expected = 1;
  for (std::size_t i = sizes_.size(); i-- > 0;) {
    if (sizes_[i] != 1 && strides_[i] != expected) {
      contiguous_ = false;
      break;
    }
    expected *= sizes_[i];
  }
  if (numel_ == 0) contiguous_ = true;
}

StridedView TensorImpl::strided_view() const {
  if (sizes_.size() > static_cast<std::size_t>(kMaxDims)) {
    throw Error("tensors with more than " + std::to_string(kMaxDims) + " dimensions are not supported (got " +
                std::to_string(sizes_.size()) + ")");
  }
  StridedView v;
  v.data = data();
  v.dtype = dtype_;
  v.device = storage_->device().index();
  const int n = static_cast<int>(sizes_.size());
  v.ndim = n;
  // Every slot is written, the unused ones with 0, so that the compiler drops the default
  // zero-fill of the arrays (a `rep stos` that was a quarter of a 64-float add_).
  for (int i = 0; i < kMaxDims; ++i) {
    v.sizes[i] = i < n ? sizes_[static_cast<std::size_t>(i)] : 0;
    v.strides[i] = i < n ? strides_[static_cast<std::size_t>(i)] : 0;
  }
  return v;
}

}  // namespace aliasguard::detail
