#pragma once
// Internal: how report() formats a violation, and its pipeline with explicit options, so
// tests can check the layout and the counting without restarting the process.

#include <cstdint>
#include <string>
#include <string_view>

#include "aliasguard/tracker/violation.h"
#include "options.h"
#include "suppressions.h"

namespace aliasguard::tracker::detail {

/// What the text layout depends on besides the violation.
struct TextStyle {
  bool halt = false;   // ERROR (and ABORTING) instead of WARNING
  bool eager = false;  // detect=write: the write is the access, the observer the other side
  long pid = 0;
};

/// The sanitizer-style block, separators and trailing newline included.
std::string format_text(const check::Violation& v, const TextStyle& style);
/// One JSON object with every field of `v`, and a trailing newline.
std::string format_json(const check::Violation& v);
/// `s` as a JSON string literal, quotes included (invalid UTF-8 becomes U+FFFD).
std::string json_string(std::string_view s);

/// Violations seen since start-up or the last check::reset().
struct ReportCounts {
  std::uint64_t reported = 0;    // counted (after suppressions and de-duplication)
  std::uint64_t suppressed = 0;  // matched a suppression
  std::uint64_t printed = 0;     // written to the report stream (at most max_reports)
};
ReportCounts report_counts();
/// Forgets which violations were reported, so that dedup reports the next of each again (a
/// test runner's next test); the counts, the records and the exit status keep them.
void forget_duplicates();

/// report() with the given options and suppressions instead of the start-up ones.
bool report_with(const Options& options, const Suppressions& suppressions, check::Violation v);

}  // namespace aliasguard::tracker::detail
