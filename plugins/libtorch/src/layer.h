#pragma once
// Internal: how the checking layer starts (threads.cpp, symbolize.cpp, dispatch.cpp).

#include <cstdint>
#include <string>
#include <vector>

#include "aliasguard/tracker/tracker.h"

namespace aliasguard::torch::detail {

/// Turns the layer's dispatch key on in this thread's included set. See Note [Dispatch key].
void enable_on_this_thread();

/// SiteHooks::current: the user's frame of the access being made on this thread (the API
/// call's site inside an ApiScope), and up to `depth` frames under it.
tracker::Site current_site(std::vector<void*>& stack, int depth);
/// SiteHooks::describe: "0x4012ab in train() train.cpp:42".
std::string describe_frame(void* pc);

}  // namespace aliasguard::torch::detail
