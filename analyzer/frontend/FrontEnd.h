//===--- FrontEnd.h - What aliasguard-check and the compiler plugin share --===//
//
// Both front ends that run the checks themselves (aliasguard-check and the compiler plugin;
// the clang-tidy plugin is driven by clang-tidy) must choose checks, read CheckOptions and
// order findings the same way, or analyzer.frontends-agree fails. They do it here.
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_FRONTEND_FRONTEND_H
#define AG_ANALYZER_FRONTEND_FRONTEND_H

#include "clang-tidy/ClangTidyOptions.h"
#include "llvm/ADT/IntrusiveRefCntPtr.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/VirtualFileSystem.h"
#include <memory>
#include <optional>
#include <vector>

namespace clang::tidy {
struct ClangTidyError;
} // namespace clang::tidy

namespace aliasguard::frontend {

/// Which checks run and where their CheckOptions come from.
struct CheckSelection {
  /// A glob after `-*,aliasguard-*`, as clang-tidy's --checks (empty: every aliasguard check).
  std::string Checks;
  /// A glob appended last, so that no user glob turns these checks off (empty: none).
  std::string AlwaysOn;
  /// A configuration file's options; without one, `.clang-tidy` files next to the sources.
  std::optional<clang::tidy::ClangTidyOptions> Config;
};

/// Reads a `.clang-tidy`-format file; on failure the message says "cannot read" or
/// "invalid", then `Name` (how the user gave the file, e.g. "--config-file"), then the path.
llvm::Expected<clang::tidy::ClangTidyOptions> readConfigFile(llvm::StringRef Path,
                                                             llvm::StringRef Name);

/// The options provider of one run. `.clang-tidy` files, or the configuration file,
/// contribute CheckOptions (and a Checks line written for clang-tidy's own checks); the checks
/// that run are aliasguard's only, narrowed by `Selection.Checks`, so the override always ends
/// with our globs. `FS` is where `.clang-tidy` files are looked up.
std::unique_ptr<clang::tidy::ClangTidyOptionsProvider>
makeOptionsProvider(const CheckSelection &Selection,
                    llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS);

/// Puts findings in the order every front end reports them: by file, then by offset; the
/// order of findings at one place is kept.
void sortFindings(std::vector<clang::tidy::ClangTidyError> &Findings);

} // namespace aliasguard::frontend

#endif // AG_ANALYZER_FRONTEND_FRONTEND_H
