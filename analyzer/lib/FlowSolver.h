//===--- FlowSolver.h - A forward dataflow solver over one CFG -------------===//
//
// Generic in its lattice and transfer function, in the way of
// clang/Analysis/FlowSensitive: the solver knows blocks, edges and rounds; the lattice
// knows how to join and compare; the transfer function knows statements.
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_FLOWSOLVER_H
#define AG_ANALYZER_FLOWSOLVER_H

#include "clang/Analysis/CFG.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <utility>

namespace clang::tidy::aliasguard::flow {

/// The blocks reachable from the entry, each after its forward predecessors (a CFG edge
/// that leads nowhere, such as a pruned `if constexpr` branch, is skipped).
llvm::SmallVector<const CFGBlock *, 32> reversePostOrder(const CFG &Graph);

/// Computes the state at the end of every block of a CFG with a worklist of blocks, taken in
/// rounds in reverse post-order, until no block's state changes or a round cap is reached.
///
/// `Lattice` is default-constructible (the bottom), with `void join(const Lattice &)` and
/// `operator==`. A transfer function is called as `Transfer(const CFGElement &, Lattice &)`
/// for each element of a block in order, and changes the state in place; it must depend on
/// nothing but the state and the element (caches are fine).
template <typename Lattice> class ForwardSolver {
public:
  /// Facts only grow along a path, so the fixpoint is reached in a few rounds; the cap
  /// keeps a pathological function from costing more than it is worth.
  static constexpr int MaxRounds = 16;

  /// `Initial` holds at the entry of `Graph`.
  ForwardSolver(const CFG &Graph, Lattice Initial)
      : Entry(&Graph.getEntry()), Order(reversePostOrder(Graph)),
        Initial(std::move(Initial)) {
    for (unsigned I = 0; I < Order.size(); ++I)
      Position[Order[I]] = I;
  }

  /// Runs `Transfer` over the blocks until their end states are stable (or the cap).
  ///
  /// Note [Worklist rounds]
  /// A round visits the pending blocks in reverse post-order. A block whose end state
  /// changed makes its successors pending: those later in the order within this round,
  /// those at or before it (back edges) in the next. That is a sweep over every block per
  /// round with the sweeps that could change nothing left out: a block none of whose
  /// predecessors changed since it last ran would compute the same state again. The join
  /// keeps the first incoming fact (AliasLattice.h), so the order matters, and this is the
  /// order in which facts reach every block; the round cap counts the same rounds.
  template <typename TransferFn> void solve(TransferFn &&Transfer) {
    llvm::BitVector Pending(static_cast<unsigned>(Order.size()), /*t=*/true); // all run once
    for (int Round = 0; Round < MaxRounds && Pending.any(); ++Round) {
      for (int I = Pending.find_first(); I != -1; I = Pending.find_next(I)) {
        Pending.reset(I);
        const CFGBlock *Block = Order[I];
        Lattice State = entryState(Block);
        runBlock(*Block, State, Transfer);
        Lattice &Slot = Out[Block];
        if (Slot == State)
          continue;
        Slot = std::move(State);
        for (const CFGBlock *Succ : Block->succs())
          if (auto It = Position.find(Succ); Succ && It != Position.end())
            Pending.set(It->second);
      }
    }
  }

  /// Runs `Transfer` once more over every block from the states `solve` computed, in the
  /// same order, without changing them: the pass in which findings are reported.
  template <typename TransferFn> void replay(TransferFn &&Transfer) const {
    for (const CFGBlock *Block : Order) {
      Lattice State = entryState(Block);
      runBlock(*Block, State, Transfer);
    }
  }

private:
  // The join of the end states of the predecessors computed so far.
  Lattice entryState(const CFGBlock *Block) const {
    if (Block == Entry)
      return Initial;
    Lattice In;
    for (const CFGBlock *Pred : Block->preds()) {
      if (!Pred)
        continue;
      if (auto It = Out.find(Pred); It != Out.end())
        In.join(It->second);
    }
    return In;
  }

  template <typename TransferFn>
  static void runBlock(const CFGBlock &Block, Lattice &State, TransferFn &Transfer) {
    for (const CFGElement &Element : Block)
      Transfer(Element, State);
  }

  const CFGBlock *Entry;
  llvm::SmallVector<const CFGBlock *, 32> Order;
  llvm::DenseMap<const CFGBlock *, unsigned> Position; // index in Order
  Lattice Initial;
  llvm::DenseMap<const CFGBlock *, Lattice> Out;
};

} // namespace clang::tidy::aliasguard::flow

#endif // AG_ANALYZER_FLOWSOLVER_H
