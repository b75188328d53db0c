//===--- AliasFlowCheck.cpp -----------------------------------------------===//

#include "AliasFlowCheck.h"
#include "DeepCopyFix.h"

#include "clang/AST/ASTContext.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::aliasguard {

namespace {

constexpr llvm::StringRef FunctionId = "function";

// Every option at its default, but the check's own alias sources.
AliasModelOptions checkDefaults(llvm::StringRef AliasSources) {
  AliasModelOptions Defaults = AliasModelOptions::defaults();
  Defaults.AliasSources = AliasSources.str();
  return Defaults;
}

} // namespace

AliasFlowCheck::AliasFlowCheck(StringRef Name, ClangTidyContext *Context,
                               llvm::StringRef DefaultAliasSources)
    : ClangTidyCheck(Name, Context),
      Model(AliasModelOptions::read(Options, checkDefaults(DefaultAliasSources))) {}

void AliasFlowCheck::registerMatchers(MatchFinder *Finder) {
  // In the main file, a template is analysed once, as written; in a header, each
  // instantiation the translation unit makes (the types a header template trains are the
  // main file's), when check() finds the header is the project's (Note [Project headers]):
  // LibTorch's headers are most of a translation unit and are not analysed.
  Finder->addMatcher(
      functionDecl(isDefinition(), hasBody(stmt()),
                   anyOf(allOf(isExpansionInMainFile(), unless(isInstantiated())),
                         unless(isExpansionInMainFile())))
          .bind(FunctionId),
      this);
}

// Headers' functions: those of the project's own headers, once per run.
bool AliasFlowCheck::shouldAnalyse(const FunctionDecl &Fn) {
  const SourceLocation Loc = Fn.getLocation();
  if (Scope->inMainFile(Loc))
    return true;
  if (!Scope->inProjectHeader(Loc) || Fn.isDependentContext())
    return false;
  return firstAnalysisOfHeaderFunction(Fn, *Scope);
}

void AliasFlowCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Fn = Result.Nodes.getNodeAs<FunctionDecl>(FunctionId);
  if (LastContext != Result.Context || !Scope) {
    Scope = std::make_unique<ProjectScope>(Result.Context->getSourceManager());
    LastContext = Result.Context;
  }
  if (!shouldAnalyse(*Fn))
    return;
  const std::unique_ptr<AliasFlowObserver> Reporter = makeReporter(*Result.Context);
  analyzeAliasFlow(*Fn, *Result.Context, Model, Summaries, *Reporter);
}

void AliasFlowCheck::onEndOfTranslationUnit() {
  Summaries.clear();
  if (LastContext)
    forgetFixes(*LastContext);
  LastContext = nullptr;
  Scope.reset();
}

void AliasFlowCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Model.options().store(Opts, Options);
}

} // namespace clang::tidy::aliasguard
