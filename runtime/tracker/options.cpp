// ALIASGUARD_OPTIONS: parsing the flag table (flags.inc) and printing it for help=1.
//
// Syntax (as sanitizer_common's flag parser): `name=value` pairs separated by ':', ',' or
// whitespace; a value may be quoted with '...' or "..." to contain a separator
// (log_path='C:/x y'). Empty items are skipped. bool: 0/1/true/false/yes/no; int: decimal,
// within the flag's range; enums: the listed words; strings: as written (may be empty).
// Anything else — an unknown name, an item without '=', a bad value — is an error that
// names the flag: the program stops at start-up rather than run with a setting it did not ask
// for.

#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <unistd.h>

#include "options.h"
#include "suppressions.h"

// A program may define this to bake in its defaults (as __asan_default_options); weak, so
// the tracker links without it. Its address is null when no one defines it.
extern "C" __attribute__((weak)) const char* __aliasguard_default_options();

namespace aliasguard::tracker::detail {
namespace {

using string = std::string;

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// --- One parser per flag type; each returns "" or what the value should have been. ---

std::string parse_value(std::string_view text, bool& out) {
  if (text == "1" || text == "true" || text == "yes") {
    out = true;
    return {};
  }
  if (text == "0" || text == "false" || text == "no") {
    out = false;
    return {};
  }
  return "0|1|true|false|yes|no";
}

// An int flag's value, within its range (AG_INT_FLAG's Min..Max).
std::string parse_int(std::string_view text, int min, int max, int& out) {
  const std::string expected =
      "an integer in " + std::to_string(min) + ".." + (max == INT_MAX ? std::string("") : std::to_string(max));
  long long value = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  auto [end, ec] = std::from_chars(first, last, value, 10);
  if (text.empty() || ec != std::errc() || end != last || value < min || value > max) {
    return expected;
  }
  out = static_cast<int>(value);
  return {};
}

// An int flag is an AG_INT_FLAG: its range is part of its entry in flags.inc.
std::string parse_value(std::string_view, int&) = delete;

std::string parse_value(std::string_view text, string& out) {
  out = std::string(text);
  return {};
}

std::string parse_value(std::string_view text, DetectMode& out) {
  if (text == "read") out = DetectMode::Read;
  else if (text == "write") out = DetectMode::Write;
  else return "read|write";
  return {};
}

std::string parse_value(std::string_view text, DomainMode& out) {
  if (text == "owner") out = DomainMode::Owner;
  else if (text == "handle") out = DomainMode::Handle;
  else return "owner|handle";
  return {};
}

std::string parse_value(std::string_view text, ReportFormat& out) {
  if (text == "text") out = ReportFormat::Text;
  else if (text == "json") out = ReportFormat::Json;
  else return "text|json";
  return {};
}

// --- And one printer per type, for help=1. ---

std::string value_text(bool v) { return v ? "true" : "false"; }
std::string value_text(int v) { return std::to_string(v); }
std::string value_text(const string& v) { return quoted(v); }

std::string value_text(DetectMode v) {
  switch (v) {
    case DetectMode::Read: return "read";
    case DetectMode::Write: return "write";
  }
  return "?";
}

std::string value_text(DomainMode v) {
  switch (v) {
    case DomainMode::Owner: return "owner";
    case DomainMode::Handle: return "handle";
  }
  return "?";
}

std::string value_text(ReportFormat v) {
  switch (v) {
    case ReportFormat::Text: return "text";
    case ReportFormat::Json: return "json";
  }
  return "?";
}

// Every int flag's default is a value it accepts.
#define AG_FLAG(Type, Name, Default, Description)
#define AG_INT_FLAG(Name, Default, Min, Max, Description) \
  static_assert((Min) <= (Default) && (Default) <= (Max), "the default of " #Name " is outside its range");
#include "flags.inc"
#undef AG_INT_FLAG
#undef AG_FLAG

// Sets one flag; "" or the error message.
std::string set_flag(std::string_view name, std::string_view value, Options& into) {
#define AG_SET_FLAG(Name, Parse)                                                       \
  if (name == #Name) {                                                                 \
    std::string expected = Parse;                                                      \
    if (!expected.empty()) {                                                           \
      return "flag '" #Name "' expects " + expected + ", got " + quoted(value);        \
    }                                                                                  \
    return {};                                                                         \
  }
#define AG_FLAG(Type, Name, Default, Description) AG_SET_FLAG(Name, parse_value(value, into.Name))
#define AG_INT_FLAG(Name, Default, Min, Max, Description) AG_SET_FLAG(Name, parse_int(value, Min, Max, into.Name))
#include "flags.inc"
#undef AG_INT_FLAG
#undef AG_FLAG
#undef AG_SET_FLAG
  return "unknown flag " + quoted(name);
}

bool is_separator(char c) { return c == ':' || c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string help_text(const Options& o) {
  std::string out = "Available flags for AliasGuard (ALIASGUARD_OPTIONS=name=value:name=value):\n";
#define AG_FLAG(Type, Name, Default, Description)                                     \
  out += "\t" #Name "\n\t\t- " Description " (Current Value: " + value_text(o.Name) + ")\n";
#include "flags.inc"
#undef AG_FLAG
  return out;
}

[[noreturn]] void die(const std::string& message) {
  const std::string line = "AliasGuard: ERROR: " + message + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
  _exit(1);
}

// Never inlined into options(): that made every call of options(), twice per tracked write,
// save and restore five registers for a parse that runs once.
__attribute__((noinline)) Options parse_startup_options() {
  Options o;
  if (&__aliasguard_default_options != nullptr) {
    if (const char* text = __aliasguard_default_options()) {
      if (std::string error = parse_options(text, o); !error.empty()) die("__aliasguard_default_options(): " + error);
    }
  }
  if (const char* text = std::getenv("ALIASGUARD_OPTIONS")) {
    if (std::string error = parse_options(text, o); !error.empty()) die("ALIASGUARD_OPTIONS: " + error);
  }
  if (o.help) {
    const std::string text = help_text(o);
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
  return o;
}

// Parses (and so validates) the options, and loads the suppressions file, before main: a
// mistake in either stops the program before it does any work.
[[maybe_unused]] const bool startup_parsed = [] {
  (void)options();
  (void)active_suppressions();
  return true;
}();

}  // namespace

std::string parse_options(const std::string& text, Options& into) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    while (i < n && is_separator(text[i])) ++i;
    if (i == n) break;
    const std::size_t name_begin = i;
    while (i < n && text[i] != '=' && !is_separator(text[i])) ++i;
    const std::string name = text.substr(name_begin, i - name_begin);
    if (i == n || text[i] != '=') {
      return "expected name=value, got " + quoted(name);
    }
    ++i;  // '='
    std::string value;
    if (i < n && (text[i] == '\'' || text[i] == '"')) {
      const char quote = text[i++];
      const std::size_t close = text.find(quote, i);
      if (close == std::string::npos) return "flag " + quoted(name) + ": unterminated quoted value";
      value = text.substr(i, close - i);
      i = close + 1;
      if (i < n && !is_separator(text[i])) return "flag " + quoted(name) + ": text after the closing quote";
    } else {
      const std::size_t value_begin = i;
      while (i < n && !is_separator(text[i])) ++i;
      value = text.substr(value_begin, i - value_begin);
    }
    if (std::string error = set_flag(name, value, into); !error.empty()) return error;
  }
  return {};
}

const Options& options() {
  // A function-local static, so a static initializer elsewhere that reaches the tracker
  // before startup_parsed runs still sees parsed options.
  static const Options parsed = parse_startup_options();
  return parsed;
}

}  // namespace aliasguard::tracker::detail
