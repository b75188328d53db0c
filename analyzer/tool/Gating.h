//===--- Gating.h - Baselines and changed-lines mode ----------------------===//
//
// What lets a team switch the checks on without fixing old code first: a baseline of
// accepted findings (matched by the SARIF fingerprints, which survive line shifts), and a
// changed-lines mode that keeps only findings on lines a diff touched, as clang-tidy-diff
// does.
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_GATING_H
#define AG_ANALYZER_GATING_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Error.h"
#include <string>
#include <utility>
#include <vector>

namespace clang::tidy {
struct ClangTidyError;
} // namespace clang::tidy

namespace aliasguard::cli {

/// The lines a unified diff adds or changes in each file (absolute, canonical paths).
class ChangedLines {
public:
  /// Parses a unified diff (`git diff -U0`, `diff -u`); `Root` resolves its relative paths.
  static ChangedLines parse(llvm::StringRef Diff, llvm::StringRef Root);
  /// The diff from `git diff -U0 Rev` in the repository at `Root` (the working tree,
  /// staged or not, against Rev).
  static llvm::Expected<ChangedLines> fromGit(llvm::StringRef Rev, llvm::StringRef Root);

  bool touches(llvm::StringRef File) const;
  bool contains(llvm::StringRef File, unsigned Line) const;
  std::vector<std::string> files() const;

private:
  llvm::StringMap<std::vector<std::pair<unsigned, unsigned>>> Ranges; // [first, last]
};

/// Findings recorded as accepted: their fingerprints.
class Baseline {
public:
  static llvm::Expected<Baseline> read(llvm::StringRef Path);
  /// Writes `{"version": 1, "tool": "aliasguard-check", "findings": [...]}` with each
  /// finding's fingerprint, rule, file, line and message (the last three for people).
  static llvm::Error write(llvm::StringRef Path,
                           llvm::ArrayRef<clang::tidy::ClangTidyError> Errors,
                           llvm::ArrayRef<std::string> Fingerprints,
                           llvm::StringRef SourceRoot);

  bool accepts(llvm::StringRef Fingerprint) const { return Prints.contains(Fingerprint); }
  size_t size() const { return Prints.size(); }

private:
  llvm::StringSet<> Prints;
};

/// An absolute, dot-free, symlink-free spelling of `Path` (relative to `Base`), so paths
/// from diffs, compile databases and diagnostics compare equal.
std::string canonicalFile(llvm::StringRef Path, llvm::StringRef Base = "");

} // namespace aliasguard::cli

#endif // AG_ANALYZER_GATING_H
