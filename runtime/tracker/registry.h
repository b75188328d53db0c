#pragma once
// Internal: what the detector (tracker.cpp) exposes to reporting and graph dumping.

#include <functional>
#include <string>
#include <vector>

#include "aliasguard/tracker/tracker.h"

namespace aliasguard::tracker::detail {

/// "module", "snapshot #3", "user #5".
std::string owner_name(Owner owner);
/// "cpu", "cuda:0".
std::string device_name(int device_type, int device_index);
/// True when live handles are being listed per storage (detect=write or dump_alias_graph).
bool keeps_live_handles();
/// Calls `fn` for every storage alive now with its live handles (empty lists when
/// keeps_live_handles() is false). Holds the registry lock while calling.
void for_each_storage(const std::function<void(const Storage&, int device_type, int device_index,
                                               const std::vector<const Handle*>&)>& fn);

}  // namespace aliasguard::tracker::detail
