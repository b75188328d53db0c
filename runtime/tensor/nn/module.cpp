// nn::Module: registration, traversal, state_dict, to(Device). load_state_dict is in
// nn/load_state_dict.cpp.

#include "aliasguard/nn/module.h"

#include <algorithm>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "aliasguard/error.h"
#include "nn/storage_copy.h"
#include "tensor_impl.h"
#include "tracking.h"

namespace aliasguard::nn {
namespace {

std::string join_key(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// Visits `m` and every descendant once, depth first, in registration order: the order and
// de-duplication of PyTorch's named_modules() (a module registered twice appears once).
template <class F>
void for_each_module(const Module& m, const std::string& prefix,
                     std::unordered_set<const Module*>& seen, const F& visit) {
  if (!seen.insert(&m).second) return;
  visit(m, prefix);
  for (const auto& item : m.named_children()) {
    for_each_module(*item.value(), join_key(prefix, item.key()), seen, visit);
  }
}

// named_parameters()/named_buffers(): one entry per distinct handle, like PyTorch's memo, so
// a weight tied into two layers is listed (and stepped by an optimizer) once.
template <class Own>
OrderedDict<std::string, Tensor> named_tensors(const Module& root, bool recurse,
                                               const std::string& description, const Own& own) {
  OrderedDict<std::string, Tensor> out(description);
  std::unordered_set<const detail::TensorImpl*> seen_handles;
  auto add_own = [&](const Module& m, const std::string& prefix) {
    for (const auto& item : own(m)) {
      if (seen_handles.insert(item.value().impl().get()).second) {
        out.insert(join_key(prefix, item.key()), item.value());
      }
    }
  };
  if (!recurse) {
    add_own(root, "");
    return out;
  }
  std::unordered_set<const Module*> seen_modules;
  for_each_module(root, "", seen_modules, add_own);
  return out;
}

// Names become state_dict path components, and parameters, buffers and submodules share
// one namespace (they are attributes of one object in PyTorch).
void check_new_name(const std::string& module, const char* kind, const std::string& name,
                    const OrderedDict<std::string, Tensor>& parameters,
                    const OrderedDict<std::string, Tensor>& buffers,
                    const OrderedDict<std::string, std::shared_ptr<Module>>& children) {
  if (name.empty()) {
    throw Error(module + ": " + kind + " name must not be empty");
  }
  if (name.find('.') != std::string::npos) {
    throw Error(module + ": " + kind + " name '" + name +
                "' must not contain '.' (dots separate submodules in state_dict keys; "
                "register a submodule instead)");
  }
  const char* taken_by = parameters.contains(name) ? "parameter"
                         : buffers.contains(name)  ? "buffer"
                         : children.contains(name) ? "submodule"
                                                   : nullptr;
  if (taken_by != nullptr) {
    throw Error(module + ": cannot register " + kind + " '" + name + "': a " + taken_by +
                " with that name is already registered");
  }
}

}  // namespace

Module::Module(std::string name) : name_(std::move(name)) {}

Tensor& Module::register_parameter(std::string name, Tensor tensor, bool requires_grad) {
  check_new_name(name_, "parameter", name, parameters_, buffers_, children_);
  if (!tensor.defined()) {
    throw Error(name_ + ": cannot register parameter '" + name +
                "': the tensor is undefined (leave an optional parameter unregistered instead)");
  }
  tensor.set_requires_grad(requires_grad);
  detail::mark_module(*tensor.impl(), name);
  return parameters_.insert(std::move(name), std::move(tensor));
}

Tensor& Module::register_buffer(std::string name, Tensor tensor) {
  check_new_name(name_, "buffer", name, parameters_, buffers_, children_);
  if (!tensor.defined()) {
    throw Error(name_ + ": cannot register buffer '" + name + "': the tensor is undefined");
  }
  detail::mark_module(*tensor.impl(), name);
  return buffers_.insert(std::move(name), std::move(tensor));
}

void Module::add_child(std::string name, std::shared_ptr<Module> child) {
  check_new_name(name_, "submodule", name, parameters_, buffers_, children_);
  if (child == nullptr) {
    throw Error(name_ + ": cannot register submodule '" + name + "': the module pointer is null");
  }
  // A cycle would make state_dict() and every traversal recurse forever.
  const std::vector<Module*> inside = child->named_modules().values();
  if (std::find(inside.begin(), inside.end(), this) != inside.end()) {
    throw Error(name_ + ": cannot register submodule '" + name +
                "': it already contains this module, which would make a cycle");
  }
  // Reports name parameters by their path from the outermost module registered so far.
  StateDict below;
  child->collect_state(name + ".", below);
  for (const auto& item : below) detail::mark_module(*item.value().impl(), item.key());
  children_.insert(std::move(name), std::move(child));
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  return named_parameters(recurse).values();
}

OrderedDict<std::string, Tensor> Module::named_parameters(bool recurse) const {
  return named_tensors(*this, recurse, "Parameter",
                       [](const Module& m) -> const auto& { return m.parameters_; });
}

std::vector<Tensor> Module::buffers(bool recurse) const {
  return named_buffers(recurse).values();
}

OrderedDict<std::string, Tensor> Module::named_buffers(bool recurse) const {
  return named_tensors(*this, recurse, "Buffer",
                       [](const Module& m) -> const auto& { return m.buffers_; });
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  return named_children().values();
}

OrderedDict<std::string, std::shared_ptr<Module>> Module::named_children() const {
  // PyTorch lists a child registered under two names once, under the first.
  OrderedDict<std::string, std::shared_ptr<Module>> out("Submodule");
  std::unordered_set<const Module*> seen;
  for (const auto& item : children_) {
    if (seen.insert(item.value().get()).second) out.insert(item.key(), item.value());
  }
  return out;
}

OrderedDict<std::string, Module*> Module::named_modules() {
  OrderedDict<std::string, Module*> out("Module");
  std::unordered_set<const Module*> seen;
  // Every module reached here is owned non-const (by `this` or a shared_ptr<Module>), so
  // dropping the const the traversal added is sound.
  for_each_module(*this, "", seen, [&](const Module& m, const std::string& prefix) {
    out.insert(prefix, const_cast<Module*>(&m));
  });
  return out;
}

// Unlike named_parameters(), no de-duplication: PyTorch's state_dict() has one key per path,
// so a layer registered twice, or a weight tied into two layers, appears under every path.
void Module::collect_state(const std::string& prefix, StateDict& out) const {
  for (const auto& item : parameters_) out.insert(prefix + item.key(), item.value());
  for (const auto& item : buffers_) out.insert(prefix + item.key(), item.value());
  for (const auto& item : children_) item.value()->collect_state(prefix + item.key() + ".", out);
}

// See Note [state_dict shares storage]. Each call is one snapshot owner: its entries are
// detached views of the parameters that have seen the bytes as they are now, so the tracker
// can tell when the module later writes bytes a snapshot still shows.
StateDict Module::state_dict(Origin origin) const {
  StateDict out;
  collect_state("", out);
  // Each live handle is replaced by its detached view in place: the keys are built and
  // indexed once (a second dictionary made this call a third slower).
  const detail::OwnerTag snapshot = detail::new_snapshot_owner();
  for (auto& item : out) {
    item.value() = item.value().detach(origin);
    detail::mark_snapshot(*item.value().impl(), snapshot, item.key());
  }
  return out;
}

void Module::to(Device device, [[maybe_unused]] Origin origin) {
  std::vector<Tensor> moving;
  for (const Tensor& t : parameters()) moving.push_back(t);
  for (const Tensor& t : buffers()) moving.push_back(t);
  const std::size_t owned = moving.size();
  for (std::size_t i = 0; i < owned; ++i) {
    if (moving[i].grad().defined()) moving.push_back(moving[i].grad());
  }

  // Copy everything before repointing any handle, so a failure (no GPU, out of memory)
  // leaves the module where it was. One copy per old storage keeps tied tensors tied.
  detail::StorageMemo memo(device);
  std::vector<std::pair<detail::TensorImpl*, std::shared_ptr<detail::StorageImpl>>> moves;
  for (const Tensor& t : moving) {
    if (t.device() != device) moves.emplace_back(t.impl().get(), memo.copy_of(t));
  }
  for (auto& [impl, storage] : moves) {
    impl->set_storage(std::move(storage), impl->strides(), impl->offset());
  }
}

void Module::train(bool on) {
  training_ = on;
  for (const auto& item : children_) item.value()->train(on);
}

// PyTorch 1.13's Module.zero_grad defaults to set_to_none=False; the header follows PyTorch
// 2.x and LibTorch (true). Zeroing keeps the gradient's storage, as PyTorch's zero_() does.
void Module::zero_grad(bool set_to_none, Origin origin) {
  for (const Tensor& p : parameters()) {
    if (!p.grad().defined()) continue;
    if (set_to_none) {
      p.mutable_grad() = Tensor();
    } else {
      p.grad().zero_(origin);
    }
  }
}

Tensor Module::forward(const Tensor& /*input*/) {
  throw Error("Module [" + name_ +
              "] is missing the required \"forward\" function; override forward() in the "
              "layer, or call the submodules yourself");
}

}  // namespace aliasguard::nn
