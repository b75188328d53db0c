#pragma once
// Internal: where detected violations go. The detector (tracker.cpp) builds a
// check::Violation; report() applies suppressions, de-duplication and max_reports, prints it
// (text or JSON, stderr or log_path), records it for check::violations(), and halts when
// halt_on_error is set.

#include "aliasguard/tracker/violation.h"

namespace aliasguard::tracker::detail {

/// Reports `v` unless suppressed or a duplicate; thread-safe. Returns true if it counted.
bool report(check::Violation v);
/// When the access being reported was made inside aliasguard's runtime sources, gives it the
/// first frame of the current stack outside them (library_sites.cpp, Note [Library sites]).
void move_library_site_to_caller(check::Violation& v);
/// Called once when the tracker is first used: installs the at-exit summary, exit code and
/// dump_alias_graph.
void install_exit_handler();

}  // namespace aliasguard::tracker::detail
