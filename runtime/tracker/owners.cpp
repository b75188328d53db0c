// Owner ids and the names reports print: labels ("fc.weight"), owners ("snapshot #3") and
// devices ("cuda:0").

#include <array>
#include <atomic>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "registry.h"
#include "tracker_internal.h"

namespace aliasguard::tracker {
namespace {

std::array<std::atomic<std::uint32_t>, 3> g_next_owner_id{1, 1, 1};

// Labels are looked up from destructors that may run during static destruction, so the
// table is created once and never destroyed.
struct LabelTable {
  std::shared_mutex lock;
  std::unordered_map<std::string, std::uint32_t> ids;
  std::deque<std::string> names{std::string()};  // label 0 is "no name"
};
LabelTable& labels() {
  static auto* table = new LabelTable;
  return *table;
}

}  // namespace

Owner new_owner(OwnerKind kind) {
  return Owner{kind, g_next_owner_id[static_cast<std::size_t>(kind)].fetch_add(1, std::memory_order_relaxed)};
}

std::uint32_t intern_label(std::string_view name) {
  if (name.empty()) return 0;
  LabelTable& t = labels();
  {
    std::shared_lock read(t.lock);
    if (auto it = t.ids.find(std::string(name)); it != t.ids.end()) return it->second;
  }
  std::unique_lock write(t.lock);
  auto [it, inserted] = t.ids.try_emplace(std::string(name), static_cast<std::uint32_t>(t.names.size()));
  if (inserted) t.names.emplace_back(name);
  return it->second;
}

std::string label_name(std::uint32_t label) {
  LabelTable& t = labels();
  std::shared_lock read(t.lock);
  return label < t.names.size() ? t.names[label] : std::string();
}

namespace detail {

std::string owner_name(Owner owner) {
  switch (owner.kind) {
    case OwnerKind::Module:
      return owner.id == 0 ? "module" : "module #" + std::to_string(owner.id);
    case OwnerKind::Snapshot:
      return "snapshot #" + std::to_string(owner.id);
    case OwnerKind::User:
      return "user #" + std::to_string(owner.id);
  }
  return "owner #" + std::to_string(owner.id);
}

std::string device_name(int device_type, int device_index) {
  if (device_type == 0) return "cpu";
  if (device_type == 1) return "cuda:" + std::to_string(device_index);
  return "device" + std::to_string(device_type) + ":" + std::to_string(device_index);
}

}  // namespace detail
}  // namespace aliasguard::tracker
