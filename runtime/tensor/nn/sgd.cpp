// optim::Optimizer and SGD.

#include "aliasguard/optim/sgd.h"

#include <sstream>
#include <string>
#include <unordered_set>
#include <utility>

#include "aliasguard/error.h"

namespace aliasguard::optim {
namespace {

std::string number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

Optimizer::Optimizer(std::vector<Tensor> parameters) : parameters_(std::move(parameters)) {
  if (parameters_.empty()) {
    throw Error("optimizer got an empty parameter list");
  }
  std::unordered_set<const void*> seen;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    if (!parameters_[i].defined()) {
      throw Error("optimizer parameter " + std::to_string(i) + " is an undefined tensor");
    }
    // PyTorch 1.13 only warns here; stepping one handle twice per step() silently doubles
    // its learning rate, so we refuse.
    if (!seen.insert(parameters_[i].impl().get()).second) {
      throw Error("optimizer parameter " + std::to_string(i) +
                  " is the same tensor as an earlier one; pass each parameter once "
                  "(Module::parameters() already lists a tied weight once)");
    }
  }
}

// PyTorch 1.13 defaults to set_to_none=false; the header follows PyTorch 2.x and LibTorch,
// which default to true (a missing gradient is then distinguishable from a zero one).
void Optimizer::zero_grad(bool set_to_none, Origin origin) {
  for (const Tensor& p : parameters_) {
    if (!p.grad().defined()) continue;
    if (set_to_none) {
      p.mutable_grad() = Tensor();
    } else {
      p.grad().zero_(origin);
    }
  }
}

SGD::SGD(std::vector<Tensor> parameters, SGDOptions options)
    : Optimizer(std::move(parameters)), options_(options), momentum_buffers_(parameters_.size()) {
  // torch.optim.SGD's checks and messages.
  if (options_.lr() < 0.0) throw Error("Invalid learning rate: " + number(options_.lr()));
  if (options_.momentum() < 0.0) {
    throw Error("Invalid momentum value: " + number(options_.momentum()));
  }
  if (options_.weight_decay() < 0.0) {
    throw Error("Invalid weight_decay value: " + number(options_.weight_decay()));
  }
  if (options_.nesterov() && (options_.momentum() <= 0.0 || options_.dampening() != 0.0)) {
    throw Error("Nesterov momentum requires a momentum and zero dampening");
  }
}

// torch.optim.SGD (1.13, _single_tensor_sgd) step by step; the gradient itself is never
// written, and the momentum buffer starts as a copy of the first d_p (not dampened).
void SGD::step(Origin origin) {
  const SGDOptions& o = options_;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const Tensor& p = parameters_[i];
    if (!p.grad().defined()) continue;
    Tensor d_p = p.grad();
    if (o.weight_decay() != 0.0) d_p = d_p.add(p, o.weight_decay(), origin);
    if (o.momentum() != 0.0) {
      Tensor& buf = momentum_buffers_[i];
      if (!buf.defined()) {
        buf = d_p.clone(origin);
      } else {
        buf.mul_(o.momentum(), origin).add_(d_p, 1.0 - o.dampening(), origin);
      }
      d_p = o.nesterov() ? d_p.add(buf, o.momentum(), origin) : buf;
    }
    p.add_(d_p, -o.lr(), origin);
  }
}

}  // namespace aliasguard::optim
