//===--- StateDictMutationCheck.cpp ---------------------------------------===//

#include "StateDictMutationCheck.h"
#include "AliasFlow.h"
#include "DeepCopyFix.h"
#include "Messages.h"

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
    // A write through a copy of a module (Note [Module copies]) is a write through the
    // module itself, not through state_dict() storage.
    if (W.Intended || !isa_and_nonnull<CallExpr>(W.Fact.Source))
      return;
    const std::string Source = spelling(W.Fact.Source, Ctx);
    // The fix deep-copies where the written variable took its value; a write through a
    // temporary (`m.state_dict()["w"].mul_(2)`) may mean to change the module, so no fix.
    DeepCopyFix Fix;
    if (W.Through)
      Fix = deepCopyFix(W.Fact.Taken, Model, Ctx);
    {
      auto Diag = Check.diag(W.Write->getBeginLoc(), messages::InPlaceWrite)
                  << W.Operation << messages::writtenValue(W.Fact.Key) << Source
                  << W.Write->getSourceRange();
      for (const FixItHint &Hint : Fix.Hints)
        Diag << Hint;
    }
    Check.diag(W.Fact.Source->getBeginLoc(), messages::SourceSharesStorage,
               DiagnosticIDs::Note)
        << Source;
    if (W.Inside)
      Check.diag(W.Inside->getBeginLoc(), messages::HelperWritesArgument, DiagnosticIDs::Note)
          << W.Operation;
    if (!Fix.Advice.empty())
      Check.diag(W.Fact.Taken->getBeginLoc(), messages::Verbatim, DiagnosticIDs::Note)
          << Fix.Advice;
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
