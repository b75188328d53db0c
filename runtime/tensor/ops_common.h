#pragma once
// Internal: checks and helpers shared by the core ops (views.cpp, ops.cpp, ops_reduce.cpp).

#include <string>

#include "aliasguard/error.h"
#include "aliasguard/tensor.h"
#include "backend.h"
#include "tensor_impl.h"

namespace aliasguard::detail {

/// New contiguous, zero-filled tensor (a new user owner in the checked runtime).
Tensor make_tensor(const Shape& sizes, ScalarType dtype, Device device, Origin created = Origin::current());
/// Like make_tensor, for a caller that writes every element at once (a copy): no zero fill.
Tensor make_tensor_for_copy(const Shape& sizes, ScalarType dtype, Device device, Origin created);
/// New tensor with `t`'s sizes, and its strides when `t` is non-overlapping and dense
/// (PyTorch's preserve_format, used by clone() and to()), row-major otherwise. Not
/// zero-filled: callers copy into every element at once.
Tensor make_tensor_like(const Tensor& t, ScalarType dtype, Device device, Origin created);
/// Throws when several elements of `t` share one memory location (an expanded tensor):
/// writing through it would be ill-defined, and PyTorch refuses it too.
void check_no_internal_overlap(const Tensor& t, const char* op);
/// A new handle on `t`'s storage with the given geometry (owner and requires_grad inherited).
Tensor make_view(const Tensor& t, Origin created, Shape sizes, Shape strides, std::int64_t offset);

/// Wraps a possibly negative dim into [0, ndim); 0-dim tensors accept -1 and 0, as in PyTorch.
std::int64_t wrap_dim(std::int64_t dim, std::int64_t ndim, const char* op);
/// The broadcast of two shapes; throws naming both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
/// Whether `from` broadcasts to exactly `to` (an in-place op's operand, copy_'s source).
/// Allocates nothing: in-place ops and copy_ ask on every call.
bool broadcasts_to(const Shape& from, const Shape& to);
/// `t` seen with `target` sizes: right-aligned, stride 0 on broadcast dims.
StridedView broadcast_view(const TensorImpl& t, const Shape& target);
/// Throws unless both tensors live on one device.
void check_same_device(const Tensor& a, const Tensor& b, const char* op);
void check_defined(const Tensor& t, const char* op);

/// The dtype an op of `a` and `b` computes in (0-dim tensors yield to dimensioned ones of
/// the same category, as in PyTorch).
ScalarType result_type(const Tensor& a, const Tensor& b);
/// The dtype of `t op s` (an integral tensor and a floating scalar give float32).
ScalarType result_type(const Tensor& t, Scalar s);
/// Throws when a result of `from` cannot be written into a tensor of `to` (float into int).
void check_can_cast(ScalarType from, ScalarType to, const char* op);

/// True when both handles cover exactly the same bytes with the same geometry.
bool same_geometry(const TensorImpl& a, const TensorImpl& b);
/// Copies `src` into `dst` (shapes broadcastable to dst, any devices and dtypes). Records no
/// access: callers note the reads and writes that are the user's.
void copy_into(const Tensor& dst, const Tensor& src);

}  // namespace aliasguard::detail
