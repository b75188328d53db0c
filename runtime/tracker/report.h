#pragma once
// Internal: where detected violations go. The detector (tracker.cpp) builds a
// check::Violation; report() applies suppressions, de-duplication and max_reports, prints it
// (text or JSON, stderr or log_path), records it for check::violations(), and halts when
// halt_on_error is set.

#include "aliasguard/tracker/violation.h"

namespace aliasguard::tracker::detail {

/// Reports `v` unless suppressed or a duplicate; thread-safe. Returns true if it counted.
bool report(check::Violation v);
/// Called once when the tracker is first used: installs the at-exit summary, exit code and
/// dump_alias_graph.
void install_exit_handler();

}  // namespace aliasguard::tracker::detail
