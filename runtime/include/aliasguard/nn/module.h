#pragma once
/// \file nn::Module: parameters, buffers, submodules and state_dict.

#include <memory>
#include <string>
#include <vector>

#include "aliasguard/device.h"
#include "aliasguard/origin.h"
#include "aliasguard/ordered_dict.h"
#include "aliasguard/state_dict.h"
#include "aliasguard/tensor.h"

namespace aliasguard::nn {

/// Keys that a non-strict load_state_dict did not find or did not expect.
struct LoadResult {
  std::vector<std::string> missing_keys;
  std::vector<std::string> unexpected_keys;
};

/// Base of every layer: owns named parameters, buffers and submodules, like torch::nn::Module.
class Module {
 public:
  explicit Module(std::string name = "Module");
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  /// The class name used in messages ("Linear", "LogisticRegression").
  const std::string& name() const { return name_; }

  /// Registers `tensor` as parameter `name` and returns the stored handle.
  Tensor& register_parameter(std::string name, Tensor tensor, bool requires_grad = true);
  /// Registers `tensor` as buffer `name` (saved in state_dict, not trained).
  Tensor& register_buffer(std::string name, Tensor tensor);
  template <class M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    add_child(std::move(name), module);
    return module;
  }

  /// The parameter handles themselves (not copies): writing through them trains the model.
  std::vector<Tensor> parameters(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  OrderedDict<std::string, std::shared_ptr<Module>> named_children() const;
  /// This module (key "") and every descendant, depth first, keys "fc", "body.0", ...
  OrderedDict<std::string, Module*> named_modules();

  /// Detached handles sharing storage with every parameter and buffer, in PyTorch's order
  /// (own parameters, own buffers, then each submodule). See Note [state_dict shares storage].
  StateDict state_dict(Origin origin = Origin::current()) const;
  /// Copies the values of `dict` into the existing parameters and buffers. Validates every
  /// key, shape and dtype first; on a problem throws StateDictError and changes nothing
  /// (strict), or skips missing/unexpected keys and reports them (non-strict).
  LoadResult load_state_dict(const StateDict& dict, bool strict = true, Origin origin = Origin::current());

  /// Moves every parameter and buffer to `device` in place (handles keep their identity,
  /// storage is replaced, as in PyTorch; earlier state_dicts keep the old storage).
  void to(Device device, Origin origin = Origin::current());
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  /// Clears (set_to_none) or zeroes every parameter's gradient.
  void zero_grad(bool set_to_none = true, Origin origin = Origin::current());

  /// The layer's computation. Containers without one throw Error.
  virtual Tensor forward(const Tensor& input);

 private:
  void add_child(std::string name, std::shared_ptr<Module> child);
  void collect_state(const std::string& prefix, StateDict& out) const;
  // The keys of `dict` under `prefix` that name no entry of `targets`, in PyTorch's order.
  void collect_unexpected(const StateDict& dict, const StateDict& targets, const std::string& prefix,
                          std::vector<std::string>& out) const;

  std::string name_;
  bool training_ = true;
  OrderedDict<std::string, Tensor> parameters_{"Parameter"};
  OrderedDict<std::string, Tensor> buffers_{"Buffer"};
  OrderedDict<std::string, std::shared_ptr<Module>> children_{"Submodule"};
};

}  // namespace aliasguard::nn
