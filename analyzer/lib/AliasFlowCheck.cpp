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
  // Headers are not analysed: their findings would be filtered anyway, and LibTorch's
  // headers are most of a translation unit.
  Finder->addMatcher(functionDecl(isDefinition(), hasBody(stmt()), isExpansionInMainFile(),
                                  unless(isInstantiated()))
                         .bind(FunctionId),
                     this);
}

void AliasFlowCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Fn = Result.Nodes.getNodeAs<FunctionDecl>(FunctionId);
  LastContext = Result.Context;
  const std::unique_ptr<AliasFlowObserver> Reporter = makeReporter(*Result.Context);
  analyzeAliasFlow(*Fn, *Result.Context, Model, Summaries, *Reporter);
}

void AliasFlowCheck::onEndOfTranslationUnit() {
  Summaries.clear();
  if (LastContext)
    forgetFixes(*LastContext);
  LastContext = nullptr;
}

void AliasFlowCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Model.options().store(Opts, Options);
}

} // namespace clang::tidy::aliasguard
