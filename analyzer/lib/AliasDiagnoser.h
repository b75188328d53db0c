//===--- AliasDiagnoser.h - Reports what the reporting pass finds ---------===//
//
// The transfer functions run once more over a converged function (FlowSolver::replay);
// what they find there goes through this diagnoser, which only reports: each finding once
// per statement, to the observer of a check (or of a summary being built).
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_ALIASDIAGNOSER_H
#define AG_ANALYZER_ALIASDIAGNOSER_H

#include "AliasFlow.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::aliasguard::flow {

/// Hands each finding of one function's reporting pass to an observer, once per statement.
class AliasDiagnoser {
public:
  explicit AliasDiagnoser(AliasFlowObserver &Observer) : Observer(Observer) {}

  /// An in-place write through an alias, keyed by `Key`; `Describe` is called only for
  /// the first write of a key.
  void write(const Stmt *Key, llvm::function_ref<AliasWrite()> Describe);
  /// A kept alias used as a snapshot after its module changed.
  void staleUse(const StaleUse &Use);

private:
  AliasFlowObserver &Observer;
  // One set for both kinds: `p.copy_(best)` is a snapshot use and a write at one call, and
  // is reported as whichever the transfer function finds first.
  llvm::SmallPtrSet<const Stmt *, 8> Reported;
};

} // namespace clang::tidy::aliasguard::flow

#endif // AG_ANALYZER_ALIASDIAGNOSER_H
