//===--- StateDictMutationCheck.h -----------------------------------------===//

#ifndef AG_ANALYZER_STATEDICTMUTATIONCHECK_H
#define AG_ANALYZER_STATEDICTMUTATIONCHECK_H

#include "AliasFlowCheck.h"

namespace clang::tidy::aliasguard {

/// Finds in-place writes that reach a module's parameters through its state_dict()
/// (copies of the dict, iteration, indexing, data(), detach(), views) with no deep copy
/// on the way.
///
/// For the user-facing documentation see docs/checks/aliasguard-state-dict-mutation.md.
class StateDictMutationCheck : public AliasFlowCheck {
public:
  StateDictMutationCheck(StringRef Name, ClangTidyContext *Context);

private:
  std::unique_ptr<AliasFlowObserver> makeReporter(const ASTContext &Ctx) override;
};

} // namespace clang::tidy::aliasguard

#endif // AG_ANALYZER_STATEDICTMUTATIONCHECK_H
