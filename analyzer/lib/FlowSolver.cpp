//===--- FlowSolver.cpp ---------------------------------------------------===//

#include "FlowSolver.h"

#include "llvm/ADT/SmallPtrSet.h"
#include <algorithm>

namespace clang::tidy::aliasguard::flow {

// Reverse post-order visits a block after its forward predecessors, so most facts arrive
// in the first round; unreachable blocks are never visited. Written out rather than
// llvm::ReversePostOrderTraversal because a CFG edge may lead nowhere (a pruned
// `if constexpr` branch, a case after a noreturn call): those successors are null.
llvm::SmallVector<const CFGBlock *, 32> reversePostOrder(const CFG &Graph) {
  llvm::SmallVector<const CFGBlock *, 32> Order;
  llvm::SmallPtrSet<const CFGBlock *, 32> Seen;
  llvm::SmallVector<std::pair<const CFGBlock *, CFGBlock::const_succ_iterator>, 32> Stack;
  const CFGBlock *Entry = &Graph.getEntry();
  Seen.insert(Entry);
  Stack.emplace_back(Entry, Entry->succ_begin());
  while (!Stack.empty()) {
    const CFGBlock *Block = Stack.back().first;
    if (Stack.back().second == Block->succ_end()) {
      Order.push_back(Block);
      Stack.pop_back();
      continue;
    }
    const CFGBlock *Next = Stack.back().second->getReachableBlock();
    ++Stack.back().second;
    if (Next && Seen.insert(Next).second)
      Stack.emplace_back(Next, Next->succ_begin());
  }
  std::reverse(Order.begin(), Order.end());
  return Order;
}

} // namespace clang::tidy::aliasguard::flow
