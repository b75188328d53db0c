// AliasGuard::torch: the API without the checking layer. Every mark is nothing, so the
// state_dict API costs what its operator calls cost.

#include "marks.h"

namespace aliasguard::torch::detail {

bool checking() { return false; }
void mark_module(const at::Tensor&, std::string_view) {}
std::uint32_t new_snapshot_owner() { return 0; }
std::uint32_t new_user_owner() { return 0; }
void mark_snapshot(const at::Tensor&, std::uint32_t, std::string_view, const CallSite&) {}
void mark_copy(const at::Tensor&, std::uint32_t, std::string_view, const CallSite&) {}
void mark_copied_from(const at::Tensor&, const at::Tensor&, const CallSite&) {}
ApiScope::ApiScope(const CallSite&) : previous_(nullptr) {}
ApiScope::~ApiScope() = default;
CheckedScope::CheckedScope() : previous_(false) {}
CheckedScope::~CheckedScope() = default;

}  // namespace aliasguard::torch::detail
