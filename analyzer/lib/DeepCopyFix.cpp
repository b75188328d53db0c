//===--- DeepCopyFix.cpp --------------------------------------------------===//

#include "DeepCopyFix.h"
#include "AliasModel.h"
#include "Messages.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <mutex>

namespace clang::tidy::aliasguard {

namespace {

// The fixes handed out, per translation unit (see deepCopyFix). Checks of different
// translation units may run on different threads.
struct ClaimedFixes {
  std::mutex Lock;
  llvm::DenseMap<const ASTContext *, llvm::DenseSet<const Expr *>> PerUnit;
};
ClaimedFixes &claimed() {
  static ClaimedFixes Instance;
  return Instance;
}
bool claimFix(const ASTContext &Ctx, const Expr *Taken) {
  ClaimedFixes &C = claimed();
  std::lock_guard<std::mutex> Guard(C.Lock);
  return C.PerUnit[&Ctx].insert(Taken).second;
}

// A tensor is what has a TensorCopyMethod (`clone()`) callable without arguments
// (aliasguard's takes a defaulted source location), itself or through a base.
bool hasCopyMethod(const CXXRecordDecl *RD, llvm::StringRef Method, int Depth = 0) {
  if (!RD || !RD->hasDefinition() || Depth > 4)
    return false;
  RD = RD->getDefinition();
  for (const CXXMethodDecl *M : RD->methods())
    if (M->getDeclName().isIdentifier() && M->getName() == Method &&
        M->getMinRequiredArguments() == 0)
      return true;
  return llvm::any_of(RD->bases(), [&](const CXXBaseSpecifier &Base) {
    return hasCopyMethod(Base.getType()->getAsCXXRecordDecl(), Method, Depth + 1);
  });
}

// Whether `Qualified` (`aliasguard::deep_copy`) names a function of this translation unit
// that takes a `T` as its first argument (a template is taken on trust).
bool declaresCopyFunction(llvm::StringRef Qualified, QualType T, const ASTContext &Ctx) {
  Qualified = Qualified.trim();
  Qualified.consume_front("::");
  llvm::SmallVector<llvm::StringRef, 4> Parts;
  Qualified.split(Parts, "::");
  const DeclContext *DC = Ctx.getTranslationUnitDecl();
  auto &Idents = const_cast<ASTContext &>(Ctx).Idents;
  for (size_t I = 0; I + 1 < Parts.size(); ++I) {
    const NamespaceDecl *NS = nullptr;
    for (const NamedDecl *D : DC->lookup(DeclarationName(&Idents.get(Parts[I]))))
      if ((NS = dyn_cast<NamespaceDecl>(D)))
        break;
    if (!NS)
      return false;
    DC = NS;
  }
  const QualType Wanted = T.getNonReferenceType().getCanonicalType().getUnqualifiedType();
  for (const NamedDecl *D : DC->lookup(DeclarationName(&Idents.get(Parts.back())))) {
    if (isa<FunctionTemplateDecl>(D))
      return true;
    const auto *FD = dyn_cast<FunctionDecl>(D);
    if (!FD || FD->param_empty())
      continue;
    const QualType Param = FD->getParamDecl(0)
                               ->getType()
                               .getNonReferenceType()
                               .getCanonicalType()
                               .getUnqualifiedType();
    if (Param == Wanted)
      return true;
  }
  return false;
}

// Expressions that take a postfix `.clone()` as they are.
bool isPostfix(const Expr *E) {
  E = E->IgnoreImplicit();
  // The copy a declaration makes of its initializer (`Tensor w = sd["w"];`).
  while (const auto *Copy = dyn_cast<CXXConstructExpr>(E)) {
    if (Copy->getNumArgs() != 1 || isa<CXXTemporaryObjectExpr>(Copy))
      break;
    E = Copy->getArg(0)->IgnoreImplicit();
  }
  return isa<DeclRefExpr, MemberExpr, CallExpr, ParenExpr, ArraySubscriptExpr>(E);
}

} // namespace

DeepCopyFix deepCopyFix(const Expr *Taken, const AliasModel &Model, const ASTContext &Ctx) {
  DeepCopyFix Fix;
  if (!Taken || !claimFix(Ctx, Taken))
    return Fix;
  const SourceRange Range = Taken->getSourceRange();
  if (Range.isInvalid() || Range.getBegin().isMacroID() || Range.getEnd().isMacroID())
    return Fix;
  const SourceManager &SM = Ctx.getSourceManager();
  const LangOptions &LO = Ctx.getLangOpts();
  const QualType T = Taken->getType().getNonReferenceType();
  if (Model.isModuleType(T)) {
    // LibTorch's Cloneable::clone() returns a shared_ptr<Module>; wrapping it back into
    // the user's holder type is theirs to spell.
    Fix.Advice = messages::CopyModule.str();
    return Fix;
  }
  const llvm::StringRef Method = Model.tensorCopyMethod();
  if (hasCopyMethod(T->getAsCXXRecordDecl(), Method)) {
    const SourceLocation End = Lexer::getLocForEndOfToken(Range.getEnd(), 0, SM, LO);
    if (End.isInvalid())
      return Fix;
    if (isPostfix(Taken)) {
      Fix.Hints.push_back(FixItHint::CreateInsertion(End, ("." + Method + "()").str()));
    } else {
      Fix.Hints.push_back(FixItHint::CreateInsertion(Range.getBegin(), "("));
      Fix.Hints.push_back(FixItHint::CreateInsertion(End, (")." + Method + "()").str()));
    }
    return Fix;
  }

  const llvm::StringRef Template = Model.options().DeepCopyFunction;
  const size_t Hole = Template.find("%0");
  const size_t Paren = Template.find('(');
  if (Hole != llvm::StringRef::npos && Paren != llvm::StringRef::npos &&
      declaresCopyFunction(Template.take_front(Paren), T, Ctx)) {
    const llvm::StringRef Text =
        Lexer::getSourceText(CharSourceRange::getTokenRange(Range), SM, LO);
    if (Text.empty())
      return Fix;
    const std::string Replacement =
        (Template.take_front(Hole) + Text + Template.drop_front(Hole + 2)).str();
    Fix.Hints.push_back(
        FixItHint::CreateReplacement(CharSourceRange::getTokenRange(Range), Replacement));
    return Fix;
  }
  Fix.Advice = messages::CopyCollectionByHand.str();
  return Fix;
}

void forgetFixes(const ASTContext &Ctx) {
  ClaimedFixes &C = claimed();
  std::lock_guard<std::mutex> Guard(C.Lock);
  C.PerUnit.erase(&Ctx);
}

} // namespace clang::tidy::aliasguard
