#pragma once
// Internal: how the checking layer starts and finds sites (threads.cpp, symbolize.cpp,
// dispatch.cpp, handles.cpp); no LibTorch headers, so symbolize.cpp and threads.cpp stay light.

#include <cstdint>
#include <string>
#include <vector>

#include "aliasguard/torch_call_site.h"
#include "aliasguard/tracker/tracker.h"

namespace aliasguard::torch::detail {

/// The user's call being served by the API on this thread (an ApiScope), or nullptr.
const CallSite* api_site() noexcept;
/// Whether operator calls on this thread are skipped (inside an ApiScope, outside a
/// CheckedScope).
bool paused() noexcept;

/// Turns the layer's dispatch key on in this thread's included set. See Note [Dispatch key].
void enable_on_this_thread();
/// Turns it on or off for this thread; returns whether it was on.
bool set_enabled_on_this_thread(bool on);
/// Whether it is on for this thread (checks made outside the dispatcher follow it: save.cpp).
bool enabled_on_this_thread() noexcept;

/// SiteHooks::current: the user's frame of the access being made on this thread (the API
/// call's site inside an ApiScope), and up to `depth` frames under it.
tracker::Site current_site(std::vector<void*>& stack, int depth);
/// SiteHooks::snapshot_alive: whether a tensor of snapshot `owner` is still alive
/// (handles.cpp). See Note [Kept snapshots] in the tracker.
bool snapshot_alive(tracker::Owner owner) noexcept;
/// SiteHooks::describe: "0x4012ab in train() train.cpp:42".
std::string describe_frame(void* pc);

}  // namespace aliasguard::torch::detail
