// aliasguard::check in aliasguard::runtime, where tracking is compiled out. The checked
// runtime gets these from the tracker (runtime/tracker/report.cpp, graph.cpp) instead.

#include "aliasguard/check.h"
#include "aliasguard/error.h"

namespace aliasguard::check {

bool enabled() { return false; }
std::vector<Violation> violations() { return {}; }
void reset() {}

void dump_alias_graph(const std::string& path) {
  throw Error("cannot write the alias graph to '" + path +
              "': this program links aliasguard::runtime, where tracking is compiled out; link "
              "aliasguard::runtime_checked (aliasguard_link_runtime in CMake does so in Debug builds)");
}

}  // namespace aliasguard::check
