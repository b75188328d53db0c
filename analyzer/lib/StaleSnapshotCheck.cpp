//===--- StaleSnapshotCheck.cpp -------------------------------------------===//

#include "StaleSnapshotCheck.h"
#include "AliasFlow.h"
#include "DeepCopyFix.h"
#include "Messages.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"

namespace clang::tidy::aliasguard {

namespace {

class SnapshotReporter : public AliasFlowObserver {
public:
  SnapshotReporter(ClangTidyCheck &Check, const ASTContext &Ctx, const AliasModel &Model)
      : Check(Check), Ctx(Ctx), Model(Model) {}

  void onStaleUse(const StaleUse &U) override {
    const std::string Module = moduleSpelling(U.Fact, Ctx);
    const DeepCopyFix Fix = deepCopyFix(U.Fact.Taken, Model, Ctx);
    {
      auto Diag = Check.diag(U.Use->getBeginLoc(), messages::StaleSnapshot)
                  << U.Kept->getName() << messages::entrySuffix(U.Fact.Key)
                  << messages::snapshotUse(U) << messages::moduleName(Module)
                  << U.Use->getSourceRange();
      for (const FixItHint &Hint : Fix.Hints)
        Diag << Hint;
    }
    Check.diag(U.Fact.Source->getBeginLoc(), messages::SnapshotTakenHere, DiagnosticIDs::Note)
        << U.Kept->getName() << spelling(U.Fact.Source, Ctx);
    Check.diag(U.Fact.StaleBy->getBeginLoc(), messages::ModuleChangesHere, DiagnosticIDs::Note)
        << spelling(U.Fact.StaleBy, Ctx);
    if (!Fix.Advice.empty())
      Check.diag(U.Fact.Taken->getBeginLoc(), messages::Verbatim, DiagnosticIDs::Note)
          << Fix.Advice;
  }

private:
  ClangTidyCheck &Check;
  const ASTContext &Ctx;
  const AliasModel &Model;
};

} // namespace

StaleSnapshotCheck::StaleSnapshotCheck(StringRef Name, ClangTidyContext *Context)
    : AliasFlowCheck(Name, Context, defaults::AliasSources) {}

std::unique_ptr<AliasFlowObserver> StaleSnapshotCheck::makeReporter(const ASTContext &Ctx) {
  return std::make_unique<SnapshotReporter>(*this, Ctx, Model);
}

} // namespace clang::tidy::aliasguard
