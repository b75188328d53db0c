// check::dump_alias_graph in-process: the file, the storages, and what happens when live
// handles are not tracked. (With handles tracked from start-up: run_probe.py dump_alias_graph.)

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <source_location>
#include <sstream>
#include <string>

#include <unistd.h>

#include "aliasguard/base_error.h"
#include "aliasguard/tracker/tracker.h"
#include "aliasguard/tracker/violation.h"
#include "registry.h"

namespace aliasguard::tracker {
namespace {

std::string read_all(const std::string& path) {
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

TEST(AliasGraph, ListsEveryLiveStorage) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("ag_graph_" + std::to_string(getpid()) + ".dot")).string();
  Storage a(16);
  Storage b(48);
  const Owner module = new_owner(OwnerKind::Module);
  const Owner snapshot = new_owner(OwnerKind::Snapshot);
  Handle parameter(a, Extent{0, 16, 1, 16, true}, module, intern_label("fc.weight"), std::source_location::current());
  Handle entry(a, Extent{8, 8, 1, 8, true}, snapshot, intern_label("fc.weight"), std::source_location::current());
  check::dump_alias_graph(path);
  const std::string dot = read_all(path);
  std::filesystem::remove(path);

  EXPECT_EQ(dot.rfind("digraph aliasguard {\n", 0), 0u) << dot;
  EXPECT_EQ(dot.substr(dot.size() - 2), "}\n");
  EXPECT_NE(dot.find("label=\"storage #" + std::to_string(a.id()) + "\\ncpu, 16 bytes\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("label=\"storage #" + std::to_string(b.id()) + "\\ncpu, 48 bytes\""), std::string::npos) << dot;
  if (detail::keeps_live_handles()) {
    EXPECT_NE(dot.find("module 'fc.weight'\\nbytes [0, 16)"), std::string::npos) << dot;
    EXPECT_NE(dot.find("label=\"shares bytes [8, 16)\""), std::string::npos) << dot;
  } else {
    EXPECT_NE(dot.find("set dump_alias_graph=FILE at start-up"), std::string::npos) << dot;
    EXPECT_EQ(dot.find("fc.weight"), std::string::npos) << dot;
  }
}

TEST(AliasGraph, AnUnwritableFileThrowsNamingIt) {
  try {
    check::dump_alias_graph("/nonexistent-dir/graph.dot");
    FAIL() << "expected aliasguard::Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "dump_alias_graph: cannot write '/nonexistent-dir/graph.dot'");
  }
}

}  // namespace
}  // namespace aliasguard::tracker
