//===--- StaleSnapshotCheck.h -----------------------------------------===//

#ifndef AG_ANALYZER_STALESNAPSHOTCHECK_H
#define AG_ANALYZER_STALESNAPSHOTCHECK_H

#include "AliasFlowCheck.h"

namespace clang::tidy::aliasguard {

/// Finds a kept alias of a module's storage (a state_dict(), parameters(), ... that was
/// not deep-copied) used as a snapshot -- restored, compared, saved, returned -- after the
/// module changed: it holds the new values, not the ones it was taken with.
///
/// For the user-facing documentation see docs/checks/aliasguard-stale-snapshot.md.
class StaleSnapshotCheck : public AliasFlowCheck {
public:
  StaleSnapshotCheck(StringRef Name, ClangTidyContext *Context);

private:
  std::unique_ptr<AliasFlowObserver> makeReporter(const ASTContext &Ctx) override;
};

} // namespace clang::tidy::aliasguard

#endif // AG_ANALYZER_STALESNAPSHOTCHECK_H
