// The checking layer's way in: a boxed fallback on LibTorch's dispatcher that turns every
// operator call into reads, writes and views of the tracker's handles, read off the
// operator's schema. See Note [Dispatch key] and docs/design-notes.md.

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <c10/core/impl/LocalDispatchKeySet.h>
#include <torch/library.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "handles.h"
#include "layer.h"

namespace aliasguard::torch::detail {

namespace tr = aliasguard::tracker;

// Note [Dispatch key]
// The layer must see every operator call, above autograd (so the kernels of backward passes
// and the optimizers' in-place updates are calls it sees) and on every thread, without
// changing what runs. LibTorch 1.13 offers one mode key with nothing registered on it:
// TESTING_ONLY_GenericMode. (DeferredInit and TESTING_ONLY_GenericWrapper carry no fallback
// either, but torchdistx's deferred initialization owns the first, and the second is meant
// for the tensors of a wrapper type, not for a mode.) GenericMode is a functionality key
// above autograd and autocast, second from the top; a key turned on in a thread's *included* set is part of every call's key set, so the fallback
// registered on it runs first and redispatches to the keys below it. The other mode keys
// are taken: Python, PythonTLSSnapshot, FuncTorchDynamicLayerFrontMode and PythonDispatcher
// already carry fallbacks (registering a second throws). What would conflict: another
// library registering a fallback on GenericMode (LibTorch's own dispatcher tests do), which
// fails at load with "Tried to register multiple backend fallbacks". The included set is
// thread-local, so the layer turns it on for the thread that loads it and for every thread
// started after (threads.cpp); the autograd engine copies the caller's thread-local state
// into the threads that run backward, key included.
constexpr c10::DispatchKey kKey = c10::DispatchKey::TESTING_ONLY_GenericMode;

namespace {

enum class Use : std::uint8_t { None, Read, Write, ReadWrite };

// What one operator does to its tensor arguments, read off its schema once.
struct OpInfo {
  std::vector<Use> args;            // per argument
  std::vector<std::int16_t> views;  // per return: the argument it is a view of, or -1
  bool own_family = false;          // detach(), data(): a view with a family of its own
  bool copy = false;                // copy_(self, src): onto the same bytes it is an acceptance
  bool has_views = false;
  bool any = false;                 // anything to do at all
};

// Operators that touch no values: sizes, versions, autograd flags, and those that rebind a
// tensor's storage or geometry (handled when the tensor is next used).
const std::unordered_set<std::string_view>& metadata_ops() {
  static const std::unordered_set<std::string_view> names{
      "aten::size", "aten::stride", "aten::sym_size", "aten::sym_stride", "aten::sym_numel",
      "aten::sym_storage_offset", "aten::is_same_size", "aten::_version", "aten::output_nr", "aten::is_leaf",
      "aten::retain_grad", "aten::retains_grad", "aten::requires_grad_", "aten::set_data", "aten::set_",
      "aten::resize_", "aten::resize_as_", "aten::_has_same_storage_numel", "aten::is_set_to",
      "aten::_is_zerotensor", "aten::is_conj", "aten::is_neg", "aten::record_stream", "aten::_backward",
      "aten::_shape_as_tensor", "aten::is_complex", "aten::is_floating_point", "aten::is_inference",
      "aten::_fw_primal", "aten::_make_dual", "aten::_unpack_dual", "aten::detach_"};
  return names;
}

// In-place operators that replace every value they write, so the old values are not read.
const std::unordered_set<std::string_view>& overwrite_ops() {
  static const std::unordered_set<std::string_view> names{
      "aten::copy_", "aten::fill_", "aten::zero_", "aten::normal_", "aten::uniform_", "aten::random_",
      "aten::bernoulli_", "aten::exponential_", "aten::geometric_", "aten::cauchy_", "aten::log_normal_",
      "aten::_copy_from"};
  return names;
}

bool carries_tensors(const c10::TypePtr& type) {
  switch (type->kind()) {
    case c10::TypeKind::TensorType:
      return true;
    case c10::TypeKind::OptionalType:
      return carries_tensors(type->castRaw<c10::OptionalType>()->getElementType());
    case c10::TypeKind::ListType:
      return carries_tensors(type->castRaw<c10::ListType>()->getElementType());
    default:
      return false;
  }
}

bool same_alias_set(const c10::AliasInfo& a, const c10::AliasInfo& b) {
  for (const auto& set : a.beforeSets())
    if (b.beforeSets().count(set) != 0) return true;
  return false;
}

std::unique_ptr<OpInfo> read_schema(const c10::OperatorHandle& op) {
  auto info = std::make_unique<OpInfo>();
  const c10::FunctionSchema& schema = op.schema();
  const std::string& name = schema.name();
  const bool metadata = metadata_ops().count(name) != 0 || op.hasTag(at::Tag::inplace_view);
  const bool overwrite = overwrite_ops().count(name) != 0;
  const auto& args = schema.arguments();
  info->args.assign(args.size(), Use::None);
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (metadata || !carries_tensors(args[i].type())) continue;
    const c10::AliasInfo* alias = args[i].alias_info();
    if (alias != nullptr && alias->isWrite()) info->args[i] = args[i].is_out() || overwrite ? Use::Write : Use::ReadWrite;
    else info->args[i] = Use::Read;
  }
  const auto& returns = schema.returns();
  info->views.assign(returns.size(), -1);
  for (std::size_t r = 0; r < returns.size(); ++r) {
    const c10::AliasInfo* alias = returns[r].alias_info();
    if (alias == nullptr || alias->isWrite()) continue;
    for (std::size_t i = 0; i < args.size(); ++i) {
      const c10::AliasInfo* arg_alias = args[i].alias_info();
      if (arg_alias == nullptr || arg_alias->isWrite() || !same_alias_set(*alias, *arg_alias)) continue;
      info->views[r] = static_cast<std::int16_t>(i);
      info->args[i] = Use::None;  // making a view reads no values
      break;
    }
  }
  // data() makes a detached alias without saying so in its schema.
  if (name == "aten::data" && !args.empty() && !returns.empty()) {
    info->views[0] = 0;
    info->args[0] = Use::None;
  }
  info->own_family = name == "aten::detach" || name == "aten::data";
  info->copy = name == "aten::copy_" && args.size() >= 2;
  for (Use u : info->args) info->any = info->any || u != Use::None;
  for (std::int16_t v : info->views) info->has_views = info->has_views || v >= 0;
  info->any = info->any || info->has_views;
  return info;
}

// The OpInfo of `op`: a per-thread cache in front of one shared table. Schemas live as long
// as their operator's registration, which for ATen's operators is the process.
const OpInfo& info_of(const c10::OperatorHandle& op) {
  const c10::FunctionSchema* key = &op.schema();
  thread_local std::unordered_map<const c10::FunctionSchema*, const OpInfo*> cache;
  if (auto it = cache.find(key); it != cache.end()) return *it->second;
  static std::mutex lock;
  static auto* all = new std::unordered_map<const c10::FunctionSchema*, std::unique_ptr<OpInfo>>;
  std::lock_guard guard(lock);
  auto& slot = (*all)[key];
  if (!slot) slot = read_schema(op);
  cache.emplace(key, slot.get());
  return *slot;
}

template <typename Fn>
void for_each_tensor(const c10::IValue& v, const Fn& fn) {
  if (v.isTensor()) {
    fn(v.toTensor());
  } else if (v.isTensorList()) {
    for (const at::Tensor& t : v.toTensorList()) fn(t);
  } else if (v.isList()) {
    for (const c10::IValue& e : v.toListRef())
      if (e.isTensor()) fn(e.toTensor());
  }
}

bool reads(Use u) { return u == Use::Read || u == Use::ReadWrite; }
bool writes(Use u) { return u == Use::Write || u == Use::ReadWrite; }

void read(const at::Tensor& t) {
  if (tr::Handle* h = handle_of(t)) h->read(tr::kDeferredSite);
}

void write(const at::Tensor& t) {
  if (tr::Handle* h = handle_of(t, /*for_write=*/true)) h->write(tr::kDeferredSite);
}

// `dst.copy_(src)` where both are the same bytes: loading a module's own state_dict back
// (PyTorch's load_state_dict copies each entry onto its parameter). It writes nothing new: src
// is read (a stale snapshot restored is still reported) and dst takes the bytes as they are,
// writes made through the dict included. See Note [Loading a dict back] in the tracker.
bool same_bytes(const c10::IValue& dst, const c10::IValue& src) {
  if (!dst.isTensor() || !src.isTensor()) return false;
  const at::Tensor& a = dst.toTensor();
  const at::Tensor& b = src.toTensor();
  return a.defined() && b.defined() && a.has_storage() && b.has_storage() &&
         a.storage().unsafeGetStorageImpl() == b.storage().unsafeGetStorageImpl() &&
         a.storage_offset() == b.storage_offset() && a.sizes() == b.sizes() && a.strides() == b.strides() &&
         a.dtype() == b.dtype();
}

// The read of a copy onto the same bytes (Note [Kept handles] in the tracker).
void read_restored(const at::Tensor& dst, const at::Tensor& src) {
  tr::Handle* s = handle_of(src);
  if (s == nullptr) return;
  if (const tr::Handle* d = handle_of(dst))
    s->read_onto(*d, tr::kDeferredSite);
  else
    s->read(tr::kDeferredSite);
}

// `dst.copy_(src)` onto other bytes: a read of src, which restores a stale snapshot when src
// is its late deep copy and dst a module's (Note [Late deep copies] in the tracker).
void read_into(const c10::IValue& dst, const c10::IValue& src) {
  if (!dst.isTensor() || !src.isTensor()) return for_each_tensor(src, read);
  tr::Handle* s = handle_of(src.toTensor());
  if (s == nullptr) return;
  if (const tr::Handle* d = handle_of(dst.toTensor()))
    s->read_into(*d, tr::kDeferredSite);
  else
    s->read(tr::kDeferredSite);
}

void fallback(const c10::OperatorHandle& op, c10::DispatchKeySet keys, ::torch::jit::Stack* stack) {
  const c10::DispatchKeySet below = keys & c10::DispatchKeySet(c10::DispatchKeySet::FULL_AFTER, kKey);
  if (paused()) return op.redispatchBoxed(below, stack);
  const OpInfo& info = info_of(op);
  if (!info.any) return op.redispatchBoxed(below, stack);
  std::vector<at::Tensor> bases;
  bool accepted = false;
  try {
    const auto args = ::torch::jit::last(*stack, info.args.size());
    if (info.copy && same_bytes(args[0], args[1])) {
      read_restored(args[0].toTensor(), args[1].toTensor());
      if (tr::Handle* h = handle_of(args[0].toTensor())) h->observe_now();
      accepted = true;
    }
    // Every read before any write: an operator reads its inputs before it writes its outputs,
    // and `dst.copy_(src)` with both on one storage must report what src saw before the copy.
    for (std::size_t i = 0; i < info.args.size() && !accepted; ++i) {
      if (!reads(info.args[i])) continue;
      if (info.copy && i == 1)
        read_into(args[0], args[1]);
      else
        for_each_tensor(args[i], read);
    }
    for (std::size_t i = 0; i < info.args.size() && !accepted; ++i)
      if (writes(info.args[i])) for_each_tensor(args[i], write);
    if (info.has_views)
      for (std::int16_t v : info.views)
        bases.push_back(v >= 0 && args[static_cast<std::size_t>(v)].isTensor() ? args[static_cast<std::size_t>(v)].toTensor()
                                                                             : at::Tensor());
  } catch (const std::exception& e) {
    internal_error(op.schema().name().c_str(), e.what());
  }
  op.redispatchBoxed(below, stack);
  if (bases.empty()) return;
  try {
    const auto returns = ::torch::jit::last(*stack, info.views.size());
    for (std::size_t r = 0; r < info.views.size(); ++r)
      if (bases[r].defined())
        for_each_tensor(returns[r], [&](const at::Tensor& t) { note_view(bases[r], t, info.own_family); });
  } catch (const std::exception& e) {
    internal_error(op.schema().name().c_str(), e.what());
  }
}

}  // namespace

void enable_on_this_thread() { c10::impl::tls_set_dispatch_key_included(kKey, true); }

bool enabled_on_this_thread() noexcept { return c10::impl::tls_is_dispatch_key_included(kKey); }

bool set_enabled_on_this_thread(bool on) {
  const bool was = c10::impl::tls_is_dispatch_key_included(kKey);
  c10::impl::tls_set_dispatch_key_included(kKey, on);
  return was;
}

}  // namespace aliasguard::torch::detail

TORCH_LIBRARY_IMPL(_, TESTING_ONLY_GenericMode, m) {
  m.fallback(torch::CppFunction::makeFromBoxedFunction<&aliasguard::torch::detail::fallback>());
}
