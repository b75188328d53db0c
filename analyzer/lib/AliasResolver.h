//===--- AliasResolver.h - What an expression aliases, in one function ----===//
//
// The queries the transfer functions ask about expressions of one function body: which
// module storage an expression aliases in a given state, which module it designates, which
// variable an assignment binds, and what a call of a helper of the translation unit returns
// (Note [Summaries]). Flow-insensitive facts found on the way (lambdas held by variables,
// optimizers built from a module) are noted here by the transfer functions.
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_ALIASRESOLVER_H
#define AG_ANALYZER_ALIASRESOLVER_H

#include "AliasLattice.h"
#include "AliasSummaries.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/DenseMap.h"
#include <optional>
#include <string>

namespace clang::tidy::aliasguard::flow {

const Expr *skipImplicit(const Expr *E);
/// The constant a dict is indexed with: `sd["fc.weight"]`, `sd.at(std::string("w"))`.
llvm::StringRef constantKey(const Expr *E);
/// The object a call acts on: `x` in `x.f()`, `x->f()`, `x += y`, `x[i]`.
const Expr *objectOf(const CallExpr *Call);
/// A fresh alias straight from an alias-source call, held by no variable yet.
AliasRef freshSource(const Expr *Source, const Decl *Module, const Expr *ModuleExpr);
/// Whether a fact is a copy of a module (Note [Module copies]), not storage from a source.
inline bool isModuleCopy(const AliasFact &Fact) {
  return Fact.Source && !isa<CallExpr>(Fact.Source);
}
/// The argument a call passes for parameter `Param` of `Def`; a call of a lambda or other
/// object through `operator()` passes the object first.
const Expr *argumentFor(const CallExpr *Call, const FunctionDecl &Def, unsigned Param);

/// Who an optimizer (or any object built from a module's parameters) changes.
struct Owner {
  const Decl *Module = nullptr;
  const Expr *Source = nullptr;
};

/// Answers what expressions of one function alias and designate (see the file comment).
class AliasResolver {
public:
  AliasResolver(const FunctionDecl &Function, ASTContext &Context, const AliasModel &Tables,
                FunctionSummaries::Impl &Helpers)
      : Fn(Function), Ctx(Context), Model(Tables), Summaries(Helpers) {}

  const FunctionDecl &function() const { return Fn; }
  ASTContext &context() const { return Ctx; }
  const AliasModel &model() const { return Model; }

  /// The module storage `E` aliases in `State`, if any.
  std::optional<AliasRef> aliasOf(const Expr *E, const AliasState &State) const;
  /// The module `E` designates (`m`, `m.fc->weight`, `this->net_`), or null.
  const Decl *identity(const Expr *E) const;
  /// The variable an assignment to `E` binds: a local, a structured binding, or a field of
  /// `this`; null for anything else.
  const ValueDecl *trackedTarget(const Expr *E) const;
  /// The module that changes when `D` (a module or optimizer) changes.
  Owner resolveOwner(const Decl *D) const;
  /// Whether `Call` writes the object (or first argument) it acts on.
  bool isMutatingCall(const CallExpr *Call) const;

  /// A helper of the translation unit whose summary `Call` may use, or null.
  const FunctionDecl *helperBody(const CallExpr *Call) const;
  /// The call operator of the lambda `E` holds, or null.
  const FunctionDecl *callableBody(const Expr *E) const;
  const FunctionSummary &summarize(const FunctionDecl &Def) const {
    return Summaries.summarize(Def, Ctx);
  }
  /// The alias source a fact comes from, seen through helpers that return one.
  std::string sourceNameOf(const Expr *Source) const;

  /// `Var` holds the lambda whose call operator is `Body`.
  void noteCallable(const ValueDecl *Var, const FunctionDecl *Body) { Callables[Var] = Body; }
  /// `Object` (an optimizer, say) was built from storage of `Changes.Module`.
  void noteOwner(const Decl *Object, Owner Changes) { Owners[Object] = Changes; }

private:
  // What a call of a helper returns: an alias (a fresh source), or nothing; or, with
  // `Continue` set, the alias of the argument `Next` (with `Key` if none is set yet).
  std::optional<AliasRef> helperResult(const CallExpr *Call, const FunctionDecl &Def,
                                       bool &Continue, const Expr *&Next,
                                       llvm::StringRef &Key) const;

  const FunctionDecl &Fn;
  ASTContext &Ctx;
  const AliasModel &Model;
  FunctionSummaries::Impl &Summaries;
  llvm::DenseMap<const ValueDecl *, const FunctionDecl *> Callables; // `auto f = [&] {...}`
  llvm::DenseMap<const Decl *, Owner> Owners;
};

} // namespace clang::tidy::aliasguard::flow

#endif // AG_ANALYZER_ALIASRESOLVER_H
