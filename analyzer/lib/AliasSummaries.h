//===--- AliasSummaries.h - What helper functions and lambdas do ----------===//
//
// Internal to analyzer/lib. See Note [Summaries].
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_ALIASSUMMARIES_H
#define AG_ANALYZER_ALIASSUMMARIES_H

#include "AliasFlow.h"
#include "AliasLattice.h"
#include "AliasModel.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include <memory>
#include <string>
#include <utility>

namespace clang::tidy::aliasguard {

namespace flow {

class AliasResolver;

// Note [Summaries]
// A helper function of the translation unit (written in the main file) is analysed once,
// with its tensor parameters as pseudo-aliases, and what it does is kept as a summary that
// every call applies: it returns module storage (a user-written `state_dict(const Module&)`
// collecting `detach()`ed parameters), returns (an alias of) one of its arguments, writes
// an argument in place, or changes a module it sees from outside (a field, a global, or a
// variable a lambda captured). Summaries are computed with every alias source enabled; a
// call counts as a source for a check when the helper's name or the source inside it is
// one of that check's AliasSources. Recursion and deep call chains end in an empty summary.
// A lambda (or method) that uses a value from outside as a snapshot -- `restore()` copying a
// captured `best` back, `[&] { torch::save(best, ...); }()` -- keeps that use too: a call
// reports it where the value is stale at the call. Uses apply before the summary's module
// changes, so a lambda that trains and then saves is not reported for its own training.
/// What a call of one helper function or lambda does (Note [Summaries]).
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
  /// Values from outside the helper (captured, fields) that it uses as snapshots.
  struct OutsideUse {
    const ValueDecl *Var;
    const Stmt *Use;
    SnapshotUseKind Kind;
    std::string Callee;
  };
  llvm::SmallVector<OutsideUse, 1> UsedOutside;
};

/// Builds a helper's summary from the reporting pass over its body: the writes through
/// its parameters (as the diagnoser's observer), what it returns, and the modules from
/// outside it that it changes.
class SummaryRecorder : public AliasFlowObserver {
public:
  SummaryRecorder(FunctionSummary &S, const FunctionDecl &Helper)
      : Summary(S), Fn(Helper) {}

  void onWrite(const AliasWrite &W) override;
  /// `Module` changes at `Site` inside the helper.
  void moduleChanged(const Decl *Module, const Stmt *Site);
  /// The helper returns a value that aliases `Ref`; `Resolver` names its alias source.
  void returned(const AliasRef &Ref, const AliasResolver &Resolver);
  /// `Var`, which the helper does not track, is used as a snapshot at `Use`.
  void usedOutside(const ValueDecl *Var, const Stmt *Use, SnapshotUseKind Kind,
                   llvm::StringRef Callee);

private:
  bool isOutside(const Decl *D) const;

  FunctionSummary &Summary;
  const FunctionDecl &Fn;
};

} // namespace flow

/// The summaries of one check and translation unit, computed with the check's tables and
/// every alias source enabled (Note [Summaries]).
struct FunctionSummaries::Impl {
  explicit Impl(const AliasModel &CheckModel);

  /// The summary of `Def`, computed on first use; empty for recursion and for call chains
  /// deeper than is worth following.
  const flow::FunctionSummary &summarize(const FunctionDecl &Def, ASTContext &Ctx);

  AliasModel Model;
  llvm::DenseMap<const FunctionDecl *, std::unique_ptr<flow::FunctionSummary>> Done;
  llvm::SmallPtrSet<const FunctionDecl *, 8> InProgress;
};

} // namespace clang::tidy::aliasguard

#endif // AG_ANALYZER_ALIASSUMMARIES_H
