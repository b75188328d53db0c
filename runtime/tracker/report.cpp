// Reporting violations: suppression, de-duplication, counting, printing (text or JSON, to
// stderr or log_path.PID), halt_on_error, and the at-exit summary and exit code. This is the
// slow path: one mutex serialises it, which also keeps reports from interleaving.

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <unistd.h>

#include "aliasguard/base_error.h"
#include "options.h"
#include "report.h"
#include "report_format.h"
#include "suppressions.h"

namespace aliasguard::tracker::detail {
namespace {

using check::Access;
using check::Violation;

constexpr const char* kSeparator = "=================================================================\n";

std::string range_text(std::uint64_t begin, std::uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

// "examples/train.cpp:12 in main"; parts that are unknown are left out.
std::string location(const std::string& file, unsigned line, const std::string& function) {
  if (file.empty()) return "<unknown location>";
  std::string out = file;
  if (line != 0) out += ":" + std::to_string(line);
  if (!function.empty()) out += " in " + short_function_name(function);
  return out;
}

// "snapshot #1 'fc.weight'"
std::string who(const Access& a) {
  std::string out = a.owner.empty() ? std::string("an unknown owner") : a.owner;
  if (!a.label.empty()) out += " '" + a.label + "'";
  return out;
}

// "bytes [0, 52)", or for a strided view "bytes [0, 52) in 4 runs of 4 bytes, 16 apart".
std::string bytes_text(const Access& a) {
  std::string out = "bytes " + range_text(a.begin, a.end);
  if (a.runs > 1)
    out += " in " + std::to_string(a.runs) + " runs of " + std::to_string(a.run_bytes) + " bytes, " +
           std::to_string(a.run_stride) + " apart";
  return out;
}

std::string access_text(const Access& a) {
  return who(a) + ", " + bytes_text(a) + ", at epoch " + std::to_string(a.epoch);
}

// "    #0 file:line in function", then the recorded stack as #1, #2, ...
std::string frames(const Access& a) {
  std::string out = "    #0 " + location(a.file, a.line, a.function) + "\n";
  for (std::size_t i = 0; i < a.stack.size(); ++i) {
    out += "    #" + std::to_string(i + 1) + " " + a.stack[i] + "\n";
  }
  return out;
}

std::string created_text(const Violation& v) {
  if (v.observer_created_file.empty()) return {};
  return "  handle created at " + location(v.observer_created_file, v.observer_created_line, {}) + "\n";
}

// A stale read found where a late deep copy of the snapshot was restored (Note [Late deep
// copies] in tracker.cpp): where the copy was made.
std::string copied_text(const Violation& v) {
  if (v.copied_file.empty()) return {};
  return "  deep-copied at " + location(v.copied_file, v.copied_line, {}) +
         ", after the write: the copy holds the written values (deep-copy when taking the snapshot)\n";
}

std::string earlier_write_text(const Access& w) {
  std::string out = "saw an earlier write no longer in the log";
  std::string details;
  if (!w.owner.empty()) details += "through " + who(w);
  if (w.end > w.begin) details += (details.empty() ? "" : ", ") + std::string("bytes ") + range_text(w.begin, w.end);
  if (w.epoch != 0) details += (details.empty() ? "" : ", ") + std::string("by epoch ") + std::to_string(w.epoch);
  if (!details.empty()) out += " (" + details + ")";
  return out + "\n    #0 <not recorded: the storage's write log overflowed>\n";
}

std::string storage_text(const Violation& v) {
  std::string out = "storage #" + std::to_string(v.storage_id) + ": " + v.device + ", " +
                    std::to_string(v.storage_bytes) + " bytes";
  const std::uint64_t begin = std::max(v.observer.begin, v.write.begin);
  const std::uint64_t end = std::min(v.observer.end, v.write.end);
  if (v.write_known && begin < end) {
    const bool runs = v.observer.runs > 1 || v.write.runs > 1;  // the overlap is not one range
    out += v.may_overlap ? ", may share bytes within " + range_text(begin, end) +
                               " (strided views, not compared exactly)"
                         : (runs ? ", shares bytes within " : ", shared bytes ") + range_text(begin, end);
  }
  return out + "\n";
}

// The cause and the fix of violation_kinds.h, and how to silence the kind.
// A report whose reading line is Python code gives the fix in Python.
// A snapshot that saw a write made through another snapshot, not through the module, has its
// own cause: the kinds' table names the module's writes.
std::string hint(const Violation& v, const std::string& file) {
  const bool python = file.size() > 3 && file.compare(file.size() - 3, 3, ".py") == 0;
  std::string text;
  switch (v.kind) {
#define AG_KIND_HINT(Enumerator, Name, Cause, Fix, PythonFix) \
  case check::Kind::Enumerator: text = python ? Cause " " PythonFix : Cause " " Fix; break;
    AG_FOR_EACH_VIOLATION_KIND(AG_KIND_HINT)
#undef AG_KIND_HINT
  }
  if (v.kind == check::Kind::StaleSnapshotRead && v.write.owner.rfind("snapshot", 0) == 0) {
    const std::string module_cause = "the module's writes change it.";
    const auto at = text.find(module_cause);
    if (at != std::string::npos)
      text.replace(at, module_cause.size(),
                   "a write through another state_dict of it (" + v.write.owner + ") changes it too.");
  }
  const check::Kind kind = v.kind;
  return "HINT: " + text + " To silence: ALIASGUARD_OPTIONS=suppressions=FILE with a line '" +
         check::kind_name(kind) + ":<file, function or key>'.\n";
}

// --- JSON ---

void append_codepoint_escape(std::string& out, unsigned c) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\u00";
  out += kHex[(c >> 4) & 0xF];
  out += kHex[c & 0xF];
}

// Length of the well-formed UTF-8 sequence at s[i], or 0 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned c = byte(i);
  std::size_t n = 0;
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
  else return 0;
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return n;
}

std::string json_access(const Access& a) {
  std::string out = "{\"owner\":" + json_string(a.owner) + ",\"label\":" + json_string(a.label) +
                    ",\"file\":" + json_string(a.file) + ",\"line\":" + std::to_string(a.line) +
                    ",\"function\":" + json_string(a.function) + ",\"begin\":" + std::to_string(a.begin) +
                    ",\"end\":" + std::to_string(a.end) + ",\"epoch\":" + std::to_string(a.epoch) +
                    (a.runs > 1 ? ",\"runs\":" + std::to_string(a.runs) + ",\"run_bytes\":" +
                                      std::to_string(a.run_bytes) + ",\"run_stride\":" + std::to_string(a.run_stride)
                                : std::string()) +
                    ",\"stack\":[";
  for (std::size_t i = 0; i < a.stack.size(); ++i) {
    if (i != 0) out += ",";
    out += json_string(a.stack[i]);
  }
  return out + "]}";
}

// --- State ---

struct ReportState {
  std::mutex mutex;
  std::vector<Violation> recorded;
  std::unordered_map<std::string, std::size_t> seen;  // dedup key -> its index in `recorded`
  ReportCounts counts;
  std::FILE* out = nullptr;  // null until the first report; stderr or the log file
  std::string out_path;      // the log_path `out` was opened for
};

// Never destroyed: reports may come from other static destructors and the at-exit handler.
ReportState& state() {
  static ReportState* s = new ReportState;
  return *s;
}

// The report stream for `log_path`, opened lazily; a log file that cannot be opened is
// reported once on stderr, and reports then go to stderr.
std::FILE* stream(ReportState& s, const std::string& log_path) {
  if (s.out != nullptr && s.out_path == log_path) return s.out;
  if (s.out != nullptr && s.out != stderr) std::fclose(s.out);
  s.out = stderr;
  s.out_path = log_path;
  if (!log_path.empty()) {
    const std::string file = log_path + "." + std::to_string(getpid());
    if (std::FILE* f = std::fopen(file.c_str(), "a")) {
      s.out = f;
    } else {
      const int error = errno;
      const std::string message = "AliasGuard: ERROR: cannot open log file '" + file + "': " +
                                  std::strerror(error) + "; reporting to stderr\n";
      std::fwrite(message.data(), 1, message.size(), stderr);
    }
  }
  return s.out;
}

void emit(std::FILE* out, const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), out);
  std::fflush(out);
}

std::string dedup_key(const Violation& v) {
  return std::string(check::kind_name(v.kind)) + "|" + v.observer.file + ":" + std::to_string(v.observer.line) +
         "|" + v.write.file + ":" + std::to_string(v.write.line);
}

// The entry `label` made the same violation as `kept` at the same two lines.
void merge_entry(Violation& kept, const std::string& label) {
  constexpr std::size_t kMostEntries = 4096;  // a bound on memory, far above any model's keys
  if (label.empty() || label == kept.observer.label || kept.also_entries.size() >= kMostEntries) return;
  if (std::find(kept.also_entries.begin(), kept.also_entries.end(), label) == kept.also_entries.end())
    kept.also_entries.push_back(label);
}

// "AliasGuard: the stale-snapshot-read at train.py:40 also covers 3 more entries: 'fc.bias',
// ..." for each report that merged others (at most 16 names each).
std::string merged_entries_text(const std::vector<Violation>& recorded) {
  constexpr std::size_t kNamesShown = 16;
  std::string text;
  for (const Violation& v : recorded) {
    const std::size_t n = v.also_entries.size();
    if (n == 0) continue;
    text += "AliasGuard: the " + std::string(check::kind_name(v.kind)) + " at " +
            location(v.observer.file, v.observer.line, {}) + " also covers " + std::to_string(n) + " more " +
            (n == 1 ? "entry" : "entries") + ":";
    for (std::size_t i = 0; i < n && i < kNamesShown; ++i) text += (i ? ", '" : " '") + v.also_entries[i] + "'";
    if (n > kNamesShown) text += " and " + std::to_string(n - kNamesShown) + " more";
    text += "\n";
  }
  return text;
}

void at_exit() {
  const Options& o = options();
  if (!o.dump_alias_graph.empty()) {
    try {
      check::dump_alias_graph(o.dump_alias_graph);
    } catch (const Error& e) {
      const std::string message = std::string("AliasGuard: ERROR: ") + e.what() + "\n";
      std::fwrite(message.data(), 1, message.size(), stderr);
    }
  }
  ReportState& s = state();
  std::unique_lock lock(s.mutex);
  const ReportCounts counts = s.counts;
  if (o.print_summary && (counts.reported > 0 || counts.suppressed > 0)) {
    std::FILE* out = stream(s, o.log_path);
    std::string text;
    const std::string reported = "AliasGuard: reported " + std::to_string(counts.reported) + " violations";
    const std::string suppressed = "AliasGuard: suppressed " + std::to_string(counts.suppressed) + " violations";
    if (o.report_format == ReportFormat::Json) {
      // Keeps every line of a JSON log a JSON object.
      text = "{\"summary\":" + json_string(reported) + ",\"reported\":" + std::to_string(counts.reported) +
             ",\"suppressed\":" + std::to_string(counts.suppressed) + ",\"printed\":" +
             std::to_string(counts.printed) + "}\n";
    } else {
      text += merged_entries_text(s.recorded);
      if (counts.reported > 0) text += reported + "\n";
      if (counts.suppressed > 0) text += suppressed + "\n";
    }
    emit(out, text);
  }
  if (counts.reported > 0) {
    std::fflush(nullptr);
    _exit(o.exitcode);
  }
}

}  // namespace

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20 || c == 0x7F) append_codepoint_escape(out, c);
          else out += static_cast<char>(c);
      }
      ++i;
    } else if (const std::size_t n = utf8_length(s, i); n != 0) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\\ufffd";
      ++i;
    }
  }
  return out + "\"";
}

std::string format_text(const Violation& v, const TextStyle& style) {
  const std::string kind = check::kind_name(v.kind);
  std::string out = kSeparator;
  out += "==" + std::to_string(style.pid) + "==" + (style.halt ? "ERROR" : "WARNING") + ": AliasGuard: " + kind +
         " on storage #" + std::to_string(v.storage_id) + " (" + v.device + ", " +
         std::to_string(v.storage_bytes) + " bytes)\n";
  const std::string overlap = v.may_overlap ? " that may overlap it" : "";
  const Access* at = &v.observer;  // whose call site the SUMMARY names
  if (!style.eager) {
    out += "READ through " + access_text(v.observer) + "\n" + frames(v.observer) + created_text(v) + copied_text(v);
    if (v.write_known) {
      out += "saw a WRITE" + overlap + " through " + access_text(v.write) + "\n" + frames(v.write);
    } else {
      out += earlier_write_text(v.write);
    }
  } else {
    // detect=write: reported at the write, against a live handle that will see it.
    at = &v.write;
    out += "WRITE through " + access_text(v.write) + "\n" + frames(v.write);
    out += "is visible" + std::string(v.may_overlap ? " (may overlap)" : "") + " through " + who(v.observer) +
           ", " + bytes_text(v.observer) + "\n";
    // The detector may give the observer the write's own site; printing it twice says nothing.
    const bool own_site = v.observer.file != v.write.file || v.observer.line != v.write.line;
    if (!v.observer.file.empty() && own_site) out += frames(v.observer);
    out += created_text(v);
  }
  out += storage_text(v);
  out += "SUMMARY: AliasGuard: " + kind + " " + location(at->file, at->line, at->function) + "\n";
  out += hint(v, at->file);
  out += kSeparator;
  if (style.halt) out += "==" + std::to_string(style.pid) + "==ABORTING\n";
  return out;
}

std::string format_json(const Violation& v) {
  return "{\"kind\":" + json_string(check::kind_name(v.kind)) + ",\"observer\":" + json_access(v.observer) +
         ",\"observer_created\":{\"file\":" + json_string(v.observer_created_file) +
         ",\"line\":" + std::to_string(v.observer_created_line) + "},\"write\":" + json_access(v.write) +
         ",\"storage\":{\"id\":" + std::to_string(v.storage_id) + ",\"device\":" + json_string(v.device) +
         ",\"bytes\":" + std::to_string(v.storage_bytes) + "},\"may_overlap\":" +
         (v.may_overlap ? "true" : "false") + ",\"write_known\":" + (v.write_known ? "true" : "false") +
         (v.copied_file.empty() ? std::string()
                                : ",\"copied\":{\"file\":" + json_string(v.copied_file) +
                                      ",\"line\":" + std::to_string(v.copied_line) + "}") +
         "}\n";
}

void forget_duplicates() {
  ReportState& s = state();
  std::lock_guard lock(s.mutex);
  s.seen.clear();
}

ReportCounts report_counts() {
  ReportState& s = state();
  std::lock_guard lock(s.mutex);
  return s.counts;
}

bool report_with(const Options& o, const Suppressions& suppressions, Violation v) {
  ReportState& s = state();
  std::lock_guard lock(s.mutex);
  if (suppressions.match(v) != nullptr) {
    ++s.counts.suppressed;
    return false;
  }
  if (o.dedup) {
    const auto [first, fresh] = s.seen.try_emplace(dedup_key(v), s.recorded.size());
    if (!fresh) {
      if (first->second < s.recorded.size()) merge_entry(s.recorded[first->second], v.observer.label);
      return false;
    }
  }
  ++s.counts.reported;
  const bool print = o.max_reports == 0 || s.counts.printed < static_cast<std::uint64_t>(o.max_reports);
  if (print) {
    std::string text;
    switch (o.report_format) {
      case ReportFormat::Text:
        text = format_text(v, TextStyle{o.halt_on_error, o.detect == DetectMode::Write, static_cast<long>(getpid())});
        if (++s.counts.printed == static_cast<std::uint64_t>(o.max_reports) && !o.halt_on_error) {
          text += "AliasGuard: max_reports=" + std::to_string(o.max_reports) +
                  " reached: further violations are counted, not printed\n";
        }
        break;
      case ReportFormat::Json:
        text = format_json(v);
        ++s.counts.printed;
        break;
    }
    emit(stream(s, o.log_path), text);
  }
  s.recorded.push_back(std::move(v));
  if (o.halt_on_error) {
    std::fflush(nullptr);
    _exit(o.exitcode);
  }
  return true;
}

bool report(Violation v) {
  install_exit_handler();
  move_library_site_to_caller(v);  // before suppressions and de-duplication see the site
  return report_with(options(), active_suppressions(), std::move(v));
}

void install_exit_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    (void)state();  // constructed before the handler is registered, so alive when it runs
    std::atexit(at_exit);
  });
}

}  // namespace aliasguard::tracker::detail

namespace aliasguard::check {

bool enabled() { return true; }

std::vector<Violation> violations() {
  auto& s = tracker::detail::state();
  std::lock_guard lock(s.mutex);
  return s.recorded;
}

void reset() {
  auto& s = tracker::detail::state();
  std::lock_guard lock(s.mutex);
  s.recorded.clear();
  s.seen.clear();
  s.counts = {};
}

}  // namespace aliasguard::check
