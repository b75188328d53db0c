// Shape, dtype and device rules shared by every op, and the one copy routine every
// copy-like op (copy_, clone, to, contiguous) goes through.

#include <algorithm>
#include <string>
#include <vector>

#include "ops_common.h"

namespace aliasguard {

std::string shape_str(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i != 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

namespace detail {

namespace {
Tensor new_tensor(const Shape& sizes, ScalarType dtype, Device device, Origin created, bool zero_fill) {
  std::int64_t numel = 1;
  for (std::int64_t s : sizes) {
    if (s < 0) throw Error("negative dimension in shape " + shape_str(sizes));
    numel *= s;
  }
  if (sizes.size() > static_cast<std::size_t>(kMaxDims)) {
    throw Error("tensors with more than " + std::to_string(kMaxDims) + " dimensions are not supported (shape " +
                shape_str(sizes) + ")");
  }
  auto storage =
      std::make_shared<StorageImpl>(static_cast<std::size_t>(numel) * element_size(dtype), device, zero_fill);
  return Tensor(std::make_shared<TensorImpl>(std::move(storage), dtype, sizes, contiguous_strides(sizes), 0, created));
}
}  // namespace

Tensor make_tensor(const Shape& sizes, ScalarType dtype, Device device, Origin created) {
  return new_tensor(sizes, dtype, device, created, /*zero_fill=*/true);
}

Tensor make_tensor_for_copy(const Shape& sizes, ScalarType dtype, Device device, Origin created) {
  return new_tensor(sizes, dtype, device, created, /*zero_fill=*/false);
}

namespace {
bool non_overlapping_and_dense(const TensorImpl& t) {
  // Dims by increasing stride; make_tensor and make_view keep ndim <= kMaxDims.
  std::size_t order[kMaxDims];
  const std::size_t n = std::min(t.sizes().size(), static_cast<std::size_t>(kMaxDims));
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order, order + n, [&](std::size_t a, std::size_t b) { return t.strides()[a] < t.strides()[b]; });
  std::int64_t expected = 1;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t d = order[i];
    if (t.sizes()[d] == 1) continue;
    if (t.strides()[d] != expected) return false;
    expected *= t.sizes()[d];
  }
  return true;
}
}  // namespace

Tensor make_tensor_like(const Tensor& t, ScalarType dtype, Device device, Origin created) {
  const TensorImpl& src = *t.impl();
  if (src.is_contiguous() || !non_overlapping_and_dense(src)) {
    return make_tensor_for_copy(src.sizes(), dtype, device, created);
  }
  // Dense: every byte of the new storage is an element the copy writes.
  auto storage =
      std::make_shared<StorageImpl>(static_cast<std::size_t>(src.numel()) * element_size(dtype), device, false);
  return Tensor(std::make_shared<TensorImpl>(std::move(storage), dtype, src.sizes(), src.strides(), 0, created));
}

void check_no_internal_overlap(const Tensor& t, const char* op) {
  const TensorImpl& impl = *t.impl();
  for (std::size_t d = 0; d < impl.sizes().size(); ++d) {
    if (impl.strides()[d] == 0 && impl.sizes()[d] > 1) {
      throw Error(std::string(op) + ": unsupported operation: more than one element of the written-to tensor (shape " +
                  shape_str(impl.sizes()) + ", stride " + shape_str(impl.strides()) +
                  ") refers to a single memory location; clone() the tensor before writing to it");
    }
  }
}

Tensor make_view(const Tensor& t, Origin created, Shape sizes, Shape strides, std::int64_t offset) {
  return Tensor(std::make_shared<TensorImpl>(*t.impl(), std::move(sizes), std::move(strides), offset, created));
}

void check_defined(const Tensor& t, const char* op) {
  if (!t.defined()) throw Error(std::string(op) + "(): called on an undefined tensor");
}

std::int64_t wrap_dim(std::int64_t dim, std::int64_t ndim, const char* op) {
  const std::int64_t n = ndim == 0 ? 1 : ndim;
  if (dim < -n || dim >= n) {
    throw Error(std::string(op) + "(): dimension out of range (expected to be in range of [" + std::to_string(-n) +
                ", " + std::to_string(n - 1) + "], but got " + std::to_string(dim) + ")");
  }
  return dim < 0 ? dim + n : dim;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const std::size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const std::int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1) {
      throw Error(std::string(op) + ": the size of tensor a (" + std::to_string(da) +
                  ") must match the size of tensor b (" + std::to_string(db) + ") at non-singleton dimension " +
                  std::to_string(i) + "; shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const std::size_t shift = to.size() - from.size();
  for (std::size_t i = 0; i < from.size(); ++i) {
    if (from[i] != to[i + shift] && from[i] != 1) return false;
  }
  return true;
}

StridedView broadcast_view(const TensorImpl& t, const Shape& target) {
  if (t.sizes() == target) return t.strided_view();  // nothing to broadcast
  StridedView v = t.strided_view();
  const int nd = static_cast<int>(target.size());
  const int shift = nd - v.ndim;
  StridedView out = v;
  out.ndim = nd;
  for (int i = nd - 1; i >= 0; --i) {
    const int src = i - shift;
    out.sizes[i] = target[i];
    out.strides[i] = (src < 0 || v.sizes[src] != target[i]) ? 0 : v.strides[src];
  }
  return out;
}

void check_same_device(const Tensor& a, const Tensor& b, const char* op) {
  if (a.device() != b.device()) {
    throw Error(std::string(op) + ": expected all tensors to be on the same device, but found at least two devices, " +
                a.device().str() + " and " + b.device().str());
  }
}

namespace {
enum class Category { Bool, Integral, Floating };
Category category(ScalarType t) {
  if (t == kBool) return Category::Bool;
  return is_floating(t) ? Category::Floating : Category::Integral;
}
}  // namespace

ScalarType result_type(const Tensor& a, const Tensor& b) {
  // A 0-dim tensor only decides the dtype when it is of a higher category (PyTorch's rule).
  const bool a0 = a.dim() == 0;
  const bool b0 = b.dim() == 0;
  if (a0 != b0) {
    const Tensor& dimensioned = a0 ? b : a;
    const Tensor& zero_dim = a0 ? a : b;
    if (category(zero_dim.dtype()) <= category(dimensioned.dtype())) return dimensioned.dtype();
    if (category(zero_dim.dtype()) == Category::Floating) return zero_dim.dtype();
  }
  return promote_types(a.dtype(), b.dtype());
}

ScalarType result_type(const Tensor& t, Scalar s) {
  if (is_floating(t.dtype())) return t.dtype();
  if (!s.is_integral()) return kFloat32;  // PyTorch's default dtype
  return t.dtype() == kBool ? kInt64 : t.dtype();
}

void check_can_cast(ScalarType from, ScalarType to, const char* op) {
  if (category(from) > category(to)) {
    throw Error(std::string(op) + ": result type " + dtype_name(from) + " can't be cast to the desired output type " +
                dtype_name(to));
  }
}

bool same_geometry(const TensorImpl& a, const TensorImpl& b) {
  return a.storage() == b.storage() && a.offset() == b.offset() && a.dtype() == b.dtype() && a.sizes() == b.sizes() &&
         a.strides() == b.strides();
}

namespace {

/// `src` brought to the host as a contiguous tensor of `dtype`.
Tensor host_contiguous(const Tensor& src, ScalarType dtype) {
  Tensor out = make_tensor_for_copy(src.sizes(), dtype, Device::cpu(), Origin::current());
  if (src.device().is_cpu()) {
    cpu_backend().copy(out.impl()->strided_view(), src.impl()->strided_view());
    return out;
  }
  // Make it contiguous and of the right dtype on its own device first, then one transfer.
  Tensor staged = src;
  if (!src.is_contiguous() || src.dtype() != dtype) {
    staged = make_tensor_for_copy(src.sizes(), dtype, src.device(), Origin::current());
    backend_for(src.device()).copy(staged.impl()->strided_view(), src.impl()->strided_view());
  }
  const std::size_t nbytes = static_cast<std::size_t>(src.numel()) * element_size(dtype);
  if (nbytes != 0) {
    backend_for(src.device())
        .copy_bytes(out.impl()->data(), staged.impl()->data(), nbytes, CopyKind::DeviceToHost, src.device().index());
  }
  return out;
}

}  // namespace

void copy_into(const Tensor& dst, const Tensor& src) {
  check_defined(dst, "copy_");
  check_defined(src, "copy_");
  const TensorImpl& d = *dst.impl();
  const TensorImpl& s = *src.impl();
  if (!broadcasts_to(s.sizes(), d.sizes())) {
    broadcast_shapes(d.sizes(), s.sizes(), "copy_");  // throws when the shapes do not broadcast at all
    throw Error("copy_: source of shape " + shape_str(s.sizes()) + " cannot be broadcast to destination of shape " +
                shape_str(d.sizes()));
  }
  if (d.numel() == 0) return;
  check_no_internal_overlap(dst, "copy_");
  if (same_geometry(d, s)) return;  // a full self-copy changes nothing
  if (d.device() == s.device()) {
    // A partial overlap would read bytes the copy already wrote; stage the source first.
    const Tensor source = d.storage() == s.storage() ? src.clone() : src;
    backend_for(d.device()).copy(d.strided_view(), broadcast_view(*source.impl(), d.sizes()));
    return;
  }
  if (d.device().is_cuda() && s.device().is_cuda()) {
    copy_into(dst, src.to(Device::cpu()));  // between two GPUs, through the host
    return;
  }
  if (s.device().is_cuda()) {  // device to host
    Tensor host = host_contiguous(src, s.dtype());
    cpu_backend().copy(d.strided_view(), broadcast_view(*host.impl(), d.sizes()));
    return;
  }
  // host to device: expand and convert on the host, one transfer, then lay out on the device
  Tensor host = make_tensor_for_copy(d.sizes(), d.dtype(), Device::cpu(), Origin::current());
  cpu_backend().copy(host.impl()->strided_view(), broadcast_view(s, d.sizes()));
  Backend& backend = backend_for(d.device());
  const std::size_t nbytes = static_cast<std::size_t>(d.numel()) * element_size(d.dtype());
  if (d.is_contiguous()) {
    backend.copy_bytes(d.data(), host.impl()->data(), nbytes, CopyKind::HostToDevice, d.device().index());
    backend.synchronize(d.device().index());  // `host` is freed when we return
    return;
  }
  Tensor staged = make_tensor_for_copy(d.sizes(), d.dtype(), d.device(), Origin::current());
  backend.copy_bytes(staged.impl()->data(), host.impl()->data(), nbytes, CopyKind::HostToDevice, d.device().index());
  backend.copy(d.strided_view(), staged.impl()->strided_view());
  backend.synchronize(d.device().index());
}

}  // namespace detail
}  // namespace aliasguard
