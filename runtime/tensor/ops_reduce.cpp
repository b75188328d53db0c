// Reductions and matrix products.

#include <string>

#include "ops_common.h"
#include "tracking.h"

namespace aliasguard {

using detail::ReduceOp;
using detail::StridedView;

namespace {

/// The dtype the kernel reads: sums of bools count in int64, as in PyTorch.
Tensor reduction_input(const Tensor& t, ReduceOp op, const char* name, Origin origin) {
  detail::check_defined(t, name);
  detail::note_read(*t.impl(), origin);
  switch (op) {
    case ReduceOp::Sum:
      return t.dtype() == kBool ? t.to(kInt64, false, origin) : t;
    case ReduceOp::Mean:
      if (!is_floating(t.dtype())) {
        throw Error(std::string(name) + "(): could not infer output dtype. Input dtype must be either a floating point "
                    "type, got " + dtype_name(t.dtype()) + "; convert with to(kFloat32) first");
      }
      return t;
    case ReduceOp::Max:
    case ReduceOp::ArgMax:
      if (t.dtype() == kBool) throw Error(std::string(name) + "(): not supported for bool tensors");
      return t;
  }
  return t;
}

ScalarType reduction_output(ReduceOp op, ScalarType in) { return op == ReduceOp::ArgMax ? kInt64 : in; }

bool needs_elements(ReduceOp op) { return op == ReduceOp::Max || op == ReduceOp::ArgMax; }

Tensor reduce_all(ReduceOp op, const Tensor& t, const char* name, Origin origin) {
  const Tensor in = reduction_input(t, op, name, origin).contiguous(origin);
  if (needs_elements(op) && in.numel() == 0) {
    throw Error(std::string(name) + "(): expected a non-empty tensor (shape " + shape_str(t.sizes()) +
                "); specify the reduction dim with the 'dim' argument");
  }
  Tensor out = detail::make_tensor({}, reduction_output(op, in.dtype()), in.device(), origin);
  StridedView v = in.impl()->strided_view();
  v.ndim = 1;
  v.sizes[0] = in.numel();
  v.strides[0] = 1;
  detail::backend_for(in.device()).reduce(op, out.impl()->strided_view(), v);
  return out;
}

Tensor reduce_dim(ReduceOp op, const Tensor& t, std::int64_t dim, bool keepdim, const char* name, Origin origin) {
  const Tensor in = reduction_input(t, op, name, origin);
  if (in.dim() == 0) {
    detail::wrap_dim(dim, 0, name);
    return reduce_all(op, in, name, origin);
  }
  const std::int64_t d = detail::wrap_dim(dim, in.dim(), name);
  if (needs_elements(op) && in.size(d) == 0) {
    throw Error(std::string(name) + "(): expected reduction dim " + std::to_string(d) +
                " to have non-zero size (shape " + shape_str(in.sizes()) + ")");
  }
  Shape out_shape = in.sizes();
  out_shape.erase(out_shape.begin() + d);
  Tensor out = detail::make_tensor(out_shape, reduction_output(op, in.dtype()), in.device(), origin);
  if (out.numel() != 0) {
    // Move the reduced dim last: the kernel reduces the innermost dim of its input.
    const StridedView src = in.impl()->strided_view();
    StridedView v = src;
    int k = 0;
    for (int i = 0; i < src.ndim; ++i) {
      if (i == d) continue;
      v.sizes[k] = src.sizes[i];
      v.strides[k] = src.strides[i];
      ++k;
    }
    v.sizes[k] = src.sizes[d];
    v.strides[k] = src.strides[d];
    detail::backend_for(in.device()).reduce(op, out.impl()->strided_view(), v);
  }
  return keepdim ? out.unsqueeze(d, origin) : out;
}

StridedView matrix_view(const Tensor& t, std::int64_t byte_offset, std::int64_t rows, std::int64_t cols,
                        std::int64_t row_stride, std::int64_t col_stride) {
  StridedView v = t.impl()->strided_view();
  v.data = static_cast<char*>(v.data) + byte_offset;
  v.ndim = 2;
  v.sizes[0] = rows;
  v.sizes[1] = cols;
  v.strides[0] = row_stride;
  v.strides[1] = col_stride;
  return v;
}

}  // namespace

Tensor Tensor::sum(Origin origin) const { return reduce_all(ReduceOp::Sum, *this, "sum", origin); }
Tensor Tensor::sum(std::int64_t dim, bool keepdim, Origin origin) const {
  return reduce_dim(ReduceOp::Sum, *this, dim, keepdim, "sum", origin);
}
Tensor Tensor::mean(Origin origin) const { return reduce_all(ReduceOp::Mean, *this, "mean", origin); }
Tensor Tensor::mean(std::int64_t dim, bool keepdim, Origin origin) const {
  return reduce_dim(ReduceOp::Mean, *this, dim, keepdim, "mean", origin);
}
Tensor Tensor::max(Origin origin) const { return reduce_all(ReduceOp::Max, *this, "max", origin); }
std::tuple<Tensor, Tensor> Tensor::max(std::int64_t dim, bool keepdim, Origin origin) const {
  return {reduce_dim(ReduceOp::Max, *this, dim, keepdim, "max", origin),
          reduce_dim(ReduceOp::ArgMax, *this, dim, keepdim, "max", origin)};
}
Tensor Tensor::argmax(Origin origin) const { return reduce_all(ReduceOp::ArgMax, *this, "argmax", origin); }
Tensor Tensor::argmax(std::int64_t dim, bool keepdim, Origin origin) const {
  return reduce_dim(ReduceOp::ArgMax, *this, dim, keepdim, "argmax", origin);
}

Tensor Tensor::matmul(const Tensor& other, Origin origin) const {
  detail::check_defined(*this, "matmul");
  detail::check_defined(other, "matmul");
  detail::check_same_device(*this, other, "matmul");
  detail::note_read(*impl_, origin);
  detail::note_read(*other.impl_, origin);
  if (dim() == 0 || other.dim() == 0) {
    throw Error("both arguments to matmul need to be at least 1D, but they are " + std::to_string(dim()) + "D and " +
                std::to_string(other.dim()) + "D");
  }
  if (dtype() != other.dtype()) {
    throw Error(std::string("matmul: expected both operands to have the same dtype, but got ") + dtype_name(dtype()) +
                " and " + dtype_name(other.dtype()));
  }
  if (!is_floating(dtype())) {
    throw Error(std::string("matmul: supports float32 and float64, got ") + dtype_name(dtype()));
  }
  // Promote vectors to matrices, broadcast the batch dims, multiply each matrix, drop the
  // dims that were added: the same rules as torch.matmul.
  const Tensor a = dim() == 1 ? unsqueeze(0, origin) : *this;
  const Tensor b = other.dim() == 1 ? other.unsqueeze(1, origin) : other;
  const std::int64_t m = a.size(-2), k = a.size(-1), k2 = b.size(-2), n = b.size(-1);
  if (k != k2) {
    throw Error("matmul: shapes " + shape_str(sizes()) + " and " + shape_str(other.sizes()) +
                " cannot be multiplied (" + std::to_string(m) + "x" + std::to_string(k) + " and " +
                std::to_string(k2) + "x" + std::to_string(n) + ")");
  }
  const Shape batch_a(a.sizes().begin(), a.sizes().end() - 2);
  const Shape batch_b(b.sizes().begin(), b.sizes().end() - 2);
  Shape batch;
  try {
    batch = detail::broadcast_shapes(batch_a, batch_b, "matmul");
  } catch (const Error& e) {
    throw Error("matmul: the batch dimensions of " + shape_str(sizes()) + " and " + shape_str(other.sizes()) +
                " do not broadcast (" + e.what() + ")");
  }
  auto with_matrix = [&batch](std::int64_t rows, std::int64_t cols) {
    Shape s = batch;
    s.push_back(rows);
    s.push_back(cols);
    return s;
  };
  const Shape a_shape = with_matrix(m, k);
  const Shape b_shape = with_matrix(k, n);
  const Shape out_shape = with_matrix(m, n);
  const Tensor ae = a.expand(a_shape, origin);
  const Tensor be = b.expand(b_shape, origin);
  Tensor out = detail::make_tensor(out_shape, dtype(), device(), origin);

  std::int64_t batches = 1;
  for (std::int64_t s : batch) batches *= s;
  if (batches != 0 && m != 0 && n != 0 && k != 0) {
    detail::Backend& backend = detail::backend_for(device());
    const auto elem = static_cast<std::int64_t>(element_size(dtype()));
    const std::size_t nb = batch.size();
    std::int64_t index[detail::kMaxDims] = {};  // out has at most kMaxDims dims, so nb < kMaxDims
    for (std::int64_t i = 0; i < batches; ++i) {
      std::int64_t off_a = 0, off_b = 0, off_o = 0;
      for (std::size_t d = 0; d < nb; ++d) {
        off_a += index[d] * ae.stride(static_cast<std::int64_t>(d));
        off_b += index[d] * be.stride(static_cast<std::int64_t>(d));
        off_o += index[d] * out.stride(static_cast<std::int64_t>(d));
      }
      backend.matmul(matrix_view(out, off_o * elem, m, n, out.stride(-2), out.stride(-1)),
                     matrix_view(ae, off_a * elem, m, k, ae.stride(-2), ae.stride(-1)),
                     matrix_view(be, off_b * elem, k, n, be.stride(-2), be.stride(-1)));
      for (std::size_t d = nb; d-- > 0;) {  // next batch index, row-major
        if (++index[d] < batch[d]) break;
        index[d] = 0;
      }
    }
  }
  Shape result_shape = batch;
  if (dim() > 1) result_shape.push_back(m);
  if (other.dim() > 1) result_shape.push_back(n);
  return result_shape == out_shape ? out : out.view(result_shape, origin);
}

}  // namespace aliasguard
