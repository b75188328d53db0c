#pragma once
// Internal: the parsed ALIASGUARD_OPTIONS. Precedence: built-in default < the weak
// __aliasguard_default_options() < the ALIASGUARD_OPTIONS environment variable.

#include <string>

extern "C" const char* __aliasguard_default_options();  // weak; a program may define it

namespace aliasguard::tracker::detail {

enum class DetectMode { Read, Write };
enum class DomainMode { Owner, Handle };
enum class ReportFormat { Text, Json };

struct Options {
  using string = std::string;
#define AG_FLAG(Type, Name, Default, Description) Type Name = Default;
#include "flags.inc"
#undef AG_FLAG
};

/// The options in force; parsed once, at start-up (a malformed or unknown option prints a
/// message naming it and exits with status 1 before main runs).
const Options& options();
/// Parses `text` ("a=1:b=x") over `into`; returns an empty string or the error message.
std::string parse_options(const std::string& text, Options& into);

}  // namespace aliasguard::tracker::detail
