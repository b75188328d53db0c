//===--- AliasFlowAnalysis.h - The flow analysis, shared by its two files -===//
//
// Internal to analyzer/lib: the per-function analysis (AliasFlow.cpp) and the summaries of
// helper functions and lambdas (AliasFlowSummaries.cpp) are one class, FlowAnalysis, split
// by concern over two files. Users include AliasFlow.h.
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_ALIASFLOWANALYSIS_H
#define AG_ANALYZER_ALIASFLOWANALYSIS_H

#include "AliasFlow.h"
#include "AliasModel.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <memory>
#include <optional>

namespace clang::tidy::aliasguard {

namespace flow {

/// Facts per variable (locals, structured bindings, and fields of `this`).
using FlowState = llvm::DenseMap<const ValueDecl *, AliasFact>;

/// What an expression aliases: the fact, and the variable it was read from (null for a
/// fresh alias source that no variable holds).
struct AliasRef {
  AliasFact Fact;
  const ValueDecl *Var = nullptr;
};

/// Who an optimizer (or any object built from a module's parameters) changes.
struct Owner {
  const Decl *Module = nullptr;
  const CallExpr *Source = nullptr;
};

// Note [Summaries]
// A helper function of the translation unit (written in the main file) is analysed once,
// with its tensor parameters as pseudo-aliases, and what it does is kept as a summary that
// every call applies: it returns module storage (a user-written `state_dict(const Module&)`
// collecting `detach()`ed parameters), returns (an alias of) one of its arguments, writes
// an argument in place, or changes a module it sees from outside (a field, a global, or a
// variable a lambda captured). Summaries are computed with every alias source enabled; a
// call counts as a source for a check when the helper's name or the source inside it is
// one of that check's AliasSources. Recursion and deep call chains end in an empty summary.
struct FunctionSummary {
  /// Non-empty: the helper returns module storage taken with this alias source.
  std::string SourceName;
  /// Which module: the argument at this index, else `ModuleDecl` (a field, a global, the
  /// enclosing class of a method), else unknown.
  int ModuleArg = -1;
  const Decl *ModuleDecl = nullptr;
  /// The helper returns its argument at this index, or a view or element of it (taken
  /// with this constant key, if any).
  int ReturnsArg = -1;
  llvm::StringRef ReturnsKey;
  /// Arguments the helper writes in place, each with the write inside the helper.
  llvm::SmallVector<std::pair<unsigned, const Stmt *>, 2> WrittenArgs;
  /// Every such write is an intended update (under an update guard, say).
  bool WritesIntended = true;
  /// Modules and optimizers from outside the helper that it changes, with where.
  llvm::SmallVector<std::pair<const Decl *, const Stmt *>, 2> ChangedOutside;
};

const Expr *skipImplicit(const Expr *E);
llvm::StringRef constantKey(const Expr *E);
const Expr *objectOf(const CallExpr *Call);
/// A fresh alias straight from an alias-source call, held by no variable yet.
AliasRef freshSource(const CallExpr *Source, const Decl *Module, const Expr *ModuleExpr);
// The argument a call passes for parameter `Param` of `Def`; a call of a lambda or other
// object through `operator()` passes the object first.
const Expr *argumentFor(const CallExpr *Call, const FunctionDecl &Def, unsigned Param);
llvm::SmallVector<const CFGBlock *, 32> reversePostOrder(const CFG &Graph);

/// Collects a helper's in-place writes through its parameters into its summary.
class SummaryRecorder : public AliasFlowObserver {
public:
  explicit SummaryRecorder(FunctionSummary &S) : Summary(S) {}
  void onWrite(const AliasWrite &W) override;

private:
  FunctionSummary &Summary;
};

class FlowAnalysis {
public:
  FlowAnalysis(const FunctionDecl &Function, ASTContext &Context, const AliasModel &Tables,
               FunctionSummaries::Impl &Helpers, FunctionSummary *Summarising = nullptr)
      : Fn(Function), Ctx(Context), Model(Tables), Summaries(Helpers),
        Summary(Summarising), Parents(Function.getBody()) {
    collectStructure(Function.getBody());
  }

  void run(AliasFlowObserver &Obs);

private:
  void collectStructure(const Stmt *S);
  std::optional<AliasRef> aliasOf(const Expr *E, const FlowState &State) const;
  const Decl *identity(const Expr *E) const;
  const ValueDecl *trackedTarget(const Expr *E) const;
  Owner resolveOwner(const Decl *D) const;
  bool isMutatingCall(const CallExpr *Call) const;
  bool mentionsOtherModule(const Stmt *S, const Decl *Module, const FlowState &State) const;
  bool underUpdateGuard(const Stmt *S) const;

  // Helpers of the translation unit; see Note [Summaries].
  const FunctionDecl *helperBody(const CallExpr *Call) const;
  const FunctionDecl *callableBody(const Expr *E) const;
  const FunctionSummary &summarize(const FunctionDecl &Def) const;
  std::string sourceNameOf(const CallExpr *Source) const;
  std::optional<AliasRef> helperResult(const CallExpr *Call, const FunctionDecl &Def,
                                       bool &Continue, const Expr *&Next,
                                       llvm::StringRef &Key) const;
  void applySummary(const CallExpr *Call, const FunctionDecl &Def, FlowState &State);
  void recordReturn(const Expr *E, const FlowState &State);
  bool isOutside(const Decl *D) const;

  void transfer(const Stmt *S, FlowState &State);
  void transferDecl(const VarDecl *VD, FlowState &State);
  void transferCall(const CallExpr *Call, FlowState &State);
  void transferWrite(const CallExpr *Call, FlowState &State);
  void writeThrough(const Expr *Base, const Stmt *ReportKey, const CallExpr *First,
                    const CallExpr *Site, llvm::ArrayRef<const CallExpr *> Chain,
                    std::string Operation, const Stmt *Inside, bool Intended,
                    FlowState &State);
  void assign(const ValueDecl *D, std::optional<AliasRef> Ref, const Expr *From,
              FlowState &State) const;
  void moduleChanged(const Decl *Module, const CallExpr *Via, const CallExpr *Site,
                     FlowState &State) const;
  void useAsSnapshot(const Expr *E, const Stmt *Use, llvm::StringRef How,
                     const FlowState &State);

  const FunctionDecl &Fn;
  ASTContext &Ctx;
  const AliasModel &Model;
  FunctionSummaries::Impl &Summaries;
  FunctionSummary *Summary; // set while this analysis builds a helper's summary
  ParentMap Parents;
  llvm::DenseMap<const ValueDecl *, const FunctionDecl *> Callables; // `auto f = [&] {...}`
  llvm::DenseMap<const VarDecl *, const CXXForRangeStmt *> RangeLoops;
  llvm::SmallVector<std::pair<const CompoundStmt *, SourceLocation>, 2> Guards;
  llvm::DenseMap<const Decl *, Owner> Owners;
  AliasFlowObserver *Observer = nullptr; // set for the final, reporting pass only
  llvm::SmallPtrSet<const Stmt *, 8> Reported;
};

} // namespace flow

/// The summaries of one check and translation unit, computed with the check's tables and
/// every alias source enabled (Note [Summaries]).
struct FunctionSummaries::Impl {
  explicit Impl(const AliasModel &CheckModel);

  AliasModel Model;
  llvm::DenseMap<const FunctionDecl *, std::unique_ptr<flow::FunctionSummary>> Done;
  llvm::SmallPtrSet<const FunctionDecl *, 8> InProgress;
};

} // namespace clang::tidy::aliasguard

#endif // AG_ANALYZER_ALIASFLOWANALYSIS_H
