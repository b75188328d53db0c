#pragma once
// Internal: the suppressions file (suppressions=FILE). One rule a line, `kind:pattern`:
//
//   # comments and blank lines are ignored
//   stale-snapshot-read:examples/train.cpp     origin file (full path or any '/'-suffix)
//   write-through-snapshot:evaluate            function (as written, or any '::'-suffix)
//   *:fc.*                                     state_dict key / parameter path; any kind
//
// kind is stale-snapshot-read, write-through-snapshot, shared-write or '*'. The pattern is
// matched whole, with '*' matching any run of characters, against both sides of the
// violation: the observer's and the write's origin file, function and label, and the file
// where the observing handle was created.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aliasguard/tracker/violation.h"

namespace aliasguard::tracker::detail {

/// One `kind:pattern` line of a suppressions file.
struct Suppression {
  std::optional<check::Kind> kind;  // nullopt: '*', every kind
  std::string pattern;
  unsigned line = 0;  // in its file, for messages
};

/// The rules of one suppressions file.
class Suppressions {
 public:
  /// Parses `text` (named `source` in messages) into rules; returns "" or "source:LINE: why".
  std::string parse(std::string_view text, const std::string& source);
  /// Reads and parses the file at `path`; returns "" or an error naming the file (and line).
  std::string load(const std::string& path);

  /// The first rule that matches `v`, or null.
  const Suppression* match(const check::Violation& v) const;
  const std::vector<Suppression>& rules() const { return rules_; }

 private:
  std::vector<Suppression> rules_;
};

/// The file named by options().suppressions, loaded once; a missing or malformed file prints
/// a message naming it and exits with status 1 (this happens at start-up, before main).
const Suppressions& active_suppressions();

/// Whole-string match of `pattern`, where '*' matches any run of characters (none included).
bool glob_match(std::string_view pattern, std::string_view text);
/// "void ns::Trainer::step(int) const" -> "ns::Trainer::step": what reports print and what
/// suppressions match besides the full name std::source_location gives.
std::string short_function_name(std::string_view function);

}  // namespace aliasguard::tracker::detail
