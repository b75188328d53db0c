//===--- AliasTransfer.h - The transfer functions of the alias analysis ---===//
//
// How each statement of a function body changes the facts (AliasLattice.h): one table,
// `AliasTransfer::operator()`, dispatches on the statement's class to a transfer function
// per kind (declarations, returns, calls). The solver (FlowSolver.h) runs them to a
// fixpoint and then once more in the reporting pass, where what they find goes to the
// diagnoser (AliasDiagnoser.h) and, for a helper being summarised, to its SummaryRecorder.
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_ALIASTRANSFER_H
#define AG_ANALYZER_ALIASTRANSFER_H

#include "AliasDiagnoser.h"
#include "AliasResolver.h"

#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace clang::tidy::aliasguard::flow {

struct FunctionSummary;

/// The transfer functions of one function body, dispatched from `operator()`.
class AliasTransfer {
public:
  explicit AliasTransfer(AliasResolver &Queries);

  /// The state at the function's entry: empty, or, for a helper being summarised, each
  /// tensor parameter as its own pseudo-alias (Note [Summaries]).
  AliasState initialState(bool Summarising) const;

  /// From now on, report findings to `Diagnoser`, and a summary's events to `Recorder`
  /// (null unless a helper is being summarised).
  void startReporting(AliasDiagnoser &Diagnoser, SummaryRecorder *Recorder) {
    this->Diagnoser = &Diagnoser;
    this->Recorder = Recorder;
  }

  /// The transfer table: one CFG element's effect on `State`.
  void operator()(const CFGElement &Element, AliasState &State);

private:
  void collectStructure(const Stmt *S);

  void transferDecls(const DeclStmt *DS, AliasState &State);
  void transferDecl(const VarDecl *VD, AliasState &State);
  void transferReturn(const ReturnStmt *Return, AliasState &State);
  void transferCall(const CallExpr *Call, AliasState &State);

  // The steps of transferCall, in the order they apply.
  void transferSnapshotUse(const CallExpr *Call, const std::string &Name,
                           AliasState &State);
  void transferModuleCopyUse(const CallExpr *Call, const std::string &Name,
                             AliasState &State);
  void transferContainerStore(const CallExpr *Call, const std::string &Name,
                              AliasState &State);
  void transferWrite(const CallExpr *Call, AliasState &State);
  void transferHelperCall(const CallExpr *Call, AliasState &State);
  void transferModuleArguments(const CallExpr *Call, AliasState &State);
  void applySummary(const CallExpr *Call, const FunctionDecl &Def, AliasState &State);

  void writeThrough(const Expr *Base, const Stmt *ReportKey, const CallExpr *First,
                    const CallExpr *Site, llvm::ArrayRef<const CallExpr *> Chain,
                    std::string Operation, const Stmt *Inside, bool Intended,
                    AliasState &State);
  void assign(const ValueDecl *D, std::optional<AliasRef> Ref, const Expr *From,
              AliasState &State) const;
  void moduleChanged(const Decl *Module, const Expr *Via, const CallExpr *Site,
                     AliasState &State) const;
  void useAsSnapshot(const Expr *E, const Stmt *Use, SnapshotUseKind Kind,
                     llvm::StringRef Callee, const AliasState &State);
  static const ValueDecl *usedVariable(const Expr *E);
  void useOutsideValues(const FunctionSummary &S, const AliasState &State);

  bool mentionsOtherModule(const Stmt *S, const Decl *Module, const AliasState &State) const;
  bool underUpdateGuard(const Stmt *S) const;
  bool isUnkeptDict(const AliasRef &Ref) const;
  bool loadedBackLater(const ValueDecl *Dict, const Decl *Module, const Stmt *After) const;
  std::optional<AliasRef> moduleCopy(const ValueDecl *Target, const Expr *From) const;

  AliasResolver &Q;
  const AliasModel &Model;
  ParentMap Parents;
  llvm::DenseMap<const VarDecl *, const CXXForRangeStmt *> RangeLoops;
  /// A region of intended updates: from `Begin` to `End` (the end of `Block` when
  /// invalid), opened by an UpdateGuards variable or an UpdateSwitches call.
  struct UpdateRegion {
    const CompoundStmt *Block;
    SourceLocation Begin, End;
  };
  llvm::SmallVector<UpdateRegion, 2> Guards;
  llvm::SmallVector<const CallExpr *, 2> Loads; // `load_state_dict` calls, in source order
  llvm::SmallVector<const CallExpr *, 4> Mutators; // other ModuleMutators calls
  AliasDiagnoser *Diagnoser = nullptr; // set for the reporting pass only
  SummaryRecorder *Recorder = nullptr;
};

/// Solves the alias flow of `Fn` (FlowSolver over AliasTransfer), then replays it to
/// report through `Diagnoser` and, for a helper being summarised, `Recorder`.
void analyzeFunction(const FunctionDecl &Fn, ASTContext &Ctx, const AliasModel &Model,
                     FunctionSummaries::Impl &Summaries, AliasDiagnoser &Diagnoser,
                     SummaryRecorder *Recorder);

} // namespace clang::tidy::aliasguard::flow

#endif // AG_ANALYZER_ALIASTRANSFER_H
