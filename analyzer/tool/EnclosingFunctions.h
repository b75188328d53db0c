//===--- EnclosingFunctions.h - Which function a finding is in ------------===//
//
// SARIF fingerprints name the function around a finding (see "Fingerprints" in
// analyzer/README.md), which the checks' diagnostics do not carry. A tool-only check,
// enabled in every aliasguard-check run, records the extent of each function defined in the
// main file while the checks' own matchers run; the writers look findings up by offset.
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_ENCLOSINGFUNCTIONS_H
#define AG_ANALYZER_ENCLOSINGFUNCTIONS_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include <mutex>
#include <string>
#include <vector>

namespace aliasguard::cli {

/// aliasguard-check's own checks, enabled in every run, never reporting:
/// `aliasguard-internal-enclosing-functions` fills `enclosingFunctions()`;
/// `aliasguard-internal-main-file-scope` (see Note [Main-file traversal]).
inline constexpr llvm::StringRef InternalChecksGlob = "aliasguard-internal-*";

/// Byte extents of the functions defined in each analysed file, keyed by the file name as
/// Clang's SourceManager spells it (which is how diagnostics name files too).
class FunctionExtents {
public:
  /// Thread-safe: translation units may be analysed in parallel (`-j`).
  void add(llvm::StringRef File, unsigned Begin, unsigned End, std::string Name);

  /// The innermost function whose extent holds `Offset`, or "" outside any function.
  /// Lambdas are not recorded: their names contain their source location, and a finding
  /// in one belongs to the function that holds it.
  llvm::StringRef lookup(llvm::StringRef File, unsigned Offset) const;

private:
  struct Extent {
    unsigned Begin;
    unsigned End;
    std::string Name;
  };
  std::mutex Lock;
  llvm::StringMap<std::vector<Extent>> Files;
};

/// The extents recorded in this process, for every translation unit it analysed.
FunctionExtents &enclosingFunctions();

} // namespace aliasguard::cli

#endif // AG_ANALYZER_ENCLOSINGFUNCTIONS_H
