//===--- StateDictMutationCheck.cpp ---------------------------------------===//

#include "StateDictMutationCheck.h"
#include "AliasFlow.h"
#include "DeepCopyFix.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::aliasguard {

namespace {

// Only storage handed out by state_dict() counts here: writing parameters through
// parameters()/named_parameters() is how initialisation and updates are written.
constexpr llvm::StringRef StateDictSources = "state_dict";

class MutationReporter : public AliasFlowObserver {
public:
  MutationReporter(ClangTidyCheck &Check, const ASTContext &Ctx, const AliasModel &Model)
      : Check(Check), Ctx(Ctx), Model(Model) {}

  void onWrite(const AliasWrite &W) override {
    if (W.Intended)
      return;
    const std::string Source = spelling(W.Fact.Source, Ctx);
    const std::string What =
        W.Fact.Key.empty() ? std::string("a tensor")
                           : ("entry '" + W.Fact.Key + "'").str();
    // The fix deep-copies where the written variable took its value; a write through a
    // temporary (`m.state_dict()["w"].mul_(2)`) may mean to change the module, so no fix.
    DeepCopyFix Fix;
    if (W.Through)
      Fix = deepCopyFix(W.Fact.Taken, Model.options().DeepCopyFunction, Ctx);
    {
      auto Diag = Check.diag(W.Write->getBeginLoc(),
                             "in-place '%0' on %1 from '%2' also writes the module's "
                             "storage; deep-copy it first (clone(), deep_copy())")
                  << W.Operation << What << Source << W.Write->getSourceRange();
      for (const FixItHint &Hint : Fix.Hints)
        Diag << Hint;
    }
    Check.diag(W.Fact.Source->getBeginLoc(),
               "'%0' returns tensors that share storage with the module",
               DiagnosticIDs::Note)
        << Source;
    if (W.Inside)
      Check.diag(W.Inside->getBeginLoc(), "'%0' writes its argument in place here",
                 DiagnosticIDs::Note)
          << W.Operation;
    if (!Fix.Advice.empty())
      Check.diag(W.Fact.Taken->getBeginLoc(), "%0", DiagnosticIDs::Note) << Fix.Advice;
  }

private:
  ClangTidyCheck &Check;
  const ASTContext &Ctx;
  const AliasModel &Model;
};

} // namespace

StateDictMutationCheck::StateDictMutationCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Model(AliasModelOptions::read(Options, StateDictSources)) {}

void StateDictMutationCheck::registerMatchers(MatchFinder *Finder) {
  // Headers are not analysed: their findings would be filtered anyway, and LibTorch's
  // headers are most of a translation unit.
  Finder->addMatcher(functionDecl(isDefinition(), hasBody(stmt()), isExpansionInMainFile(),
                                  unless(isInstantiated()))
                         .bind(FunctionId),
                     this);
}

void StateDictMutationCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Fn = Result.Nodes.getNodeAs<FunctionDecl>(FunctionId);
  LastContext = Result.Context;
  MutationReporter Reporter(*this, *Result.Context, Model);
  analyzeAliasFlow(*Fn, *Result.Context, Model, Summaries, Reporter);
}

void StateDictMutationCheck::onEndOfTranslationUnit() {
  Summaries.clear();
  if (LastContext)
    forgetFixes(*LastContext);
  LastContext = nullptr;
}

void StateDictMutationCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Model.options().store(Opts, Options);
}

} // namespace clang::tidy::aliasguard
