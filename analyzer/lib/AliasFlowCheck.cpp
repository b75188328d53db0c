//===--- AliasFlowCheck.cpp -----------------------------------------------===//

#include "AliasFlowCheck.h"
#include "DeepCopyFix.h"

#include "clang/AST/ASTContext.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::aliasguard {

namespace {

constexpr llvm::StringRef FunctionId = "function";

// An instantiation, or a function inside one (a member of `Trainer<Net>`, a lambda in an
// instantiated function template): `isInstantiated()` in matcher terms.
bool isInstantiated(const FunctionDecl &Fn) {
  if (Fn.isTemplateInstantiation())
    return true;
  for (const DeclContext *DC = Fn.getDeclContext(); DC; DC = DC->getParent()) {
    if (const auto *F = dyn_cast<FunctionDecl>(DC); F && F->isTemplateInstantiation())
      return true;
    if (const auto *RD = dyn_cast<CXXRecordDecl>(DC);
        RD && RD->getTemplateSpecializationKind() != TSK_Undeclared &&
        RD->getTemplateSpecializationKind() != TSK_ExplicitSpecialization)
      return true;
  }
  return false;
}

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
  // Which files count is decided in check() (Note [Project headers]): LibTorch's headers
  // are most of a translation unit and are not analysed.
  Finder->addMatcher(functionDecl(isDefinition(), hasBody(stmt())).bind(FunctionId), this);
}

// In the main file, a template is analysed once, as written; in a project header, each
// instantiation the translation unit makes is (the types a header template trains are
// the main file's), once per run.
bool AliasFlowCheck::shouldAnalyse(const FunctionDecl &Fn) {
  const SourceLocation Loc = Fn.getLocation();
  if (Scope->inMainFile(Loc))
    return !isInstantiated(Fn);
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
