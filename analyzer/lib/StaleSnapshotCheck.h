//===--- StaleSnapshotCheck.h -----------------------------------------===//

#ifndef AG_ANALYZER_STALESNAPSHOTCHECK_H
#define AG_ANALYZER_STALESNAPSHOTCHECK_H

#include "AliasFlow.h"
#include "AliasModel.h"
#include "clang-tidy/ClangTidyCheck.h"

namespace clang::tidy::aliasguard {

/// Finds a kept alias of a module's storage (a state_dict(), parameters(), ... that was
/// not deep-copied) used as a snapshot -- restored, compared, saved, returned -- after the
/// module changed: it holds the new values, not the ones it was taken with.
///
/// For the user-facing documentation see docs/checks/aliasguard-stale-snapshot.md.
class StaleSnapshotCheck : public ClangTidyCheck {
public:
  StaleSnapshotCheck(StringRef Name, ClangTidyContext *Context);
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void onEndOfTranslationUnit() override;

private:
  static constexpr llvm::StringRef FunctionId = "function";
  const AliasModel Model;
  FunctionSummaries Summaries{Model};
  const ASTContext *LastContext = nullptr; // the translation unit being checked
};

} // namespace clang::tidy::aliasguard

#endif // AG_ANALYZER_STALESNAPSHOTCHECK_H
