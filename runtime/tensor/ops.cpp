// Elementwise ops, in place and out of place, and random fills. See Note [Kernel contract].

#include <cmath>
#include <limits>
#include <string>

#include "aliasguard/generator.h"
#include "ops_common.h"
#include "tracking.h"

namespace aliasguard {

using detail::BinaryOp;
using detail::UnaryOp;

namespace {

/// The dtype the kernel computes in: true division of integers happens in float32.
ScalarType compute_type(BinaryOp op, ScalarType promoted) {
  if (op == BinaryOp::Div && !is_floating(promoted)) return kFloat32;
  return promoted;
}

void check_alpha(ScalarType compute, Scalar alpha) {
  if (!is_floating(compute) && !alpha.is_integral()) {
    throw Error("for integral input tensors, argument alpha must not be a floating point number (alpha = " +
                std::to_string(alpha.to_double()) + ")");
  }
}

/// Scalars reach kernels as double; an int64 beyond 2^53 would lose digits, so such a
/// scalar becomes a 0-dim int64 tensor and takes the tensor path.
bool needs_exact_int(ScalarType t, Scalar s) {
  constexpr std::int64_t kExact = std::int64_t{1} << 53;
  return t == kInt64 && s.is_integral() && (s.to_int() > kExact || s.to_int() < -kExact);
}

Tensor scalar_tensor(Scalar s, Device device) {
  Tensor t = detail::make_tensor({}, kInt64, Device::cpu());
  *static_cast<std::int64_t*>(t.mutable_data_ptr()) = s.to_int();
  return t.to(device);
}

void check_arithmetic(BinaryOp op, ScalarType t) {
  if (t == kBool && op != BinaryOp::Eq) {
    throw Error(std::string(op_name(op)) + ": not supported for bool tensors; convert with to(kInt64) first");
  }
}

Tensor as_type(const Tensor& t, ScalarType dtype) { return t.dtype() == dtype ? t : t.to(dtype); }

/// out (already shaped) = a op b with alpha; a and b are converted to `compute` first.
void run_binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, ScalarType compute, double alpha) {
  const Tensor ca = as_type(a, compute);
  Tensor cb = as_type(b, compute);
  // An input that partly overlaps the output would be read after being written; stage it.
  const auto& o = *out.impl();
  if (cb.impl()->storage() == o.storage() && !detail::same_geometry(*cb.impl(), o)) cb = cb.clone();
  const Tensor safe_a = (ca.impl()->storage() == o.storage() && !detail::same_geometry(*ca.impl(), o)) ? ca.clone() : ca;
  if (out.numel() == 0) return;
  detail::backend_for(out.device())
      .binary(op, o.strided_view(), detail::broadcast_view(*safe_a.impl(), o.sizes()),
              detail::broadcast_view(*cb.impl(), o.sizes()), alpha);
}

Tensor binary_out_of_place(BinaryOp op, const Tensor& a, const Tensor& b, Scalar alpha, Origin origin) {
  detail::check_defined(a, op_name(op));
  detail::check_defined(b, op_name(op));
  detail::check_same_device(a, b, op_name(op));
  detail::note_read(*a.impl(), origin);
  detail::note_read(*b.impl(), origin);
  const Shape shape = detail::broadcast_shapes(a.sizes(), b.sizes(), op_name(op));
  const ScalarType compute = compute_type(op, detail::result_type(a, b));
  check_arithmetic(op, compute);
  check_alpha(compute, alpha);
  Tensor out = detail::make_tensor(shape, op == BinaryOp::Eq ? kBool : compute, a.device(), origin);
  run_binary(op, out, a, b, compute, alpha.to_double());
  return out;
}

const Tensor& binary_in_place(BinaryOp op, const Tensor& self, const Tensor& other, Scalar alpha, Origin origin) {
  detail::check_defined(self, op_name(op));
  detail::check_defined(other, op_name(op));
  detail::check_same_device(self, other, op_name(op));
  const std::string name = std::string(op_name(op)) + "_";
  if (!detail::broadcasts_to(other.sizes(), self.sizes())) {
    // Throws first when the shapes do not broadcast at all.
    const Shape shape = detail::broadcast_shapes(self.sizes(), other.sizes(), name.c_str());
    throw Error(name + ": output with shape " + shape_str(self.sizes()) + " doesn't match the broadcast shape " +
                shape_str(shape));
  }
  const ScalarType compute = compute_type(op, detail::result_type(self, other));
  detail::check_can_cast(compute, self.dtype(), name.c_str());
  check_arithmetic(op, self.dtype());
  check_alpha(compute, alpha);
  detail::check_no_internal_overlap(self, name.c_str());
  detail::note_read(*other.impl(), origin);
  detail::note_read(*self.impl(), origin);
  run_binary(op, self, self, other, self.dtype(), alpha.to_double());
  detail::note_write(*self.impl(), origin);
  return self;
}

/// Scalars go straight to the kernel rather than becoming 0-dim tensors.
Tensor scalar_out_of_place(BinaryOp op, const Tensor& a, Scalar s, bool scalar_first, Origin origin) {
  detail::check_defined(a, op_name(op));
  detail::note_read(*a.impl(), origin);
  const ScalarType compute = compute_type(op, detail::result_type(a, s));
  check_arithmetic(op, compute);
  if (needs_exact_int(compute, s)) {
    const Tensor st = scalar_tensor(s, a.device());
    return scalar_first ? binary_out_of_place(op, st, a, 1, origin) : binary_out_of_place(op, a, st, 1, origin);
  }
  Tensor out = detail::make_tensor(a.sizes(), op == BinaryOp::Eq ? kBool : compute, a.device(), origin);
  if (a.numel() == 0) return out;
  const Tensor ca = as_type(a, compute);
  detail::backend_for(a.device())
      .binary_scalar(op, out.impl()->strided_view(), ca.impl()->strided_view(), s.to_double(), scalar_first);
  return out;
}

const Tensor& scalar_in_place(BinaryOp op, const Tensor& self, Scalar s, Origin origin) {
  const std::string name = std::string(op_name(op)) + "_";
  detail::check_defined(self, name.c_str());
  detail::check_can_cast(compute_type(op, detail::result_type(self, s)), self.dtype(), name.c_str());
  check_arithmetic(op, self.dtype());
  detail::check_no_internal_overlap(self, name.c_str());
  if (needs_exact_int(self.dtype(), s)) return binary_in_place(op, self, scalar_tensor(s, self.device()), 1, origin);
  detail::note_read(*self.impl(), origin);
  if (self.numel() != 0) {
    const detail::StridedView v = self.impl()->strided_view();
    detail::backend_for(self.device()).binary_scalar(op, v, v, s.to_double(), false);
  }
  detail::note_write(*self.impl(), origin);
  return self;
}

Tensor unary(UnaryOp op, const char* name, const Tensor& a, Origin origin) {
  detail::check_defined(a, name);
  detail::note_read(*a.impl(), origin);
  ScalarType dtype = a.dtype();
  const bool math = op == UnaryOp::Exp || op == UnaryOp::Log || op == UnaryOp::Sigmoid;
  if (math && !is_floating(dtype)) dtype = kFloat32;  // PyTorch computes these in the default float type
  if (dtype == kBool) throw Error(std::string(name) + ": not supported for bool tensors");
  const Tensor in = as_type(a, dtype);
  Tensor out = detail::make_tensor(a.sizes(), dtype, a.device(), origin);
  if (a.numel() != 0) {
    detail::backend_for(a.device()).unary(op, out.impl()->strided_view(), in.impl()->strided_view());
  }
  return out;
}

double bound(const std::optional<Scalar>& s, double missing) { return s ? s->to_double() : missing; }

void check_clamp_bounds(const std::optional<Scalar>& min, const std::optional<Scalar>& max) {
  if (!min && !max) throw Error("clamp: at least one of 'min' or 'max' must not be None");
}

}  // namespace

const Tensor& Tensor::add_(const Tensor& other, Scalar alpha, Origin origin) const {
  return binary_in_place(BinaryOp::Add, *this, other, alpha, origin);
}
const Tensor& Tensor::add_(Scalar other, Origin origin) const { return scalar_in_place(BinaryOp::Add, *this, other, origin); }
const Tensor& Tensor::sub_(const Tensor& other, Scalar alpha, Origin origin) const {
  return binary_in_place(BinaryOp::Sub, *this, other, alpha, origin);
}
const Tensor& Tensor::sub_(Scalar other, Origin origin) const { return scalar_in_place(BinaryOp::Sub, *this, other, origin); }
const Tensor& Tensor::mul_(const Tensor& other, Origin origin) const {
  return binary_in_place(BinaryOp::Mul, *this, other, 1, origin);
}
const Tensor& Tensor::mul_(Scalar other, Origin origin) const { return scalar_in_place(BinaryOp::Mul, *this, other, origin); }
const Tensor& Tensor::div_(const Tensor& other, Origin origin) const {
  return binary_in_place(BinaryOp::Div, *this, other, 1, origin);
}
const Tensor& Tensor::div_(Scalar other, Origin origin) const { return scalar_in_place(BinaryOp::Div, *this, other, origin); }

const Tensor& Tensor::fill_(Scalar value, Origin origin) const {
  detail::check_defined(*this, "fill_");
  if (needs_exact_int(dtype(), value)) return copy_(scalar_tensor(value, device()), origin);
  if (numel() != 0) detail::backend_for(device()).fill(impl()->strided_view(), value.to_double());
  detail::note_write(*impl(), origin);
  return *this;
}

const Tensor& Tensor::zero_(Origin origin) const { return fill_(0, origin); }

const Tensor& Tensor::copy_(const Tensor& src, Origin origin) const {
  detail::check_defined(*this, "copy_");
  detail::check_defined(src, "copy_");
  // A full self-copy (loading a module's own state_dict, restoring a kept detach()) moves no
  // byte: a read, no write.
  if (detail::same_geometry(*impl(), *src.impl())) {
    detail::note_restore_read(*impl(), *src.impl(), origin);
    return *this;
  }
  detail::note_read_into(*impl(), *src.impl(), origin);
  detail::copy_into(*this, src);
  detail::note_write(*impl(), origin);
  return *this;
}

const Tensor& Tensor::clamp_(std::optional<Scalar> min, std::optional<Scalar> max, Origin origin) const {
  detail::check_defined(*this, "clamp_");
  check_clamp_bounds(min, max);
  if (dtype() == kBool) throw Error("clamp_: not supported for bool tensors");
  for (const auto& b : {min, max}) {
    if (b) detail::check_can_cast(detail::result_type(*this, *b), dtype(), "clamp_");
  }
  detail::check_no_internal_overlap(*this, "clamp_");
  detail::note_read(*impl(), origin);
  if (numel() != 0) {
    const detail::StridedView v = impl()->strided_view();
    detail::backend_for(device()).clamp(v, v, bound(min, -std::numeric_limits<double>::infinity()),
                                        bound(max, std::numeric_limits<double>::infinity()));
  }
  detail::note_write(*impl(), origin);
  return *this;
}

Tensor Tensor::clamp(std::optional<Scalar> min, std::optional<Scalar> max, Origin origin) const {
  detail::check_defined(*this, "clamp");
  check_clamp_bounds(min, max);
  if (dtype() == kBool) throw Error("clamp: not supported for bool tensors");
  ScalarType dtype = this->dtype();
  for (const auto& b : {min, max}) {
    if (b) dtype = promote_types(dtype, detail::result_type(*this, *b));
  }
  Tensor out = to(dtype, /*copy=*/true, origin);
  out.clamp_(min, max, origin);
  return out;
}

namespace {

/// Draws numel values on the host (so every device sees the same numbers for a seed) and
/// copies them into `self` in row-major order.
template <class Draw>
const Tensor& random_fill(const Tensor& self, const char* name, Generator* gen, Origin origin, Draw draw) {
  detail::check_defined(self, name);
  if (!is_floating(self.dtype())) {
    throw Error(std::string(name) + ": expects a floating point tensor, got " + dtype_name(self.dtype()));
  }
  Generator& g = gen != nullptr ? *gen : default_generator();
  Tensor host = detail::make_tensor(self.sizes(), kFloat64, Device::cpu());
  auto* p = static_cast<double*>(host.mutable_data_ptr());
  for (std::int64_t i = 0; i < host.numel(); ++i) p[i] = draw(g);
  detail::copy_into(self, host);
  detail::note_write(*self.impl(), origin);
  return self;
}

}  // namespace

const Tensor& Tensor::uniform_(double from, double to, Generator* gen, Origin origin) const {
  if (!(from <= to)) {
    throw Error("uniform_ expects to return a [from, to) range, but found from=" + std::to_string(from) +
                " > to=" + std::to_string(to));
  }
  return random_fill(*this, "uniform_", gen, origin, [from, to](Generator& g) { return from + (to - from) * g.next_uniform(); });
}

const Tensor& Tensor::normal_(double mean, double std, Generator* gen, Origin origin) const {
  if (!(std >= 0.0)) throw Error("normal_ expects std >= 0.0, but found std " + std::to_string(std));
  return random_fill(*this, "normal_", gen, origin, [mean, std](Generator& g) { return mean + std * g.next_normal(); });
}

Tensor Tensor::add(const Tensor& other, Scalar alpha, Origin origin) const {
  return binary_out_of_place(BinaryOp::Add, *this, other, alpha, origin);
}
Tensor Tensor::add(Scalar other, Origin origin) const { return scalar_out_of_place(BinaryOp::Add, *this, other, false, origin); }
Tensor Tensor::sub(const Tensor& other, Scalar alpha, Origin origin) const {
  return binary_out_of_place(BinaryOp::Sub, *this, other, alpha, origin);
}
Tensor Tensor::sub(Scalar other, Origin origin) const { return scalar_out_of_place(BinaryOp::Sub, *this, other, false, origin); }
Tensor Tensor::mul(const Tensor& other, Origin origin) const {
  return binary_out_of_place(BinaryOp::Mul, *this, other, 1, origin);
}
Tensor Tensor::mul(Scalar other, Origin origin) const { return scalar_out_of_place(BinaryOp::Mul, *this, other, false, origin); }
Tensor Tensor::div(const Tensor& other, Origin origin) const {
  return binary_out_of_place(BinaryOp::Div, *this, other, 1, origin);
}
Tensor Tensor::div(Scalar other, Origin origin) const { return scalar_out_of_place(BinaryOp::Div, *this, other, false, origin); }
Tensor Tensor::eq(const Tensor& other, Origin origin) const {
  return binary_out_of_place(BinaryOp::Eq, *this, other, 1, origin);
}
Tensor Tensor::eq(Scalar other, Origin origin) const { return scalar_out_of_place(BinaryOp::Eq, *this, other, false, origin); }

Tensor Tensor::neg(Origin origin) const { return unary(UnaryOp::Neg, "neg", *this, origin); }
Tensor Tensor::exp(Origin origin) const { return unary(UnaryOp::Exp, "exp", *this, origin); }
Tensor Tensor::log(Origin origin) const { return unary(UnaryOp::Log, "log", *this, origin); }
Tensor Tensor::sigmoid(Origin origin) const { return unary(UnaryOp::Sigmoid, "sigmoid", *this, origin); }
Tensor Tensor::relu(Origin origin) const { return unary(UnaryOp::Relu, "relu", *this, origin); }

Tensor operator+(Located<const Tensor&> a, const Tensor& b) { return a.value.add(b, 1, a.origin); }
Tensor operator-(Located<const Tensor&> a, const Tensor& b) { return a.value.sub(b, 1, a.origin); }
Tensor operator*(Located<const Tensor&> a, const Tensor& b) { return a.value.mul(b, a.origin); }
Tensor operator/(Located<const Tensor&> a, const Tensor& b) { return a.value.div(b, a.origin); }
Tensor operator+(Located<const Tensor&> a, Scalar b) { return a.value.add(b, a.origin); }
Tensor operator-(Located<const Tensor&> a, Scalar b) { return a.value.sub(b, a.origin); }
Tensor operator*(Located<const Tensor&> a, Scalar b) { return a.value.mul(b, a.origin); }
Tensor operator/(Located<const Tensor&> a, Scalar b) { return a.value.div(b, a.origin); }
Tensor operator+(Scalar a, Located<const Tensor&> b) { return scalar_out_of_place(BinaryOp::Add, b.value, a, true, b.origin); }
Tensor operator-(Scalar a, Located<const Tensor&> b) { return scalar_out_of_place(BinaryOp::Sub, b.value, a, true, b.origin); }
Tensor operator*(Scalar a, Located<const Tensor&> b) { return scalar_out_of_place(BinaryOp::Mul, b.value, a, true, b.origin); }
Tensor operator/(Scalar a, Located<const Tensor&> b) { return scalar_out_of_place(BinaryOp::Div, b.value, a, true, b.origin); }
Tensor operator-(Located<const Tensor&> a) { return a.value.neg(a.origin); }

}  // namespace aliasguard
