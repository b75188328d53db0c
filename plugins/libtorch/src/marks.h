#pragma once
// Internal: what the public API (state_dict.cpp) tells the checking layer. In
// AliasGuard::torch_checked the layer (handles.cpp) implements these; in AliasGuard::torch
// they do nothing (marks_off.cpp). Same header, same ABI, chosen at link time.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string_view>

#include "aliasguard/torch_call_site.h"

namespace aliasguard::torch::detail {

/// Whether operator calls are checked (the checked library is linked).
bool checking();

/// `t` is parameter or buffer `path` of a module: the live tensor its snapshots are taken from.
void mark_module(const at::Tensor& t, std::string_view path);
/// A fresh owner id for the entries of one snapshot (state_dict call), or of one deep copy.
std::uint32_t new_snapshot_owner();
std::uint32_t new_user_owner();
/// `t` is entry `key` of snapshot `owner`, made at `at`: it has seen the bytes as they are
/// now, and the other tensors on its storage are the live ones.
void mark_snapshot(const at::Tensor& t, std::uint32_t owner, std::string_view key, const CallSite& at);
/// `t` is entry `key` of a private copy (deep_copy) owned by user owner `owner`.
void mark_copy(const at::Tensor& t, std::uint32_t owner, std::string_view key, const CallSite& at);
/// `copy` (marked with mark_copy) was just deep-copied from `source` at `at`: not a use of
/// `source`, but a stale snapshot's copy restored into a module later is that stale read.
/// See Note [Late deep copies] in the tracker.
void mark_copied_from(const at::Tensor& copy, const at::Tensor& source, const CallSite& at);

/// Within its scope the API's own operator calls on this thread are not checked one by one
/// (the API notes what they mean instead), and reads and writes that the API does note are
/// reported at `at`, the user's call.
class ApiScope {
 public:
  explicit ApiScope(const CallSite& at);
  ~ApiScope();
  ApiScope(const ApiScope&) = delete;
  ApiScope& operator=(const ApiScope&) = delete;

 private:
  const CallSite* previous_;
};

/// Within its scope, inside an ApiScope, operator calls are checked again, and reported at
/// the ApiScope's site (load_state_dict's copies are real reads of the dict and real writes
/// of the module).
class CheckedScope {
 public:
  CheckedScope();
  ~CheckedScope();
  CheckedScope(const CheckedScope&) = delete;
  CheckedScope& operator=(const CheckedScope&) = delete;

 private:
  bool previous_;
};

}  // namespace aliasguard::torch::detail
