#pragma once
// Internal: the checking layer's tables, from LibTorch's tensors and storages to the
// tracker's handles and storages. See Note [Handle table] in handles.cpp.

#include <ATen/core/Tensor.h>

#include "aliasguard/tracker/tracker.h"

namespace aliasguard::torch::detail {

/// The tracker's handle for `t`, its geometry brought up to date, or nullptr when `t`'s
/// storage is not tracked (no module or snapshot ever shared it; with domains=handle every
/// storage is). `for_write`: the handle is about to write. Never throws.
tracker::Handle* handle_of(const at::Tensor& t, bool for_write = false) noexcept;

/// `view` was made from `base` by a view operator: its handle (when `base` is tracked)
/// inherits base's owner, name and what it has observed; `own_family` for detach()/data().
void note_view(const at::Tensor& base, const at::Tensor& view, bool own_family) noexcept;

/// Prints "aliasguard: internal error in <where>: <what>" once per process and goes on: a
/// checking failure never stops the user's program.
void internal_error(const char* where, const char* what) noexcept;

}  // namespace aliasguard::torch::detail
