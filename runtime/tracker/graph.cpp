// check::dump_alias_graph: the live storages, the handles that see them (clustered by
// owner) and the bytes handles of different owners share, as Graphviz DOT — so a user can see
// what aliases what (`dot -Tsvg graph.dot -o graph.svg`).

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "aliasguard/base_error.h"
#include "aliasguard/tracker/violation.h"
#include "options.h"
#include "registry.h"
#include "tracker_internal.h"

namespace aliasguard::tracker::detail {
namespace {

// Beyond this many "shares bytes" edges the picture is unreadable anyway; say so instead.
constexpr std::size_t kMaxShareEdges = 10000;

struct HandleInfo {
  Owner owner;
  std::uint32_t label = 0;
  std::uint32_t family = 0;
  Extent extent;
  Site created;  // created_site(): C handles keep their own site
};

struct StorageInfo {
  std::uint64_t id = 0;
  std::size_t nbytes = 0;
  int device_type = 0;
  int device_index = 0;
  std::vector<HandleInfo> handles;
};

// A DOT string literal; '\n' in `s` becomes a line break in the label.
std::string dot_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') out += "\\n";
    else out += c;
  }
  return out + "\"";
}

std::string range_text(std::uint64_t begin, std::uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

std::string extent_text(const Extent& e) {
  std::string out = "bytes " + range_text(e.begin, e.end());
  if (e.rows > 1 && e.row_stride != e.row_bytes) {
    out += "\n" + std::to_string(e.rows) + " rows of " + std::to_string(e.row_bytes) + " bytes, stride " +
           std::to_string(e.row_stride);
  }
  if (!e.exact) out += " (bounding runs)";
  return out;
}

bool same_domain(const HandleInfo& a, const HandleInfo& b, DomainMode domains) {
  switch (domains) {
    case DomainMode::Owner: return a.owner.kind == b.owner.kind && a.owner.id == b.owner.id;
    case DomainMode::Handle: return a.family == b.family;
  }
  return false;
}

std::vector<StorageInfo> collect() {
  std::vector<StorageInfo> storages;
  // Only copies under the registry lock: names are looked up after it is released.
  for_each_storage([&](const Storage& storage, int device_type, int device_index,
                       const std::vector<const Handle*>& handles) {
    StorageInfo info{storage.id(), storage.nbytes(), device_type, device_index, {}};
    info.handles.reserve(handles.size());
    for (const Handle* h : handles) {
      info.handles.push_back(HandleInfo{h->owner(), h->label(), h->family(), h->extent(), created_site(*h)});
    }
    storages.push_back(std::move(info));
  });
  std::sort(storages.begin(), storages.end(),
            [](const StorageInfo& a, const StorageInfo& b) { return a.id < b.id; });
  return storages;
}

std::string render(const std::vector<StorageInfo>& storages, bool live_handles, DomainMode domains) {
  std::string out = "digraph aliasguard {\n"
                    "  // AliasGuard alias graph: live storages, the handles that see them (one cluster\n"
                    "  // per owner) and, dashed red, the bytes handles of different owners share.\n";
  if (!live_handles) {
    out += "  // Live handles are listed only when tracked from start-up: run with\n"
           "  // ALIASGUARD_OPTIONS=dump_alias_graph=FILE (or detect=write) to see them.\n";
  }
  out += "  rankdir=LR;\n  node [fontname=\"monospace\", fontsize=10];\n"
         "  edge [fontname=\"monospace\", fontsize=9];\n";
  if (!live_handles) {
    out += "  note [shape=note, label=" +
           dot_string("handles not tracked in this run:\nset dump_alias_graph=FILE at start-up") + "];\n";
  }

  std::map<std::pair<int, std::uint32_t>, std::string> clusters;  // owner -> its handle nodes
  std::string edges;
  std::size_t share_edges = 0;
  bool truncated = false;
  std::size_t next_handle = 0;
  for (const StorageInfo& s : storages) {
    const std::string storage_node = "s" + std::to_string(s.id);
    out += "  " + storage_node + " [shape=box, style=bold, label=" +
           dot_string("storage #" + std::to_string(s.id) + "\n" + device_name(s.device_type, s.device_index) +
                      ", " + std::to_string(s.nbytes) + " bytes") +
           "];\n";
    const std::size_t first = next_handle;
    for (const HandleInfo& h : s.handles) {
      const std::string node = "h" + std::to_string(next_handle++);
      std::string label = owner_name(h.owner);
      if (h.label != 0) label += " '" + label_name(h.label) + "'";
      label += "\n" + extent_text(h.extent);
      if (h.created.file[0] != '\0') {
        label += "\ncreated at " + std::string(h.created.file) + ":" + std::to_string(h.created.line);
      }
      clusters[{static_cast<int>(h.owner.kind), h.owner.id}] +=
          "    " + node + " [shape=ellipse, label=" + dot_string(label) + "];\n";
      edges += "  " + node + " -> " + storage_node + " [label=" +
               dot_string(range_text(h.extent.begin, h.extent.end())) + "];\n";
    }
    // Overlapping pairs: sweep the handles in order of their first byte.
    std::vector<std::size_t> order(s.handles.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return s.handles[a].extent.begin < s.handles[b].extent.begin; });
    for (std::size_t i = 0; i < order.size() && !truncated; ++i) {
      const HandleInfo& a = s.handles[order[i]];
      for (std::size_t j = i + 1; j < order.size(); ++j) {
        const HandleInfo& b = s.handles[order[j]];
        if (b.extent.begin >= a.extent.end()) break;
        if (same_domain(a, b, domains)) continue;
        const Overlap ov = overlap(a.extent, b.extent);
        if (ov == Overlap::No) continue;
        if (share_edges == kMaxShareEdges) {
          truncated = true;
          break;
        }
        ++share_edges;
        const std::uint64_t begin = std::max(a.extent.begin, b.extent.begin);
        const std::uint64_t end = std::min(a.extent.end(), b.extent.end());
        const std::string words = ov == Overlap::Yes ? "shares bytes " : "may share bytes within ";
        edges += "  h" + std::to_string(first + order[i]) + " -> h" + std::to_string(first + order[j]) +
                 " [dir=none, style=dashed, color=red, fontcolor=red, constraint=false, label=" +
                 dot_string(words + range_text(begin, end)) + "];\n";
      }
    }
  }
  for (const auto& [owner, nodes] : clusters) {
    const std::string name = owner_name(Owner{static_cast<OwnerKind>(owner.first), owner.second});
    out += "  subgraph cluster_" + std::to_string(owner.first) + "_" + std::to_string(owner.second) +
           " {\n    label=" + dot_string(name) + ";\n    style=rounded;\n" + nodes + "  }\n";
  }
  out += edges;
  if (truncated) {
    out += "  // more than " + std::to_string(kMaxShareEdges) + " shared-bytes edges: the rest are left out\n";
  }
  return out + "}\n";
}

}  // namespace
}  // namespace aliasguard::tracker::detail

namespace aliasguard::check {

void dump_alias_graph(const std::string& path) {
  using namespace tracker::detail;
  const std::string text = render(collect(), keeps_live_handles(), options().domains);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error("dump_alias_graph: cannot write '" + path + "'");
  out << text;
  out.close();
  if (!out) throw Error("dump_alias_graph: cannot write '" + path + "'");
}

}  // namespace aliasguard::check
