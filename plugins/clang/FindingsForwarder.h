//===--- FindingsForwarder.h - clang-tidy findings as compiler diagnostics ===//

#ifndef ALIASGUARD_PLUGINS_CLANG_FINDINGSFORWARDER_H
#define ALIASGUARD_PLUGINS_CLANG_FINDINGSFORWARDER_H

#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang/Frontend/MultiplexConsumer.h"
#include <memory>

namespace clang {
class CompilerInstance;
} // namespace clang

namespace aliasguard::plugin {

// Note [Collect, then report]
// clang-tidy's upstream compiler plugin forwards each diagnostic the moment a check emits
// it. We collect them in a ClangTidyDiagnosticConsumer and report the ClangTidyErrors it
// hands back at the end of the translation unit, because
//  (1) that consumer applies NOLINT, NOLINTNEXTLINE, NOLINTBEGIN/END, the header filter and
//      de-duplication exactly as clang-tidy and aliasguard-check do, so the three front ends
//      cannot drift apart; a forwarded diagnostic skips the header filter;
//  (2) Clang 19's custom diagnostics cannot be remapped (DiagnosticIDs returns their fixed
//      level, so -Werror and -w do not reach them), so the level is chosen when reporting,
//      from the compiler's own flags.

/// What the checks report into: clang-tidy's context and a private DiagnosticsEngine whose
/// consumer collects ClangTidyErrors. A base of FindingsForwarder ahead of
/// MultiplexConsumer, so it is built before the checks and destroyed after them.
struct TidyDiagnostics {
  explicit TidyDiagnostics(std::unique_ptr<clang::tidy::ClangTidyContext> Context);

  std::unique_ptr<clang::tidy::ClangTidyContext> Context;
  clang::tidy::ClangTidyDiagnosticConsumer *Collector; // owned by Engine
  std::unique_ptr<clang::DiagnosticsEngine> Engine;
};

/// Runs the aliasguard checks over the translation unit, then reports their findings through
/// the compiler's DiagnosticsEngine. See Note [Collect, then report].
class FindingsForwarder : private TidyDiagnostics, public clang::MultiplexConsumer {
public:
  FindingsForwarder(clang::CompilerInstance &Compiler, llvm::StringRef File,
                    std::unique_ptr<clang::tidy::ClangTidyContext> Context);

  void HandleTranslationUnit(clang::ASTContext &Ctx) override;

private:
  void report(const clang::tidy::ClangTidyError &Finding);

  clang::CompilerInstance &Compiler;
};

} // namespace aliasguard::plugin

#endif // ALIASGUARD_PLUGINS_CLANG_FINDINGSFORWARDER_H
