//===--- AliasGuardTidyModule.cpp - Registers the aliasguard checks -------===//

#include "StaleSnapshotCheck.h"
#include "StateDictMutationCheck.h"
#include "clang-tidy/ClangTidyModule.h"
#include "clang-tidy/ClangTidyModuleRegistry.h"

namespace clang::tidy {
namespace aliasguard {

/// The aliasguard checks, under the ids users write in `.clang-tidy` and `NOLINT(...)`.
class AliasGuardModule : public ClangTidyModule {
public:
  void addCheckFactories(ClangTidyCheckFactories &Factories) override {
    Factories.registerCheck<StateDictMutationCheck>("aliasguard-state-dict-mutation");
    Factories.registerCheck<StaleSnapshotCheck>("aliasguard-stale-snapshot");
  }
};

} // namespace aliasguard

static ClangTidyModuleRegistry::Add<aliasguard::AliasGuardModule>
    X("aliasguard-module", "Checks for state_dict aliasing bugs.");

// A static library's registration object is dropped unless something references its
// object file; front ends reference this anchor (as clang-tidy's ForceLinker does).
// NOLINTNEXTLINE(misc-use-internal-linkage)
volatile int AliasGuardModuleAnchorSource = 0;

} // namespace clang::tidy
