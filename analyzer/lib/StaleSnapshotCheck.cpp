//===--- StaleSnapshotCheck.cpp -------------------------------------------===//

#include "StaleSnapshotCheck.h"
#include "AliasFlow.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::aliasguard {

namespace {

std::string describeUse(llvm::StringRef How) {
  if (How == "return")
    return "returned";
  return ("passed to '" + How + "'").str();
}

class SnapshotReporter : public AliasFlowObserver {
public:
  SnapshotReporter(ClangTidyCheck &Check, const ASTContext &Ctx) : Check(Check), Ctx(Ctx) {}

  void onStaleUse(const StaleUse &U) override {
    Check.diag(U.Use->getBeginLoc(),
               "'%0' is %1 as a snapshot, but it shares storage with the module, which "
               "changed after it was taken; take the snapshot with clone() or "
               "deep_copy()")
        << U.Kept->getName() << describeUse(U.How) << U.Use->getSourceRange();
    Check.diag(U.Fact.Source->getBeginLoc(),
               "'%0' is taken from '%1' here, without a copy", DiagnosticIDs::Note)
        << U.Kept->getName() << spelling(U.Fact.Source, Ctx);
    Check.diag(U.Fact.StaleBy->getBeginLoc(), "the module changes here ('%0')",
               DiagnosticIDs::Note)
        << spelling(U.Fact.StaleBy, Ctx);
  }

private:
  ClangTidyCheck &Check;
  const ASTContext &Ctx;
};

} // namespace

StaleSnapshotCheck::StaleSnapshotCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context),
      Model(AliasModelOptions::read(Options, DefaultAllAliasSources)) {}

void StaleSnapshotCheck::registerMatchers(MatchFinder *Finder) {
  // As in StateDictMutationCheck: the main file only.
  Finder->addMatcher(functionDecl(isDefinition(), hasBody(stmt()), isExpansionInMainFile(),
                                  unless(isInstantiated()))
                         .bind(FunctionId),
                     this);
}

void StaleSnapshotCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *Fn = Result.Nodes.getNodeAs<FunctionDecl>(FunctionId);
  SnapshotReporter Reporter(*this, *Result.Context);
  analyzeAliasFlow(*Fn, *Result.Context, Model, Reporter);
}

void StaleSnapshotCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Model.options().store(Opts, Options);
}

} // namespace clang::tidy::aliasguard
