//===--- MainFileScope.cpp - Traverse only the project's declarations ------===//

#include "ProjectScope.h"

#include "clang-tidy/ClangTidyCheck.h"
#include "clang-tidy/ClangTidyModule.h"
#include "clang-tidy/ClangTidyModuleRegistry.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include <vector>

namespace aliasguard::cli {

namespace {

using namespace clang::ast_matchers;

// Note [Main-file traversal]
// The checks analyse only functions of the main file and the project's own headers (Note
// [Project headers] in ProjectScope.h), but clang-tidy's MatchFinder still
// visits every declaration of the translation unit and memoizes matcher results for each:
// on a file including <torch/torch.h> that is much of the tool's time and memory (figures in
// bench/README.md, "Analyzer"). The translation unit is the first node the MatchFinder
// visits, so this check, on seeing it, narrows the ASTContext's traversal scope to the
// top-level declarations written in the main file, the way clangd does; the traversal that
// follows visits only those (and those of the project's headers). aliasguard-check runs no
// other clang-tidy
// checks, so nothing loses a header declaration it wanted; the clang-tidy plugin must not
// do this, since there the traversal is shared with the user's other checks.

/// Narrows the traversal to the main file; never reports.
class MainFileScopeCheck : public clang::tidy::ClangTidyCheck {
public:
  using ClangTidyCheck::ClangTidyCheck;

  void registerMatchers(MatchFinder *Finder) override {
    Finder->addMatcher(translationUnitDecl().bind("tu"), this);
  }

  void check(const MatchFinder::MatchResult &Result) override {
    const auto *TU = Result.Nodes.getNodeAs<clang::TranslationUnitDecl>("tu");
    clang::tidy::aliasguard::ProjectScope Project(*Result.SourceManager);
    std::vector<clang::Decl *> Scope;
    for (clang::Decl *D : TU->decls())
      if (Project.inMainFile(D->getLocation()) || Project.inProjectHeader(D->getLocation()))
        Scope.push_back(D);
    Result.Context->setTraversalScope(Scope);
  }
};

class MainFileScopeModule : public clang::tidy::ClangTidyModule {
public:
  void addCheckFactories(clang::tidy::ClangTidyCheckFactories &Factories) override {
    Factories.registerCheck<MainFileScopeCheck>("aliasguard-internal-main-file-scope");
  }
};

} // namespace

} // namespace aliasguard::cli

// Compiled into the executable (not a library), so the registration is always linked.
static clang::tidy::ClangTidyModuleRegistry::Add<aliasguard::cli::MainFileScopeModule>
    MainFileScopeRegistration("aliasguard-check-main-file-scope",
                              "aliasguard-check's main-file traversal.");
