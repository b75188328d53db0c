//===--- AliasFlow.h - Where module storage flows inside one function -----===//
//
// A forward may-alias analysis over the Clang CFG of one function body, in the spirit of
// bugprone-use-after-move: which local variables hold storage of a module (from an alias
// source, through copies, views, indexing, range-for and structured bindings), where that
// storage is written in place, and which kept aliases went stale because the module
// changed after they were taken. Reassignment from a deep copy ends an alias; facts from
// a later loop iteration flow back along the CFG's back edges.
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_ALIASFLOW_H
#define AG_ANALYZER_ALIASFLOW_H

#include "llvm/ADT/StringRef.h"
#include <memory>
#include <string>

namespace clang {
class ASTContext;
class CallExpr;
class Decl;
class Expr;
class FunctionDecl;
class Stmt;
class ValueDecl;
} // namespace clang

namespace clang::tidy::aliasguard {

class AliasModel;

/// Where a value's storage came from, and whether its module changed since.
struct AliasFact {
  /// The alias-source call (`m.state_dict()`, or a helper that returns one), or the module
  /// a module copy was made from (`net` in `best = net;`, Note [Module copies]); the note
  /// points here. Null only for a parameter inside a summarised helper.
  const Expr *Source = nullptr;
  /// The module whose storage is shared; null when it cannot be named.
  const Decl *Module = nullptr;
  /// The module as written at the source (`model` in `model->state_dict()`), if any.
  const Expr *ModuleExpr = nullptr;
  /// The constant key the value was taken with (`sd["fc.weight"]`), if any.
  llvm::StringRef Key;
  /// A change of the module after `Source` on some path, if any.
  const Stmt *StaleBy = nullptr;
  /// The expression the variable holding this fact was last initialised or assigned from
  /// (`m.state_dict()` in `auto sd = m.state_dict();`): where a deep copy fixes it. Null
  /// where no single expression is (range-for variables, structured bindings).
  const Expr *Taken = nullptr;
  /// Inside a helper being summarised: the parameter this value came from, else -1.
  int Param = -1;

  bool operator==(const AliasFact &O) const {
    return Source == O.Source && Module == O.Module && ModuleExpr == O.ModuleExpr &&
           Key == O.Key && StaleBy == O.StaleBy && Taken == O.Taken && Param == O.Param;
  }
};

/// An in-place write that reaches module storage through an alias.
struct AliasWrite {
  /// The first in-place call of a chain (`v.mul_(a).add_(b)` reports `mul_`).
  const Expr *Write = nullptr;
  std::string Operation;
  AliasFact Fact;
  /// The variable the write goes through (`sd` in `sd["w"].mul_(2)`); null for a
  /// temporary (`m.state_dict()["w"].mul_(2)`).
  const ValueDecl *Through = nullptr;
  /// For a helper that writes its argument in place: the write inside the helper.
  const Stmt *Inside = nullptr;
  /// Under an update guard (`torch::NoGradGuard`), or copying values from another
  /// module (a target-network update): the user means to change the module.
  bool Intended = false;
};

/// How a kept alias is used as a snapshot.
enum class SnapshotUseKind {
  /// An argument of a SnapshotUses call (or the object of a ComparisonUses call).
  PassedToCall,
  /// The value of a `return` statement.
  Returned,
};

/// A kept alias used as a snapshot after its module changed.
struct StaleUse {
  const Stmt *Use = nullptr;
  SnapshotUseKind Kind = SnapshotUseKind::PassedToCall;
  /// For PassedToCall: the call's name (`load_state_dict`, `copy_`, `operator==`, ...).
  std::string Callee;
  const ValueDecl *Kept = nullptr;
  AliasFact Fact;
};

/// Receives each event once, from the analysis' reporting pass (AliasDiagnoser.h).
class AliasFlowObserver {
public:
  virtual ~AliasFlowObserver();
  virtual void onWrite(const AliasWrite &) {}
  virtual void onStaleUse(const StaleUse &) {}
};

/// What the analysis learnt about helper functions of the translation unit (see Note
/// [Summaries] in AliasSummaries.h). One per check and translation unit.
class FunctionSummaries {
public:
  explicit FunctionSummaries(const AliasModel &CheckModel);
  ~FunctionSummaries();
  FunctionSummaries(const FunctionSummaries &) = delete;
  FunctionSummaries &operator=(const FunctionSummaries &) = delete;

  /// Forgets every summary (the declarations they describe are gone).
  void clear();

  struct Impl;
  Impl &impl() { return *P; }

private:
  std::unique_ptr<Impl> P;
};

/// Analyses the body of `Fn` and reports its events to `Observer`.
void analyzeAliasFlow(const FunctionDecl &Fn, ASTContext &Ctx, const AliasModel &Model,
                      FunctionSummaries &Summaries, AliasFlowObserver &Observer);

/// The module a fact's storage belongs to, as the user wrote it (`model`, `this->net_`);
/// empty when it has no name (an implicit `this`, an unknown optimizer's module).
std::string moduleSpelling(const AliasFact &Fact, const ASTContext &Ctx);

/// A statement as the user wrote it (`model->state_dict()`), cut short for messages.
std::string spelling(const Stmt *S, const ASTContext &Ctx);

} // namespace clang::tidy::aliasguard

#endif // AG_ANALYZER_ALIASFLOW_H
