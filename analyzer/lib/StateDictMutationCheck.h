//===--- StateDictMutationCheck.h -----------------------------------------===//

#ifndef AG_ANALYZER_STATEDICTMUTATIONCHECK_H
#define AG_ANALYZER_STATEDICTMUTATIONCHECK_H

#include "AliasFlow.h"
#include "AliasModel.h"
#include "clang-tidy/ClangTidyCheck.h"

namespace clang::tidy::aliasguard {

/// Finds in-place writes that reach a module's parameters through its state_dict()
/// (copies of the dict, iteration, indexing, data(), detach(), views) with no deep copy
/// on the way.
///
/// For the user-facing documentation see docs/checks/aliasguard-state-dict-mutation.md.
class StateDictMutationCheck : public ClangTidyCheck {
public:
  StateDictMutationCheck(StringRef Name, ClangTidyContext *Context);
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

#endif // AG_ANALYZER_STATEDICTMUTATIONCHECK_H
