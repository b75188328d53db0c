//===--- AliasDiagnoser.cpp -----------------------------------------------===//

#include "AliasDiagnoser.h"

namespace clang::tidy::aliasguard {

AliasFlowObserver::~AliasFlowObserver() = default;

namespace flow {

void AliasDiagnoser::write(const Stmt *Key, llvm::function_ref<AliasWrite()> Describe) {
  if (Reported.insert(Key).second)
    Observer.onWrite(Describe());
}

void AliasDiagnoser::staleUse(const StaleUse &Use) {
  if (Reported.insert(Use.Use).second)
    Observer.onStaleUse(Use);
}

} // namespace flow

} // namespace clang::tidy::aliasguard
