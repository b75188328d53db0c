//===--- StateDictMutationCheck.cpp ---------------------------------------===//

#include "StateDictMutationCheck.h"
#include "AliasFlow.h"
#include "DeepCopyFix.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"

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
    : AliasFlowCheck(Name, Context, StateDictSources) {}

std::unique_ptr<AliasFlowObserver>
StateDictMutationCheck::makeReporter(const ASTContext &Ctx) {
  return std::make_unique<MutationReporter>(*this, Ctx, Model);
}

} // namespace clang::tidy::aliasguard
