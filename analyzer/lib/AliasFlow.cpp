//===--- AliasFlow.cpp - The analysis of one function, from end to end ----===//
//
// The pieces, each in its own file: the lattice (AliasLattice.h), the solver
// (FlowSolver.h), the transfer table (AliasTransfer.cpp) with the queries it asks
// (AliasResolver.cpp), the diagnoser (AliasDiagnoser.cpp), and the summaries of helpers
// (AliasFlowSummaries.cpp). This file runs them in order.
//
//===----------------------------------------------------------------------===//

#include "AliasTransfer.h"
#include "FlowSolver.h"

#include "clang/Lex/Lexer.h"

namespace clang::tidy::aliasguard {

namespace flow {

void analyzeFunction(const FunctionDecl &Fn, ASTContext &Ctx, const AliasModel &Model,
                     FunctionSummaries::Impl &Summaries, AliasDiagnoser &Diagnoser,
                     SummaryRecorder *Recorder) {
  AliasResolver Queries(Fn, Ctx, Model, Summaries);
  AliasTransfer Transfer(Queries);
  CFG::BuildOptions Options;
  Options.setAllAlwaysAdd();
  std::unique_ptr<CFG> Graph = CFG::buildCFG(&Fn, Fn.getBody(), &Ctx, Options);
  if (!Graph)
    return;
  ForwardSolver<AliasState> Solver(*Graph, Transfer.initialState(Recorder != nullptr));
  Solver.solve(Transfer);
  Transfer.startReporting(Diagnoser, Recorder);
  Solver.replay(Transfer);
}

} // namespace flow

void analyzeAliasFlow(const FunctionDecl &Fn, ASTContext &Ctx, const AliasModel &Model,
                      FunctionSummaries &Summaries, AliasFlowObserver &Observer) {
  if (!Fn.getBody())
    return;
  flow::AliasDiagnoser Diagnoser(Observer);
  flow::analyzeFunction(Fn, Ctx, Model, Summaries.impl(), Diagnoser, /*Recorder=*/nullptr);
}

std::string moduleSpelling(const AliasFact &Fact, const ASTContext &Ctx) {
  if (const Expr *Module = Fact.ModuleExpr) {
    Module = flow::skipImplicit(Module);
    // `lin->state_dict()` on a ModuleHolder: the object is `lin.operator->()`.
    if (const auto *Arrow = dyn_cast<CXXOperatorCallExpr>(Module);
        Arrow && Arrow->getOperator() == OO_Arrow)
      Module = flow::skipImplicit(Arrow->getArg(0));
    const auto *This = dyn_cast<CXXThisExpr>(Module);
    if (!This || !This->isImplicit())
      return spelling(Module, Ctx);
  }
  if (const auto *Named = dyn_cast_or_null<NamedDecl>(Fact.Module);
      Named && Named->getIdentifier() && !isa<CXXRecordDecl>(Named))
    return Named->getName().str();
  return {};
}

std::string spelling(const Stmt *S, const ASTContext &Ctx) {
  if (!S)
    return {};
  const CharSourceRange Range = CharSourceRange::getTokenRange(S->getSourceRange());
  const llvm::StringRef Text =
      Lexer::getSourceText(Range, Ctx.getSourceManager(), Ctx.getLangOpts());
  // Long expressions are cut: the note's caret shows the rest.
  if (Text.size() > 60)
    return (Text.take_front(57) + "...").str();
  return Text.str();
}

} // namespace clang::tidy::aliasguard
