//===--- StaleSnapshotCheck.cpp -------------------------------------------===//

#include "StaleSnapshotCheck.h"
#include "AliasFlow.h"
#include "DeepCopyFix.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"

namespace clang::tidy::aliasguard {

namespace {

std::string describeUse(llvm::StringRef How) {
  if (How == "return")
    return "returned";
  return ("passed to '" + How + "'").str();
}

class SnapshotReporter : public AliasFlowObserver {
public:
  SnapshotReporter(ClangTidyCheck &Check, const ASTContext &Ctx, const AliasModel &Model)
      : Check(Check), Ctx(Ctx), Model(Model) {}

  void onStaleUse(const StaleUse &U) override {
    const std::string Entry =
        U.Fact.Key.empty() ? std::string() : (" (entry '" + U.Fact.Key + "')").str();
    const std::string Module = moduleSpelling(U.Fact, Ctx);
    const DeepCopyFix Fix = deepCopyFix(U.Fact.Taken, Model.options().DeepCopyFunction, Ctx);
    {
      auto Diag = Check.diag(U.Use->getBeginLoc(),
                             "'%0'%1 is %2 as a snapshot, but it shares storage with %3, "
                             "which changed after it was taken; take the snapshot with "
                             "clone() or deep_copy()")
                  << U.Kept->getName() << Entry << describeUse(U.How)
                  << (Module.empty() ? std::string("the module") : "'" + Module + "'")
                  << U.Use->getSourceRange();
      for (const FixItHint &Hint : Fix.Hints)
        Diag << Hint;
    }
    Check.diag(U.Fact.Source->getBeginLoc(),
               "'%0' is taken from '%1' here, without a copy", DiagnosticIDs::Note)
        << U.Kept->getName() << spelling(U.Fact.Source, Ctx);
    Check.diag(U.Fact.StaleBy->getBeginLoc(), "the module changes here ('%0')",
               DiagnosticIDs::Note)
        << spelling(U.Fact.StaleBy, Ctx);
    if (!Fix.Advice.empty())
      Check.diag(U.Fact.Taken->getBeginLoc(), "%0", DiagnosticIDs::Note) << Fix.Advice;
  }

private:
  ClangTidyCheck &Check;
  const ASTContext &Ctx;
  const AliasModel &Model;
};

} // namespace

StaleSnapshotCheck::StaleSnapshotCheck(StringRef Name, ClangTidyContext *Context)
    : AliasFlowCheck(Name, Context, DefaultAllAliasSources) {}

std::unique_ptr<AliasFlowObserver> StaleSnapshotCheck::makeReporter(const ASTContext &Ctx) {
  return std::make_unique<SnapshotReporter>(*this, Ctx, Model);
}

} // namespace clang::tidy::aliasguard
