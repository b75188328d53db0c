//===--- AliasFlowCheck.h - What both aliasguard checks share --------------===//
//
// Both checks run the same flow analysis over every function defined in the main file
// and in the project's own headers (Note [Project headers]) and differ only in their default alias sources and in what they report. This base holds
// the option tables, the per-translation-unit helper summaries and the matcher; a check
// supplies its observer.
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_ALIASFLOWCHECK_H
#define AG_ANALYZER_ALIASFLOWCHECK_H

#include "AliasFlow.h"
#include "AliasModel.h"
#include "ProjectScope.h"
#include "clang-tidy/ClangTidyCheck.h"
#include <memory>

namespace clang::tidy::aliasguard {

class AliasFlowCheck : public ClangTidyCheck {
public:
  AliasFlowCheck(StringRef Name, ClangTidyContext *Context,
                 llvm::StringRef DefaultAliasSources);
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus;
  }
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) final;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) final;
  void onEndOfTranslationUnit() final;

protected:
  /// The observer that turns the analysis' events for one function into diagnostics.
  virtual std::unique_ptr<AliasFlowObserver> makeReporter(const ASTContext &Ctx) = 0;

  const AliasModel Model;

private:
  bool shouldAnalyse(const FunctionDecl &Fn);

  FunctionSummaries Summaries{Model};
  const ASTContext *LastContext = nullptr; // the translation unit being checked
  std::unique_ptr<ProjectScope> Scope;      // its files, for LastContext
};

} // namespace clang::tidy::aliasguard

#endif // AG_ANALYZER_ALIASFLOWCHECK_H
