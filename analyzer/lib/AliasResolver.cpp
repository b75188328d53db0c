//===--- AliasResolver.cpp ------------------------------------------------===//

#include "AliasResolver.h"

#include "clang/Basic/SourceManager.h"

namespace clang::tidy::aliasguard::flow {

const Expr *skipImplicit(const Expr *E) {
  while (true) {
    const Expr *Next = E->IgnoreImplicit()->IgnoreParens();
    if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(Next))
      Next = Cleanups->getSubExpr();
    if (Next == E)
      return E;
    E = Next;
  }
}

llvm::StringRef constantKey(const Expr *E) {
  for (int Depth = 0; E && Depth < 6; ++Depth) {
    E = skipImplicit(E);
    if (const auto *Lit = dyn_cast<StringLiteral>(E))
      return Lit->getString();
    const auto *Construct = dyn_cast<CXXConstructExpr>(E);
    if (!Construct || Construct->getNumArgs() == 0)
      return {};
    E = Construct->getArg(0);
  }
  return {};
}

const Expr *objectOf(const CallExpr *Call) {
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call))
    return Member->getImplicitObjectArgument();
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call))
    return Op->getNumArgs() > 0 ? Op->getArg(0) : nullptr;
  return nullptr;
}

AliasRef freshSource(const Expr *Source, const Decl *Module, const Expr *ModuleExpr) {
  AliasFact Fact;
  Fact.Source = Source;
  Fact.Module = Module;
  Fact.ModuleExpr = ModuleExpr;
  return AliasRef{Fact, nullptr};
}

const Expr *argumentFor(const CallExpr *Call, const FunctionDecl &Def, unsigned Param) {
  const unsigned Index =
      Param + (isa<CXXOperatorCallExpr>(Call) && isa<CXXMethodDecl>(Def) ? 1 : 0);
  return Index < Call->getNumArgs() ? Call->getArg(Index) : nullptr;
}

std::optional<AliasRef> AliasResolver::aliasOf(const Expr *E,
                                               const AliasState &State) const {
  llvm::StringRef Key;
  auto WithKey = [&Key](std::optional<AliasRef> Ref) {
    if (Ref && Ref->Fact.Key.empty())
      Ref->Fact.Key = Key;
    return Ref;
  };
  for (int Depth = 0; E && Depth < 32; ++Depth) {
    E = skipImplicit(E);
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      const AliasFact *Fact = State.find(Ref->getDecl());
      if (!Fact)
        return std::nullopt;
      return WithKey(AliasRef{*Fact, Ref->getDecl()});
    }
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      if (isa<CXXThisExpr>(Member->getBase()->IgnoreImpCasts())) {
        const AliasFact *Fact = State.find(Member->getMemberDecl());
        if (!Fact)
          return std::nullopt;
        return WithKey(AliasRef{*Fact, Member->getMemberDecl()});
      }
      E = Member->getBase(); // `item.second`, `pair.first`
      continue;
    }
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
      // A copy (or a wrapper such as aliasguard's Located<const Tensor&>) of an alias is
      // the same storage: copying a Tensor or a StateDict copies handles.
      if (Construct->getNumArgs() == 0 ||
          !llvm::all_of(llvm::drop_begin(Construct->arguments()),
                        [](const Expr *A) { return isa<CXXDefaultArgExpr>(A); }))
        return std::nullopt;
      E = Construct->getArg(0);
      continue;
    }
    if (const auto *Cond = dyn_cast<AbstractConditionalOperator>(E)) {
      if (auto Ref = aliasOf(Cond->getTrueExpr(), State))
        return WithKey(Ref);
      E = Cond->getFalseExpr();
      continue;
    }
    if (const auto *Unary = dyn_cast<UnaryOperator>(E)) {
      if (Unary->getOpcode() != UO_Deref && Unary->getOpcode() != UO_AddrOf)
        return std::nullopt;
      E = Unary->getSubExpr();
      continue;
    }
    const auto *Call = dyn_cast<CallExpr>(E);
    if (!Call || Model.isDeepCopy(Call))
      return std::nullopt;
    if (const FunctionDecl *Def = helperBody(Call)) {
      bool Continue = false;
      const Expr *Next = nullptr;
      auto Ref = helperResult(Call, *Def, Continue, Next, Key);
      if (!Continue)
        return WithKey(Ref);
      E = Next;
      continue;
    }
    const std::string Name = calleeName(Call);
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call)) {
      // `*item`/`item->` are unary; binary `a * b` computes new storage.
      const bool Unary = Op->getNumArgs() == 1;
      const bool Preserving = Model.isAliasPreserving(Name) &&
                              (Unary || Op->getOperator() == OO_Subscript);
      if (!Preserving && !Model.isMutating(Name))
        return std::nullopt;
      if (Key.empty() && Op->getNumArgs() > 1)
        Key = constantKey(Op->getArg(1));
      E = Op->getArg(0);
      continue;
    }
    if (const auto *MemberCall = dyn_cast<CXXMemberCallExpr>(Call)) {
      const Expr *Object = MemberCall->getImplicitObjectArgument();
      if (!Object)
        return std::nullopt;
      if (Model.isAliasSource(Name) && Model.isModuleType(Object->getType()))
        return WithKey(freshSource(Call, identity(Object), Object));
      // `net->fc->weight.detach()`: a module's own tensor, kept without a copy.
      if (Model.isAliasSource(Name) && !aliasOf(Object, State))
        if (const Decl *Module = identity(Object))
          return WithKey(freshSource(Call, Module, Object));
      // In-place ops return the tensor they changed, so `v.mul_(a)` is still `v`.
      if (!Model.isAliasPreserving(Name) && !Model.isMutating(Name))
        return std::nullopt;
      if (Key.empty() && Call->getNumArgs() > 0)
        Key = constantKey(Call->getArg(0));
      E = Object;
      continue;
    }
    // Free functions: std::move and friends pass the value through; so do in-place
    // functions (`torch::nn::init::normal_(t)` returns `t`).
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee || Call->getNumArgs() == 0)
      return std::nullopt;
    // A free function named as an alias source and given a module, defined elsewhere
    // (`state_dict(model)` from the user's utility library).
    if (Model.isAliasSource(Name))
      for (const Expr *Arg : Call->arguments())
        if (const Decl *Module = identity(Arg))
          return WithKey(freshSource(Call, Module, Arg));
    const bool PassThrough = Callee->isInStdNamespace() && Model.isPassThrough(Name);
    if (!PassThrough && !Model.isMutating(Name))
      return std::nullopt;
    E = Call->getArg(0);
  }
  return std::nullopt;
}

// The module an expression designates, for `m`, `m.fc->weight`, `model->parameters()`,
// `this->net_`, or `fc` inside a module's own method. The innermost module-typed entity
// wins: changing `m.fc` changes `m`, and `m.state_dict()` covers `m.fc`.
const Decl *AliasResolver::identity(const Expr *E) const {
  const Decl *Found = nullptr;
  for (int Depth = 0; E && Depth < 32; ++Depth) {
    E = skipImplicit(E);
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      if (Model.isModuleType(Ref->getDecl()->getType()))
        Found = Ref->getDecl();
      return Found;
    }
    if (const auto *This = dyn_cast<CXXThisExpr>(E)) {
      if (Model.isModuleType(This->getType()))
        Found = This->getType()->getPointeeCXXRecordDecl();
      return Found;
    }
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      if (Model.isModuleType(Member->getMemberDecl()->getType()))
        Found = Member->getMemberDecl();
      E = Member->getBase();
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      E = Op->getNumArgs() > 0 ? Op->getArg(0) : nullptr;
    } else if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
      E = Call->getImplicitObjectArgument();
    } else if (const auto *Unary = dyn_cast<UnaryOperator>(E)) {
      E = Unary->getSubExpr();
    } else {
      return Found;
    }
  }
  return Found;
}

// A variable the analysis may bind facts to: a local, a structured binding, or a field
// of `this` (a trainer's `best_` member).
const ValueDecl *AliasResolver::trackedTarget(const Expr *E) const {
  E = skipImplicit(E);
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    if (const auto *VD = dyn_cast<VarDecl>(Ref->getDecl()))
      return VD->hasLocalStorage() ? VD : nullptr;
    return isa<BindingDecl>(Ref->getDecl()) ? Ref->getDecl() : nullptr;
  }
  if (const auto *Member = dyn_cast<MemberExpr>(E))
    if (isa<CXXThisExpr>(Member->getBase()->IgnoreImpCasts()))
      return Member->getMemberDecl();
  return nullptr;
}

// Note [Optimizers]
// An optimizer changes the module whose parameters it was built from. Built here, we know
// which (Owners); received from elsewhere, it may change any module, so it answers
// "unknown". ModuleTypes entries ending in `Optimizer` are the optimizer bases.
Owner AliasResolver::resolveOwner(const Decl *D) const {
  if (auto It = Owners.find(D); It != Owners.end())
    return It->second;
  if (const auto *VD = dyn_cast_or_null<ValueDecl>(D))
    if (Model.isOptimizerType(VD->getType()))
      return Owner{};
  return Owner{D, nullptr};
}

bool AliasResolver::isMutatingCall(const CallExpr *Call) const {
  const std::string Name = calleeName(Call);
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call)) {
    if (Op->getOperator() != OO_Equal)
      return Model.isMutating(Name);
    // `p.data() = src` and `t[0] = 1` write values (LibTorch's `operator=(...) &&`);
    // `sd["w"] = t` and `x = y` on lvalues rebind handles.
    if (const auto *MD = dyn_cast_or_null<CXXMethodDecl>(Op->getDirectCallee()))
      if (MD->getRefQualifier() == RQ_RValue)
        return true;
    return Op->getNumArgs() > 0 && skipImplicit(Op->getArg(0))->isPRValue();
  }
  if (isa<CXXMemberCallExpr>(Call))
    return Model.isMutating(Name);
  return Call->getNumArgs() > 0 && Call->getDirectCallee() && Model.isMutating(Name);
}

// A function of this translation unit whose summary a call may use: a function or method
// defined in the main file that no table names, or the body of a lambda (called directly,
// or through a variable it initialised).
const FunctionDecl *AliasResolver::helperBody(const CallExpr *Call) const {
  const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);
  if (Op) {
    if (Op->getOperator() != OO_Call || Op->getNumArgs() == 0)
      return nullptr;
    if (const FunctionDecl *Body = callableBody(Op->getArg(0)))
      return Body;
  }
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee)
    return nullptr;
  if (!Op) {
    const std::string Name = calleeName(Call);
    if (Model.isAliasPreserving(Name) || Model.isMutating(Name) ||
        Model.isModuleMutator(Name) || Model.isSnapshotUse(Name) || Model.isDeepCopy(Call))
      return nullptr;
  }
  const FunctionDecl *Def = nullptr;
  if (!Callee->hasBody(Def) || !Def || !Def->getBody())
    return nullptr;
  const SourceManager &SM = Ctx.getSourceManager();
  if (!SM.isWrittenInMainFile(SM.getExpansionLoc(Def->getLocation())))
    return nullptr;
  return Def;
}

// The call operator of a lambda written here, held by a variable, or wrapped in a
// `std::function` that a variable was initialised with.
const FunctionDecl *AliasResolver::callableBody(const Expr *E) const {
  for (int Depth = 0; E && Depth < 6; ++Depth) {
    E = skipImplicit(E);
    if (const auto *Lambda = dyn_cast<LambdaExpr>(E))
      return Lambda->getCallOperator();
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      if (auto It = Callables.find(Ref->getDecl()); It != Callables.end())
        return It->second;
      const auto *RD = Ref->getType().getNonReferenceType()->getAsCXXRecordDecl();
      return RD && RD->isLambda() ? RD->getLambdaCallOperator() : nullptr;
    }
    const auto *Construct = dyn_cast<CXXConstructExpr>(E);
    if (!Construct || Construct->getNumArgs() != 1)
      return nullptr;
    E = Construct->getArg(0);
  }
  return nullptr;
}

// The alias source a fact comes from, seen through helpers that return one.
std::string AliasResolver::sourceNameOf(const Expr *Source) const {
  const auto *Call = dyn_cast_or_null<CallExpr>(Source);
  if (!Call)
    return {}; // a module copy: no state_dict-like source
  std::string Name = calleeName(Call);
  if (Model.isAliasSource(Name))
    return Name;
  if (const FunctionDecl *Def = helperBody(Call))
    if (const FunctionSummary &S = summarize(*Def); !S.SourceName.empty())
      return S.SourceName;
  return Name;
}

std::optional<AliasRef> AliasResolver::helperResult(const CallExpr *Call,
                                                    const FunctionDecl &Def, bool &Continue,
                                                    const Expr *&Next,
                                                    llvm::StringRef &Key) const {
  const FunctionSummary &S = summarize(Def);
  if (!S.SourceName.empty() &&
      (Model.isAliasSource(calleeName(Call)) || Model.isAliasSource(S.SourceName))) {
    const Expr *ModuleExpr = nullptr;
    if (S.ModuleArg >= 0)
      ModuleExpr = argumentFor(Call, Def, static_cast<unsigned>(S.ModuleArg));
    else if (isa<CXXMemberCallExpr>(Call) && !isa_and_nonnull<VarDecl>(S.ModuleDecl))
      ModuleExpr = objectOf(Call); // a method: the object, or a field of it
    const Decl *Module = ModuleExpr ? identity(ModuleExpr) : nullptr;
    return freshSource(Call, Module ? Module : S.ModuleDecl, ModuleExpr);
  }
  if (S.ReturnsArg >= 0)
    if (const Expr *Arg = argumentFor(Call, Def, static_cast<unsigned>(S.ReturnsArg))) {
      Continue = true;
      Next = Arg;
      if (Key.empty())
        Key = S.ReturnsKey;
    }
  return std::nullopt;
}

} // namespace clang::tidy::aliasguard::flow
