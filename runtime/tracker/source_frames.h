#pragma once
// Internal: a code address's source frames, read from DWARF with libdw. The tracker uses it
// to move reports out of the runtime's own code (library_sites.cpp); the LibTorch layer
// (plugins/libtorch/src/symbolize.cpp) to find the user's frame. See Note [Source frames].

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace aliasguard::tracker::detail {

/// One source-level frame of a code address: a function, or a call inlined into one.
struct SourceFrame {
  std::string file;
  unsigned line = 0;
  std::string function;  // demangled; empty when DWARF names none
};

/// What libdw knows about one code address.
struct CodeLocation {
  std::string module;               // path of the loaded object holding it; may be empty
  std::uintptr_t module_offset = 0;  // from the object's load address
  std::string symbol;               // the ELF symbol holding it, demangled; may be empty
  /// Innermost (inlined) first, the physical function last; a frame's file is empty where
  /// DWARF does not say it. Empty without line information and DWARF scopes, and when the
  /// caller's `skip_lines` said the module's need not be read.
  std::vector<SourceFrame> frames;
  bool lines_read = false;  // whether `frames` was looked up (not skipped)
};

/// Whether a module's line information need not be read: the caller ignores its frames.
using SkipLines = bool (*)(std::string_view module);

/// The location of `pc` (a call instruction's address, not a return address), or null when
/// libdw.so.1 cannot be loaded or no loaded object holds `pc`. Thread-safe; answers are cached
/// per address and live as long as the process.
std::shared_ptr<const CodeLocation> locate_code(std::uintptr_t pc, SkipLines skip_lines = nullptr);

/// `name` demangled when it is a C++ mangled name, as given otherwise; empty for null.
std::string demangle(const char* name);

}  // namespace aliasguard::tracker::detail
