// Suppressions: parsing `kind:pattern` files and matching violations against them.

#include "suppressions.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "options.h"

namespace aliasguard::tracker::detail {
namespace {

constexpr check::Kind kAllKinds[] = {
#define AG_KIND_ENUMERATOR(Enumerator, Name, Cause, Fix, PythonFix) check::Kind::Enumerator,
    AG_FOR_EACH_VIOLATION_KIND(AG_KIND_ENUMERATOR)
#undef AG_KIND_ENUMERATOR
};

// "stale-snapshot-read, write-through-snapshot, shared-write or *": what a rule's kind may be.
std::string accepted_kinds() {
  std::string out;
  for (check::Kind k : kAllKinds) out += std::string(check::kind_name(k)) + ", ";
  out.resize(out.size() - 2);
  return out + " or *";
}

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// The path itself or any suffix that starts right after a '/': "a/b/c.cpp", "b/c.cpp", "c.cpp".
bool matches_path(std::string_view pattern, std::string_view path) {
  if (path.empty()) return false;
  if (glob_match(pattern, path)) return true;
  for (std::size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
    if (glob_match(pattern, path.substr(slash + 1))) return true;
  }
  return false;
}

// The name as written, its short form, or any suffix of the short form after a '::' (C++) or
// a '.' (a Python qualified name: "Trainer.restore" matches "restore").
bool matches_function(std::string_view pattern, std::string_view function) {
  if (function.empty()) return false;
  if (glob_match(pattern, function)) return true;
  const std::string name = short_function_name(function);
  std::string_view rest = name;
  while (true) {
    if (glob_match(pattern, rest)) return true;
    const std::size_t colons = rest.find("::");
    const std::size_t dot = rest.find('.');
    if (colons == std::string_view::npos && dot == std::string_view::npos) return false;
    if (dot < colons) rest.remove_prefix(dot + 1);
    else rest.remove_prefix(colons + 2);
  }
}

bool matches_access(std::string_view pattern, const check::Access& a) {
  return matches_path(pattern, a.file) || matches_function(pattern, a.function) ||
         (!a.label.empty() && glob_match(pattern, a.label));
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  // Greedy with one backtrack point (the last '*'): linear for the patterns people write.
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string short_function_name(std::string_view f) {
  // GCC appends " [with T = int]" to template instances.
  if (const std::size_t with = f.find(" [with "); with != std::string_view::npos && f.back() == ']') {
    f = f.substr(0, with);
  }
  // Drop the parameter list (and trailing qualifiers): the '(' matching the last ')'.
  // Only when nothing but qualifiers follows it: "main()::<lambda()>" keeps its parentheses.
  const std::size_t close = f.rfind(')');
  const bool qualifiers_only = close != std::string_view::npos &&
      f.find_first_not_of(" &constvolatilnexcpt", close + 1) == std::string_view::npos;
  if (qualifiers_only) {
    int depth = 0;
    for (std::size_t i = close + 1; i-- > 0;) {
      if (f[i] == ')') ++depth;
      if (f[i] == '(' && --depth == 0) {
        if (i > 0) f = f.substr(0, i);
        break;
      }
    }
  }
  // Drop the return type: everything up to the last space outside <...> and (...).
  int depth = 0;
  std::size_t name_begin = 0;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const char c = f[i];
    if (c == '<' || c == '(') ++depth;
    else if ((c == '>' || c == ')') && depth > 0) --depth;
    else if (c == ' ' && depth == 0) name_begin = i + 1;
  }
  // GCC spells anonymous namespaces "{anonymous}::"; they only add noise to a report.
  std::string name(trim(f.substr(name_begin)));
  constexpr std::string_view kAnonymous = "{anonymous}::";
  for (std::size_t at = name.find(kAnonymous); at != std::string::npos; at = name.find(kAnonymous, at)) {
    name.erase(at, kAnonymous.size());
  }
  return name;
}

std::string Suppressions::parse(std::string_view text, const std::string& source) {
  std::vector<Suppression> rules;
  unsigned line_no = 0;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view raw = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++line_no;
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = source + ":" + std::to_string(line_no) + ": ";
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return where + "expected kind:pattern, got '" + std::string(line) + "'";
    }
    const std::string_view kind = trim(line.substr(0, colon));
    const std::string_view pattern = trim(line.substr(colon + 1));
    Suppression rule;
    rule.line = line_no;
    if (kind != "*") {
      for (check::Kind k : kAllKinds) {
        if (kind == check::kind_name(k)) rule.kind = k;
      }
      if (!rule.kind) {
        return where + "unknown kind '" + std::string(kind) + "' (expected " + accepted_kinds() + ")";
      }
    }
    if (pattern.empty()) return where + "empty pattern after '" + std::string(kind) + ":'";
    rule.pattern = std::string(pattern);
    rules.push_back(std::move(rule));
  }
  rules_.insert(rules_.end(), rules.begin(), rules.end());
  return {};
}

std::string Suppressions::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    return "cannot read suppressions file '" + path + "': " + std::strerror(error);
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return "cannot read suppressions file '" + path + "'";
  if (std::string error = parse(text.str(), path); !error.empty()) {
    return "suppressions file " + error;
  }
  return {};
}

const Suppression* Suppressions::match(const check::Violation& v) const {
  for (const Suppression& rule : rules_) {
    if (rule.kind && *rule.kind != v.kind) continue;
    if (matches_access(rule.pattern, v.observer) || matches_access(rule.pattern, v.write) ||
        matches_path(rule.pattern, v.observer_created_file)) {
      return &rule;
    }
  }
  return nullptr;
}

const Suppressions& active_suppressions() {
  static const Suppressions loaded = [] {
    Suppressions s;
    const std::string& path = options().suppressions;
    if (path.empty()) return s;
    if (std::string error = s.load(path); !error.empty()) {
      const std::string line = "AliasGuard: ERROR: " + error + "\n";
      std::fwrite(line.data(), 1, line.size(), stderr);
      std::fflush(stderr);
      _exit(1);
    }
    return s;
  }();
  return loaded;
}

}  // namespace aliasguard::tracker::detail
