// The public API of <aliasguard/torch.h>: PyTorch's state_dict, deep copy and
// load_state_dict for LibTorch modules, which have none. Built into both libraries; what it
// tells the checking layer goes through marks.h.

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <torch/nn/module.h>

#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aliasguard/torch.h"
#include "marks.h"

namespace aliasguard::torch {

namespace {

// PyTorch's order: a module's own parameters, then its own buffers, then each child's, with
// the child's name as a prefix (Module._save_to_state_dict, then the recursion).
template <typename Fn>
void for_each_entry(const ::torch::nn::Module& module, const std::string& prefix, const Fn& fn) {
  for (const auto& p : module.named_parameters(/*recurse=*/false))
    if (p.value().defined()) fn(prefix + p.key(), p.value());
  for (const auto& b : module.named_buffers(/*recurse=*/false))
    if (b.value().defined()) fn(prefix + b.key(), b.value());
  for (const auto& child : module.named_children()) for_each_entry(*child.value(), prefix + child.key() + ".", fn);
}

// "torch::nn::LinearImpl" -> "Linear": the class name PyTorch's messages print.
std::string class_name(const ::torch::nn::Module& module) {
  std::string name = module.name();
  if (const auto colon = name.rfind("::"); colon != std::string::npos) name = name.substr(colon + 2);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, "Impl") == 0) name.resize(name.size() - 4);
  return name;
}

// "torch.Size([2, 3])", as PyTorch prints a shape.
std::string shape_text(at::IntArrayRef sizes) {
  std::string out = "torch.Size([";
  for (std::size_t i = 0; i < sizes.size(); ++i) out += (i ? ", " : "") + std::to_string(sizes[i]);
  return out + "])";
}

std::string quoted_list(const std::vector<std::string>& keys) {
  std::string out;
  for (std::size_t i = 0; i < keys.size(); ++i) out += (i ? ", \"" : "\"") + keys[i] + "\"";
  return out;
}

// A tensor of `bytes` uint8 elements over the whole of `storage`.
at::Tensor whole_storage(const at::Tensor& t) {
  const auto bytes = static_cast<std::int64_t>(t.storage().nbytes());
  return at::empty({0}, t.options().dtype(at::kByte)).set_(t.storage(), 0, {bytes}, {1});
}

}  // namespace

StateDict state_dict(const ::torch::nn::Module& module, CallSite at) {
  detail::ApiScope scope(at);
  StateDict out;
  const std::uint32_t owner = detail::new_snapshot_owner();
  for_each_entry(module, "", [&](const std::string& key, const at::Tensor& live) {
    detail::mark_module(live, key);
    at::Tensor entry = live.detach();
    detail::mark_snapshot(entry, owner, key, at);
    out.insert(key, std::move(entry));
  });
  return out;
}

StateDict deep_copy(const StateDict& dict, CallSite at) {
  detail::ApiScope scope(at);
  at::NoGradGuard no_grad;
  StateDict out;
  const std::uint32_t owner = detail::new_user_owner();
  // One new storage per old one, so entries that shared storage (tied weights, views of one
  // flat buffer) share the new one at the same offsets, as copy.deepcopy's memo does.
  std::unordered_map<const c10::StorageImpl*, at::Tensor> copies;
  for (const auto& item : dict) {
    const at::Tensor& t = item.value();
    if (!t.defined() || !t.has_storage()) {
      out.insert(item.key(), t.defined() ? t.clone() : t);
      continue;
    }
    const c10::StorageImpl* old_storage = t.storage().unsafeGetStorageImpl();
    auto found = copies.find(old_storage);
    if (found == copies.end()) found = copies.emplace(old_storage, whole_storage(t).clone()).first;
    at::Tensor copy = at::empty({0}, t.options()).set_(found->second.storage(), t.storage_offset(), t.sizes(), t.strides());
    detail::mark_copy(copy, owner, item.key(), at);
    detail::mark_copied_from(copy, t, at);
    out.insert(item.key(), std::move(copy));
  }
  return out;
}

void load_state_dict(::torch::nn::Module& module, const StateDict& dict, bool strict, CallSite at) {
  detail::ApiScope scope(at);
  // Validate everything first: PyTorch copies the keys that match and raises afterwards, which
  // leaves a half-loaded model; here a bad dict changes nothing.
  std::vector<std::pair<std::string, at::Tensor>> targets;
  for_each_entry(module, "", [&](const std::string& key, const at::Tensor& live) { targets.emplace_back(key, live); });
  std::vector<std::string> missing;
  std::vector<std::string> mismatched;
  std::map<std::string, bool> used;
  for (const auto& item : dict) used.emplace(item.key(), false);
  for (const auto& [key, live] : targets) {
    const at::Tensor* source = dict.find(key);
    if (source == nullptr) {
      missing.push_back(key);
      continue;
    }
    used[key] = true;
    if (!source->defined() || source->sizes() != live.sizes())
      mismatched.push_back("size mismatch for " + key + ": copying a param with shape " +
                           (source->defined() ? shape_text(source->sizes()) : std::string("None")) +
                           " from checkpoint, the shape in current model is " + shape_text(live.sizes()) + ".");
  }
  std::vector<std::string> unexpected;
  for (const auto& item : dict)
    if (!used[item.key()]) unexpected.push_back(item.key());
  std::string errors;
  if (strict && !missing.empty()) errors += "\n\tMissing key(s) in state_dict: " + quoted_list(missing) + ". ";
  if (strict && !unexpected.empty()) errors += "\n\tUnexpected key(s) in state_dict: " + quoted_list(unexpected) + ". ";
  for (const std::string& m : mismatched) errors += "\n\t" + m;
  TORCH_CHECK(errors.empty(), "Error(s) in loading state_dict for ", class_name(module), ":", errors);

  at::NoGradGuard no_grad;
  detail::CheckedScope checked;
  for (auto& [key, live] : targets)
    if (const at::Tensor* source = dict.find(key)) live.copy_(*source);
}

void watch(const ::torch::nn::Module& module) {
  for_each_entry(module, "", [](const std::string& key, const at::Tensor& live) { detail::mark_module(live, key); });
}

::torch::Tensor mark_snapshot(const ::torch::Tensor& tensor, std::string_view name, CallSite at) {
  if (tensor.defined() && tensor.has_storage())
    detail::mark_snapshot(tensor, detail::new_snapshot_owner(), name, at);
  return tensor;
}

bool checking() { return detail::checking(); }

}  // namespace aliasguard::torch
