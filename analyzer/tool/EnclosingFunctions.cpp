//===--- EnclosingFunctions.cpp -------------------------------------------===//

#include "EnclosingFunctions.h"

#include "clang-tidy/ClangTidyCheck.h"
#include "clang-tidy/ClangTidyModule.h"
#include "clang-tidy/ClangTidyModuleRegistry.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/Support/raw_ostream.h"

namespace aliasguard::cli {

void FunctionExtents::add(llvm::StringRef File, unsigned Begin, unsigned End,
                          std::string Name) {
  std::lock_guard<std::mutex> Guard(Lock);
  Files[File].push_back(Extent{Begin, End, std::move(Name)});
}

llvm::StringRef FunctionExtents::lookup(llvm::StringRef File, unsigned Offset) const {
  const auto It = Files.find(File);
  if (It == Files.end())
    return "";
  const Extent *Best = nullptr;
  for (const Extent &E : It->second)
    if (E.Begin <= Offset && Offset <= E.End &&
        (!Best || E.End - E.Begin < Best->End - Best->Begin))
      Best = &E;
  return Best ? llvm::StringRef(Best->Name) : llvm::StringRef();
}

FunctionExtents &enclosingFunctions() {
  static FunctionExtents Extents;
  return Extents;
}

namespace {

using namespace clang::ast_matchers;

/// `ns::Class::method(int, const Tensor &)`: qualified, with parameter types so overloads
/// differ, and without the `(unnamed struct at file:line:col)` locations Clang would print.
std::string signature(const clang::FunctionDecl &Fn) {
  clang::PrintingPolicy Policy(Fn.getASTContext().getLangOpts());
  Policy.AnonymousTagLocations = false;
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  Fn.printQualifiedName(OS, Policy);
  OS << '(';
  for (unsigned I = 0; I < Fn.getNumParams(); ++I)
    OS << (I ? ", " : "") << Fn.getParamDecl(I)->getType().getAsString(Policy);
  OS << ')';
  return Text;
}

/// Records extents only; it never reports.
class EnclosingFunctionsCheck : public clang::tidy::ClangTidyCheck {
public:
  using ClangTidyCheck::ClangTidyCheck;

  void registerMatchers(MatchFinder *Finder) override {
    // The same functions the aliasguard checks analyse (see StateDictMutationCheck).
    Finder->addMatcher(functionDecl(isDefinition(), isExpansionInMainFile(),
                                    unless(isInstantiated()))
                           .bind("fn"),
                       this);
  }

  void check(const MatchFinder::MatchResult &Result) override {
    const auto *Fn = Result.Nodes.getNodeAs<clang::FunctionDecl>("fn");
    if (const auto *Method = llvm::dyn_cast<clang::CXXMethodDecl>(Fn))
      if (Method->getParent()->isLambda())
        return;
    const clang::SourceManager &SM = *Result.SourceManager;
    const clang::SourceLocation Begin = SM.getExpansionLoc(Fn->getBeginLoc());
    const clang::SourceLocation End = SM.getExpansionLoc(Fn->getEndLoc());
    if (SM.getFileID(Begin) != SM.getFileID(End))
      return;
    enclosingFunctions().add(SM.getFilename(Begin), SM.getFileOffset(Begin),
                             SM.getFileOffset(End), signature(*Fn));
  }
};

class EnclosingFunctionsModule : public clang::tidy::ClangTidyModule {
public:
  void addCheckFactories(clang::tidy::ClangTidyCheckFactories &Factories) override {
    Factories.registerCheck<EnclosingFunctionsCheck>(
        "aliasguard-internal-enclosing-functions");
  }
};

} // namespace

} // namespace aliasguard::cli

// Compiled into the executable (not a library), so the registration is always linked.
static clang::tidy::ClangTidyModuleRegistry::Add<aliasguard::cli::EnclosingFunctionsModule>
    EnclosingFunctionsRegistration("aliasguard-check-internal",
                                   "aliasguard-check's function extents for SARIF.");
