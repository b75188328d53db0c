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

TensorImpl::TensorImpl(std::shared_ptr<StorageImpl> storage, ScalarType dtype, Shape sizes,
                       Shape strides, std::int64_t offset)
    : storage_(std::move(storage)),
      dtype_(dtype),
      sizes_(std::move(sizes)),
      strides_(std::move(strides)),
      offset_(offset) {
  refresh();
}

void TensorImpl::set_storage(std::shared_ptr<StorageImpl> storage, Shape strides, std::int64_t offset) {
  storage_ = std::move(storage);
  strides_ = std::move(strides);
  offset_ = offset;
  refresh();
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
  v.ndim = static_cast<int>(sizes_.size());
  for (std::size_t i = 0; i < sizes_.size(); ++i) {
    v.sizes[i] = sizes_[i];
    v.strides[i] = strides_[i];
  }
  return v;
}

}  // namespace aliasguard::detail
