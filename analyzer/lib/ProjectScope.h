//===--- ProjectScope.h - Which files of a translation unit are the user's -===//
//
// Note [Project headers]
// Function bodies are analysed in the main file and in the project's own headers, where
// training loops often live (`train.hpp`, a `Segmentor.h` class template), but not in
// system or third-party headers, which are most of a LibTorch translation unit. A header
// is the project's own when it is not a system header and lies under the project root:
// the nearest directory above the main file holding `.git` (the main file's directory
// when there is none). LibTorch included with `-I/usr/include/torch/...` is outside it.
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_PROJECTSCOPE_H
#define AG_ANALYZER_PROJECTSCOPE_H

#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseMap.h"
#include <string>

namespace clang {
class FunctionDecl;
} // namespace clang

namespace clang::tidy::aliasguard {

/// The files of one translation unit that belong to the project (Note [Project headers]).
class ProjectScope {
public:
  explicit ProjectScope(const SourceManager &SM);

  /// Whether `Loc` (its expansion) is in the main file.
  bool inMainFile(SourceLocation Loc) const;
  /// Whether `Loc` (its expansion) is in a header of the project, not the main file.
  bool inProjectHeader(SourceLocation Loc);

  const SourceManager &sourceManager() const { return SM; }

private:
  const SourceManager &SM;
  std::string Root; // ends in a separator; empty when the main file has no path
  llvm::DenseMap<FileID, bool> Cache;
};

/// Whether a function of a project header is seen for the first time in this process: its
/// body is analysed once per run however many translation units include it. Instantiations
/// with different template arguments are different functions.
bool firstAnalysisOfHeaderFunction(const FunctionDecl &Fn, const ProjectScope &Scope);

} // namespace clang::tidy::aliasguard

#endif // AG_ANALYZER_PROJECTSCOPE_H
