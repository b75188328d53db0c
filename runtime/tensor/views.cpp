// View ops: each returns a new handle on the same storage. See Note [Handles and storage].

#include <algorithm>
#include <optional>
#include <string>

#include "ops_common.h"
#include "tracking.h"

namespace aliasguard {

using detail::make_view;
using detail::wrap_dim;

namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

/// Resolves a single -1 in `shape` against `numel`; throws on a shape that cannot hold it.
Shape infer_size(const Shape& shape, std::int64_t numel, const char* op) {
  Shape out = shape;
  std::optional<std::size_t> infer;
  std::int64_t known = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer) throw Error(std::string(op) + ": only one dimension can be inferred in shape " + shape_str(shape));
      infer = i;
    } else if (shape[i] < 0) {
      throw Error(std::string(op) + ": invalid shape dimension " + num(shape[i]) + " in " + shape_str(shape));
    } else {
      known *= shape[i];
    }
  }
  if (infer) {
    if (known == 0 || numel % known != 0) {
      throw Error(std::string(op) + ": shape " + shape_str(shape) + " is invalid for input of size " + num(numel));
    }
    out[*infer] = numel / known;
  } else if (known != numel) {
    throw Error(std::string(op) + ": shape " + shape_str(shape) + " is invalid for input of size " + num(numel));
  }
  return out;
}

// Note [When a view is possible]
// view() keeps the storage, so the new shape must be expressible with strides over the old
// layout. Walk the old dims from the innermost outwards, grouping runs of dims that are
// contiguous with each other ("chunks"); each chunk must be split exactly by a run of new
// dims. This is the rule PyTorch applies, so view() fails and reshape() copies exactly when
// PyTorch's do.
std::optional<Shape> view_strides(const Shape& old_sizes, const Shape& old_strides, const Shape& new_sizes) {
  std::int64_t numel = 1;
  for (std::int64_t s : old_sizes) numel *= s;
  if (numel == 0) return detail::contiguous_strides(new_sizes);
  Shape sizes = old_sizes.empty() ? Shape{1} : old_sizes;
  Shape strides = old_strides.empty() ? Shape{1} : old_strides;
  Shape out(new_sizes.size());
  std::int64_t view_d = static_cast<std::int64_t>(new_sizes.size()) - 1;
  std::int64_t chunk_base_stride = strides.back();
  std::int64_t tensor_numel = 1;
  std::int64_t view_numel = 1;
  for (std::int64_t d = static_cast<std::int64_t>(sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= sizes[d];
    const bool chunk_ends = d == 0 || (sizes[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_base_stride);
    if (!chunk_ends) continue;
    while (view_d >= 0 && (view_numel < tensor_numel || new_sizes[view_d] == 1)) {
      out[view_d] = view_numel * chunk_base_stride;
      view_numel *= new_sizes[view_d];
      --view_d;
    }
    if (view_numel != tensor_numel) return std::nullopt;
    if (d > 0) {
      chunk_base_stride = strides[d - 1];
      tensor_numel = 1;
      view_numel = 1;
    }
  }
  if (view_d != -1) return std::nullopt;
  return out;
}

}  // namespace

Tensor Tensor::view(const Shape& shape, Origin origin) const {
  detail::check_defined(*this, "view");
  Shape sizes = infer_size(shape, numel(), "view");
  auto strides = view_strides(this->sizes(), this->strides(), sizes);
  if (!strides) {
    throw Error("view size " + shape_str(sizes) + " is not compatible with input tensor's size " +
                shape_str(this->sizes()) + " and stride " + shape_str(this->strides()) +
                " (at least one dimension spans across two contiguous subspaces); use reshape() instead");
  }
  return make_view(*this, origin, std::move(sizes), std::move(*strides), storage_offset());
}

Tensor Tensor::reshape(const Shape& shape, Origin origin) const {
  detail::check_defined(*this, "reshape");
  Shape sizes = infer_size(shape, numel(), "reshape");
  if (auto strides = view_strides(this->sizes(), this->strides(), sizes)) {
    return make_view(*this, origin, std::move(sizes), std::move(*strides), storage_offset());
  }
  return contiguous(origin).view(sizes, origin);  // a row-major copy always has view strides
}

Tensor Tensor::slice(std::int64_t dim, std::optional<std::int64_t> start, std::optional<std::int64_t> end,
                     std::int64_t step, Origin origin) const {
  detail::check_defined(*this, "slice");
  if (this->dim() == 0) throw Error("slice() cannot be applied to a 0-dim tensor");
  const std::int64_t d = wrap_dim(dim, this->dim(), "slice");
  if (step <= 0) throw Error("slice step must be positive, got " + num(step));
  const std::int64_t n = size(d);
  auto clamp_index = [n](std::int64_t i) {
    if (i < 0) i += n;
    return std::clamp<std::int64_t>(i, 0, n);
  };
  const std::int64_t s = clamp_index(start.value_or(0));
  const std::int64_t e = std::max(s, clamp_index(end.value_or(n)));
  Shape sizes = this->sizes();
  Shape strides = this->strides();
  sizes[d] = (e - s + step - 1) / step;
  const std::int64_t offset = storage_offset() + s * strides[d];
  strides[d] *= step;
  return make_view(*this, origin, std::move(sizes), std::move(strides), offset);
}

Tensor Tensor::narrow(std::int64_t dim, std::int64_t start, std::int64_t length, Origin origin) const {
  detail::check_defined(*this, "narrow");
  if (this->dim() == 0) throw Error("narrow() cannot be applied to a 0-dim tensor");
  const std::int64_t d = wrap_dim(dim, this->dim(), "narrow");
  const std::int64_t n = size(d);
  if (start < -n || start > n) {
    throw Error("narrow(): start " + num(start) + " out of range [" + num(-n) + ", " + num(n) + "] for dimension " +
                num(d) + " of size " + num(n));
  }
  if (start < 0) start += n;
  if (length < 0 || start + length > n) {
    throw Error("narrow(): start (" + num(start) + ") + length (" + num(length) + ") exceeds dimension size (" +
                num(n) + ")");
  }
  return slice(d, start, start + length, 1, origin);
}

Tensor Tensor::select(std::int64_t dim, std::int64_t index, Origin origin) const {
  detail::check_defined(*this, "select");
  if (this->dim() == 0) throw Error("select() cannot be applied to a 0-dim tensor");
  const std::int64_t d = wrap_dim(dim, this->dim(), "select");
  const std::int64_t n = size(d);
  if (index < -n || index >= n) {
    throw Error("select(): index " + num(index) + " out of range for tensor of size " + shape_str(sizes()) +
                " at dimension " + num(d));
  }
  if (index < 0) index += n;
  Shape sizes = this->sizes();
  Shape strides = this->strides();
  const std::int64_t offset = storage_offset() + index * strides[d];
  sizes.erase(sizes.begin() + d);
  strides.erase(strides.begin() + d);
  return make_view(*this, origin, std::move(sizes), std::move(strides), offset);
}

Tensor Tensor::transpose(std::int64_t dim0, std::int64_t dim1, Origin origin) const {
  detail::check_defined(*this, "transpose");
  const std::int64_t a = wrap_dim(dim0, this->dim(), "transpose");
  const std::int64_t b = wrap_dim(dim1, this->dim(), "transpose");
  Shape sizes = this->sizes();
  Shape strides = this->strides();
  if (this->dim() > 0) {
    std::swap(sizes[a], sizes[b]);
    std::swap(strides[a], strides[b]);
  }
  return make_view(*this, origin, std::move(sizes), std::move(strides), storage_offset());
}

Tensor Tensor::t(Origin origin) const {
  detail::check_defined(*this, "t");
  if (dim() > 2) throw Error("t() expects a tensor with <= 2 dimensions, but self is " + num(dim()) + "D");
  return dim() < 2 ? transpose(0, 0, origin) : transpose(0, 1, origin);
}

Tensor Tensor::permute(const Shape& dims, Origin origin) const {
  detail::check_defined(*this, "permute");
  if (static_cast<std::int64_t>(dims.size()) != dim()) {
    throw Error("permute(): number of dims in " + shape_str(dims) + " doesn't match the tensor's " + num(dim()) +
                " dims");
  }
  Shape sizes(dims.size());
  Shape strides(dims.size());
  std::vector<bool> seen(dims.size(), false);
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const std::int64_t d = wrap_dim(dims[i], dim(), "permute");
    if (seen[d]) throw Error("permute(): dim " + num(d) + " repeats in " + shape_str(dims));
    seen[d] = true;
    sizes[i] = size(d);
    strides[i] = stride(d);
  }
  return make_view(*this, origin, std::move(sizes), std::move(strides), storage_offset());
}

Tensor Tensor::expand(const Shape& shape, Origin origin) const {
  detail::check_defined(*this, "expand");
  const std::int64_t nd = static_cast<std::int64_t>(shape.size());
  if (nd < dim()) {
    throw Error("expand(): the number of sizes provided (" + num(nd) +
                ") must be greater or equal to the number of dimensions in the tensor (" + num(dim()) + ")");
  }
  Shape sizes(shape.size());
  Shape strides(shape.size());
  for (std::int64_t i = nd - 1; i >= 0; --i) {
    const std::int64_t src = i - (nd - dim());
    const std::int64_t target = shape[i];
    if (src < 0) {
      if (target < 0) throw Error("expand(): the expanded size " + num(target) + " is not allowed in a leading, non-existing dimension " + num(i));
      sizes[i] = target;
      strides[i] = 0;
      continue;
    }
    const std::int64_t have = size(src);
    if (target == -1 || target == have) {
      sizes[i] = have;
      strides[i] = stride(src);
    } else if (have == 1) {
      sizes[i] = target;
      strides[i] = 0;
    } else {
      throw Error("The expanded size of the tensor (" + num(target) + ") must match the existing size (" + num(have) +
                  ") at non-singleton dimension " + num(i) + ".  Target sizes: " + shape_str(shape) +
                  ".  Tensor sizes: " + shape_str(this->sizes()));
    }
  }
  return make_view(*this, origin, std::move(sizes), std::move(strides), storage_offset());
}

Tensor Tensor::squeeze(Origin origin) const {
  detail::check_defined(*this, "squeeze");
  Shape sizes;
  Shape strides;
  for (std::int64_t d = 0; d < dim(); ++d) {
    if (size(d) != 1) {
      sizes.push_back(size(d));
      strides.push_back(stride(d));
    }
  }
  return make_view(*this, origin, std::move(sizes), std::move(strides), storage_offset());
}

Tensor Tensor::squeeze(std::int64_t dim, Origin origin) const {
  detail::check_defined(*this, "squeeze");
  Shape sizes = this->sizes();
  Shape strides = this->strides();
  if (this->dim() > 0) {
    const std::int64_t d = wrap_dim(dim, this->dim(), "squeeze");
    if (sizes[d] == 1) {
      sizes.erase(sizes.begin() + d);
      strides.erase(strides.begin() + d);
    }
  } else {
    wrap_dim(dim, 0, "squeeze");
  }
  return make_view(*this, origin, std::move(sizes), std::move(strides), storage_offset());
}

Tensor Tensor::unsqueeze(std::int64_t dim, Origin origin) const {
  detail::check_defined(*this, "unsqueeze");
  const std::int64_t d = wrap_dim(dim, this->dim() + 1, "unsqueeze");
  Shape sizes = this->sizes();
  Shape strides = this->strides();
  const std::int64_t new_stride = d >= this->dim() ? 1 : sizes[d] * strides[d];
  sizes.insert(sizes.begin() + d, 1);
  strides.insert(strides.begin() + d, new_stride);
  return make_view(*this, origin, std::move(sizes), std::move(strides), storage_offset());
}

Tensor Tensor::flatten(std::int64_t start_dim, std::int64_t end_dim, Origin origin) const {
  detail::check_defined(*this, "flatten");
  if (dim() == 0) return reshape({1}, origin);
  const std::int64_t s = wrap_dim(start_dim, dim(), "flatten");
  const std::int64_t e = wrap_dim(end_dim, dim(), "flatten");
  if (s > e) throw Error("flatten() has invalid args: start_dim (" + num(s) + ") cannot come after end_dim (" + num(e) + ")");
  if (s == e) return *this;  // PyTorch returns the input itself here
  Shape sizes(this->sizes().begin(), this->sizes().begin() + s);
  std::int64_t merged = 1;
  for (std::int64_t d = s; d <= e; ++d) merged *= size(d);
  sizes.push_back(merged);
  sizes.insert(sizes.end(), this->sizes().begin() + e + 1, this->sizes().end());
  return reshape(sizes, origin);
}

Tensor Tensor::detach(Origin origin) const {
  detail::check_defined(*this, "detach");
  Tensor out = make_view(*this, origin, sizes(), strides(), storage_offset());
  out.impl()->requires_grad = false;
  detail::mark_detached(*out.impl());
  return out;
}

Tensor Tensor::data(Origin origin) const { return detach(origin); }

}  // namespace aliasguard
