// Call sites that are not std::source_locations: interned strings, deferred sites and the
// hooks that resolve them, and handles created at such sites (SitedHandle).

#include <cstring>
#include <mutex>
#include <string>
#include <type_traits>
#include <unordered_set>

#include "options.h"
#include "registry.h"
#include "tracker_internal.h"

namespace aliasguard::tracker {

// Note [Deferred sites]
// A tensor library's dispatcher sees an operator call, not the user's line: the site is
// somewhere up the stack, and walking and symbolizing the stack costs microseconds, far too
// much for every tracked access. So an access may pass kDeferredSite and the tracker asks
// SiteHooks::current for the site only when it is needed, on the accessing thread, while
// the access is still on the stack:
// - a read's site is needed only when the read is reported, which happens inside the read;
// - a write's site is needed only if a handle of *another owner* may later report the write.
//   A handle starts out having observed every earlier write, so only handles alive at the
//   write can, and the layer that makes the handles knows when a storage first gets a handle
//   of another owner (a snapshot of a module's parameter): it calls
//   Storage::record_write_sites() then, and from that write on sites are resolved when made,
//   until the layer sees no such handle alive any more and turns it off again. Other writes
//   keep kUnrecordedSite. With detect=write every write is compared at once,
//   so its site is resolved at once too.
// A read the hooks find is no use of the values (printing, as ScopedUntracked marks for
// aliasguard's own runtime) returns kNotAUseSite: it is not reported, and the handle goes back
// to what it had observed, so a later real use still reports the write.
// The hooks also describe the frames of a report's stack, so stacks captured by the tracker
// itself are printed by the same symbolizer.

namespace {

SiteHooks g_hooks;

struct InternedStrings {
  std::mutex lock;
  std::unordered_set<std::string> strings;
};

const char* intern_string(std::string_view s) {
  static auto* table = new InternedStrings;  // never destroyed: reports may run at exit
  std::lock_guard guard(table->lock);
  return table->strings.emplace(s).first->c_str();
}

std::source_location sited_origin() { return std::source_location::current(); }

// The `created` origin of every SitedHandle's Handle. See Note [C origins] in c_api.cpp.
const std::source_location& sited_marker() {
  static const std::source_location m = sited_origin();
  return m;
}

}  // namespace

Site intern_site(std::string_view file, std::uint32_t line, std::string_view function) {
  return Site{intern_string(file), intern_string(function), line};
}

void set_site_hooks(const SiteHooks& hooks) { g_hooks = hooks; }

bool strict_domains() { return detail::options().domains == detail::DomainMode::Handle; }

bool keeps_live_handles() { return detail::keeps_live_handles(); }

SitedHandle::SitedHandle(Storage& storage, Extent extent, Owner owner, std::uint32_t label, Site at)
    : handle(storage, extent, owner, label, sited_marker()), created(at) {}

SitedHandle::SitedHandle(const Handle& source, Storage& storage, Extent extent, Site at)
    : handle(source, storage, extent, sited_marker()), created(at) {}

static_assert(std::is_standard_layout_v<SitedHandle>,
              "created_site() converts a Handle* to its enclosing SitedHandle*; see Note [C origins]");

namespace detail {

const SiteHooks& site_hooks() { return g_hooks; }

Site resolve_deferred(std::vector<void*>& stack) {
  if (g_hooks.current == nullptr) return Site{};
  Site at = g_hooks.current(stack, options().stack_depth);
  if (at.file == nullptr && !is_not_a_use(at)) at = Site{};
  return at;
}

Site created_site(const Handle& handle) {
  const std::source_location created = handle.created();
  const std::source_location& m = sited_marker();
  if (created.line() == m.line() && std::strcmp(created.file_name(), m.file_name()) == 0 &&
      std::strcmp(created.function_name(), m.function_name()) == 0)
    return reinterpret_cast<const SitedHandle*>(&handle)->created;
  return site_of(created);
}

}  // namespace detail
}  // namespace aliasguard::tracker
