// Module::load_state_dict in four phases: match each parameter and buffer to its entry,
// validate every key, shape and dtype, plan the copies, apply them.

#include "aliasguard/nn/module.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "aliasguard/error.h"
#include "nn/storage_copy.h"
#include "tensor_impl.h"
#include "tracking.h"

namespace aliasguard::nn {

// Note [Atomic load_state_dict]
// PyTorch 1.13 copies every matching key and raises afterwards, leaving a half-loaded model.
// We check every key, shape and dtype first and copy only when nothing is wrong, so a
// failing load leaves the module byte-for-byte unchanged. The message keeps PyTorch's text
// so that logs compare line by line. Only the last two phases below (plan, apply) read or
// write tensor bytes, and they run only after validation found nothing wrong.

namespace {

std::string torch_size(const Shape& shape) { return "torch.Size(" + shape_str(shape) + ")"; }

std::string quoted_list(const std::vector<std::string>& keys) {
  std::string s;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i != 0) s += ", ";
    s += "\"" + keys[i] + "\"";
  }
  return s;
}

bool same_window(const Tensor& a, const Tensor& b) {
  return a.is_alias_of(b) && a.sizes() == b.sizes() && a.strides() == b.strides() &&
         a.storage_offset() == b.storage_offset() && a.dtype() == b.dtype();
}

// Phase 1, match. Each target's source, in the targets' order (nullptr when the dict lacks
// the key): the entry at the same position when its key is the same (a dict saved from this
// module, the common case), else a lookup by key.
std::vector<const Tensor*> match_sources(const StateDict& targets, const StateDict& dict) {
  std::vector<const Tensor*> sources;
  sources.reserve(targets.size());
  auto in_order = dict.begin();
  for (const auto& item : targets) {
    if (in_order != dict.end() && in_order->key() == item.key()) {
      sources.push_back(&in_order->value());
      ++in_order;
    } else {
      sources.push_back(dict.find(item.key()));
    }
  }
  return sources;
}

/// What validation found wrong with a dict, in the targets' order.
struct LoadProblems {
  std::vector<std::string> missing;
  std::vector<std::string> unexpected;
  std::vector<std::string> mismatched;
  std::vector<std::string> mismatch_lines;  // one per mismatched key, PyTorch's wording
};

// Phase 2, validate (entries): missing keys, and entries whose tensor cannot be copied into
// the target as it is.
void find_mismatches(const StateDict& targets, const std::vector<const Tensor*>& sources, LoadProblems& problems) {
  std::size_t index = 0;
  for (const auto& [key, target] : targets) {
    const Tensor* src = sources[index++];
    if (src == nullptr) {
      problems.missing.push_back(key);
    } else if (!src->defined()) {
      problems.mismatched.push_back(key);
      problems.mismatch_lines.push_back("undefined tensor for " + key + ": the checkpoint entry holds no tensor.");
    } else if (src->sizes() != target.sizes()) {
      problems.mismatched.push_back(key);
      problems.mismatch_lines.push_back("size mismatch for " + key + ": copying a param with shape " +
                                        torch_size(src->sizes()) + " from checkpoint, the shape in current model is " +
                                        torch_size(target.sizes()) + ".");
    } else if (src->dtype() != target.dtype()) {
      problems.mismatched.push_back(key);
      problems.mismatch_lines.push_back(
          std::string("dtype mismatch for ") + key + ": copying a param with dtype torch." +
          dtype_name(src->dtype()) + " from checkpoint, the dtype in current model is torch." +
          dtype_name(target.dtype()) +
          ". aliasguard does not convert on load (PyTorch does, silently); convert the entry "
          "with .to(dtype) first.");
    }
  }
}

// Phase 2, validate (verdict): throws StateDictError when the load must not go ahead, before
// any byte is read or written. Key problems only count when `strict`; mismatches always do.
void throw_if_invalid(const std::string& module, bool strict, LoadProblems& problems) {
  const bool key_errors = strict && (!problems.missing.empty() || !problems.unexpected.empty());
  if (!key_errors && problems.mismatched.empty()) return;
  std::vector<std::string> lines;
  if (strict && !problems.missing.empty()) {
    lines.push_back("Missing key(s) in state_dict: " + quoted_list(problems.missing) + ". ");
  }
  if (strict && !problems.unexpected.empty()) {
    lines.push_back("Unexpected key(s) in state_dict: " + quoted_list(problems.unexpected) + ". ");
  }
  lines.insert(lines.end(), problems.mismatch_lines.begin(), problems.mismatch_lines.end());
  std::string message = "Error(s) in loading state_dict for " + module + ":";
  for (const std::string& line : lines) message += "\n\t" + line;
  throw StateDictError(message, std::move(problems.missing), std::move(problems.unexpected),
                       std::move(problems.mismatched));
}

/// The copies a valid load makes, target first, in key order.
struct CopyPlan {
  std::vector<std::pair<Tensor, Tensor>> copies;
  bool tied = false;  // some module storage backs more than one target
};

// Phase 3, plan. A source that aliases module storage is cloned before anything is written:
// copying in key order would otherwise let one copy overwrite bytes a later entry still has
// to read (a dict with two parameters swapped). The module's own state_dict is the common
// case of aliasing and is a no-op, entry by entry.
CopyPlan plan_copies(const StateDict& targets, const std::vector<const Tensor*>& sources, Origin origin) {
  std::vector<std::uint64_t> module_storages;  // sorted, with repeats (tied weights)
  module_storages.reserve(targets.size());
  for (const auto& item : targets) module_storages.push_back(item.value().storage_id());
  std::sort(module_storages.begin(), module_storages.end());
  CopyPlan plan;
  plan.tied = std::adjacent_find(module_storages.begin(), module_storages.end()) != module_storages.end();
  plan.copies.reserve(targets.size());
  std::size_t index = 0;
  for (const auto& item : targets) {
    const Tensor& target = item.value();
    const Tensor* src = sources[index++];
    if (src == nullptr) continue;
    if (same_window(*src, target)) {
      // Nothing to copy, but restoring a snapshot is a use of it: one taken before the
      // module changed is stale, and "restoring" it silently keeps the new values. And the
      // module takes what was written through the dict as its own (an edited dict loaded back).
      detail::note_restore_read(*target.impl(), *src->impl(), origin);
      detail::note_accept(*target.impl());
      continue;
    }
    const bool aliases_module =
        std::binary_search(module_storages.begin(), module_storages.end(), src->storage_id());
    plan.copies.emplace_back(target, aliases_module ? src->clone(origin) : *src);
  }
  return plan;
}

// Phase 4, apply. Dense copies within one device are queued and issued as one batch (one
// launch on a GPU, streaming stores on the host when the batch outgrows the cache); each
// records what copy_ records (see Note [Batched state-dict copies] in nn/storage_copy.h). A
// copy that cannot be batched, or a second write to a storage already queued (a tied weight
// under two keys: the later key must win), flushes the queue first, so bytes land in key
// order as with copy_ alone.
void apply_copies(const CopyPlan& plan, Origin origin) {
  detail::CopyBatch batch;
  std::unordered_set<std::uint64_t> queued;  // storages with a queued write; only if `plan.tied`
  const bool batching = detail::batched_copies_enabled();
  for (const auto& [target, src] : plan.copies) {
    const bool batchable = batching && src.device() == target.device() &&
                           src.dtype() == target.dtype() && src.sizes() == target.sizes() && target.numel() > 0 &&
                           target.is_contiguous() && src.is_contiguous() &&
                           src.storage_id() != target.storage_id();
    if (!batchable) {
      batch.flush();
      queued.clear();
      target.copy_(src, origin);
      continue;
    }
    if (plan.tied && !queued.insert(target.storage_id()).second) {
      batch.flush();
      queued = {target.storage_id()};
    }
    detail::note_read_into(*target.impl(), *src.impl(), origin);
    batch.add(target.device(), target.impl()->data(), src.impl()->data(),
              static_cast<std::size_t>(target.numel()) * element_size(target.dtype()));
    detail::note_write(*target.impl(), origin);
  }
  batch.flush();
}

}  // namespace

// Unexpected keys in PyTorch's order: each module, root first, claims the keys under its
// prefix that no submodule of it claims. Unlike PyTorch we also report keys that name a
// submodule itself ("fc") or reach below a parameter ("fc.weight.x"); PyTorch ignores
// those silently, which hides typos.
void Module::collect_unexpected(const StateDict& dict, const StateDict& targets, const std::string& prefix,
                                std::vector<std::string>& out) const {
  for (const auto& item : dict) {
    const std::string& key = item.key();
    if (targets.contains(key) || key.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = key.substr(prefix.size());
    const std::size_t dot = rest.find('.');
    if (dot != std::string::npos && children_.contains(rest.substr(0, dot))) continue;
    out.push_back(key);
  }
  for (const auto& item : children_) item.value()->collect_unexpected(dict, targets, prefix + item.key() + ".", out);
}

// See Note [Atomic load_state_dict].
LoadResult Module::load_state_dict(const StateDict& dict, bool strict, Origin origin) {
  StateDict targets;  // the live handles, not detached ones: the load writes the module
  collect_state("", targets);
  const std::vector<const Tensor*> sources = match_sources(targets, dict);

  LoadProblems problems;
  find_mismatches(targets, sources, problems);
  // Keys are unique on both sides, so when every target found its source and the sizes
  // agree, no key is left over.
  const bool every_key_matched = problems.missing.empty() && dict.size() == targets.size();
  if (!every_key_matched) collect_unexpected(dict, targets, "", problems.unexpected);
  throw_if_invalid(name_, strict, problems);

  apply_copies(plan_copies(targets, sources, origin), origin);
  return LoadResult{std::move(problems.missing), std::move(problems.unexpected)};
}

}  // namespace aliasguard::nn
