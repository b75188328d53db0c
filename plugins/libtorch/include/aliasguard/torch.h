#pragma once
/// \file aliasguard for LibTorch programs: PyTorch's state_dict API, which LibTorch lacks,
/// and the calls that name tensors in reports. Link AliasGuard::torch_checked (or
/// aliasguard_link_torch() in CMake) and every ATen operator call of the program is checked
/// through LibTorch's dispatcher; link AliasGuard::torch and the same calls do no checking.
/// Compiles as C++17, the standard LibTorch programs build with. See docs/libtorch.md.

#include <aliasguard/torch_call_site.h>
#include <torch/nn/module.h>
#include <torch/ordered_dict.h>
#include <torch/types.h>

#include <string>
#include <string_view>

namespace aliasguard::torch {

/// What PyTorch's Module.state_dict() returns: keys "fc.weight", ... in registration order.
using StateDict = ::torch::OrderedDict<std::string, ::torch::Tensor>;

/// PyTorch's Module.state_dict(): for each module in pre-order, its parameters then its
/// buffers, keys prefixed with the submodule path; every entry a detached tensor that
/// *shares storage* with the parameter or buffer. The entries are one snapshot: writes the
/// module makes afterwards are reported when the snapshot is read (stale-snapshot-read), and
/// writes through an entry when the module reads them (write-through-snapshot).
StateDict state_dict(const ::torch::nn::Module& module, CallSite at = {});

/// Every entry on new storage, as Python's copy.deepcopy: entries that shared storage (tied
/// weights) share the new storage too, entries that were views stay views of it.
StateDict deep_copy(const StateDict& dict, CallSite at = {});

/// PyTorch's Module.load_state_dict(): copies each entry into the existing parameter or
/// buffer storage under no-grad. The whole dict is validated first: on a missing or
/// unexpected key (with `strict`) or a shape mismatch it throws c10::Error with PyTorch's
/// wording ("Error(s) in loading state_dict for ...") and the module is left unchanged.
void load_state_dict(::torch::nn::Module& module, const StateDict& dict, bool strict = true, CallSite at = {});

/// Names the module's parameters and buffers ("fc.weight") in reports. Optional: tensors
/// that are not watched are checked too, and reports then call them "tensor".
void watch(const ::torch::nn::Module& module);

/// Marks `tensor` (for instance a detached parameter from named_parameters()) as a snapshot
/// named `name`: the tensors it shares storage with are then the live ones, and what they
/// write afterwards is reported when the snapshot is read. Returns `tensor`.
::torch::Tensor mark_snapshot(const ::torch::Tensor& tensor, std::string_view name, CallSite at = {});

/// True when this program links AliasGuard::torch_checked (operator calls are checked).
bool checking();

}  // namespace aliasguard::torch
