//===--- AliasLattice.h - The facts the flow analysis computes ------------===//
//
// The lattice of the alias analysis: at each program point, which variables hold storage
// of a module and whether that module changed since. The solver (FlowSolver.h) only joins
// and compares these states; the transfer functions (AliasTransfer.h) change them.
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_ALIASLATTICE_H
#define AG_ANALYZER_ALIASLATTICE_H

#include "AliasFlow.h"

#include "llvm/ADT/DenseMap.h"

namespace clang::tidy::aliasguard::flow {

/// What an expression aliases: the fact, and the variable it was read from (null for a
/// fresh alias source that no variable holds).
struct AliasRef {
  AliasFact Fact;
  const ValueDecl *Var = nullptr;
};

/// The facts that hold at one program point, per tracked variable (locals, structured
/// bindings, and fields of `this`). The default-constructed state, tracking nothing, is
/// the bottom of the lattice.
///
/// Join (where paths meet): a may-analysis, so a variable tracked on any incoming path is
/// tracked after the join. Where several paths track it, the fact of the first path joined
/// is kept, and it is stale when it is stale on any path (the first `StaleBy` joined).
/// Facts only grow along a path, so joining the predecessors' states in the CFG's order
/// gives the same state every round once they stop changing.
///
/// Equality: the same variables with equal facts (AliasFact::operator==); the solver stops
/// when no block's state changes.
class AliasState {
public:
  using Map = llvm::DenseMap<const ValueDecl *, AliasFact>;

  /// The fact `Var` holds here, or null when it holds no module storage.
  const AliasFact *find(const ValueDecl *Var) const {
    auto It = Facts.find(Var);
    return It == Facts.end() ? nullptr : &It->second;
  }
  bool tracks(const ValueDecl *Var) const { return Facts.count(Var) != 0; }
  void set(const ValueDecl *Var, const AliasFact &Fact) { Facts[Var] = Fact; }
  void forget(const ValueDecl *Var) { Facts.erase(Var); }

  /// Every tracked variable with its fact, to update facts in place (a module changed).
  Map::iterator begin() { return Facts.begin(); }
  Map::iterator end() { return Facts.end(); }

  /// Joins the facts of another incoming path into this state (see the class comment).
  void join(const AliasState &Other) {
    for (const auto &[Var, Fact] : Other.Facts) {
      auto [Slot, Inserted] = Facts.try_emplace(Var, Fact);
      if (!Inserted && !Slot->second.StaleBy)
        Slot->second.StaleBy = Fact.StaleBy;
    }
  }

  bool operator==(const AliasState &Other) const { return Facts == Other.Facts; }

private:
  Map Facts;
};

} // namespace clang::tidy::aliasguard::flow

#endif // AG_ANALYZER_ALIASLATTICE_H
