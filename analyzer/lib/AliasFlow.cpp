//===--- AliasFlow.cpp ----------------------------------------------------===//

#include "AliasFlowAnalysis.h"

#include "clang/Lex/Lexer.h"

namespace clang::tidy::aliasguard {

AliasFlowObserver::~AliasFlowObserver() = default;

namespace flow {

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

// The constant a dict is indexed with: `sd["fc.weight"]`, `sd.at(std::string("w"))`.
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

// The object a call acts on: `x` in `x.f()`, `x->f()`, `x += y`, `x[i]`.
const Expr *objectOf(const CallExpr *Call) {
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call))
    return Member->getImplicitObjectArgument();
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call))
    return Op->getNumArgs() > 0 ? Op->getArg(0) : nullptr;
  return nullptr;
}

AliasRef freshSource(const CallExpr *Source, const Decl *Module, const Expr *ModuleExpr) {
  AliasFact Fact;
  Fact.Source = Source;
  Fact.Module = Module;
  Fact.ModuleExpr = ModuleExpr;
  return AliasRef{Fact, nullptr};
}

bool isCompareName(llvm::StringRef Name) {
  return Name == "equal" || Name == "allclose" || Name == "operator==" ||
         Name == "operator!=";
}

// Standard-container stores: the container now holds the alias too.
bool isContainerStore(llvm::StringRef Name) {
  return Name == "push_back" || Name == "emplace_back" || Name == "insert" ||
         Name == "insert_or_assign" || Name == "emplace";
}

// Reverse post-order visits a block after its forward predecessors, so most facts arrive
// in the first round; unreachable blocks are never visited. Written out rather than
// llvm::ReversePostOrderTraversal because a CFG edge may lead nowhere (a pruned
// `if constexpr` branch, a case after a noreturn call): those successors are null.
llvm::SmallVector<const CFGBlock *, 32> reversePostOrder(const CFG &Graph) {
  llvm::SmallVector<const CFGBlock *, 32> Order;
  llvm::SmallPtrSet<const CFGBlock *, 32> Seen;
  llvm::SmallVector<std::pair<const CFGBlock *, CFGBlock::const_succ_iterator>, 32> Stack;
  const CFGBlock *Entry = &Graph.getEntry();
  Seen.insert(Entry);
  Stack.emplace_back(Entry, Entry->succ_begin());
  while (!Stack.empty()) {
    const CFGBlock *Block = Stack.back().first;
    if (Stack.back().second == Block->succ_end()) {
      Order.push_back(Block);
      Stack.pop_back();
      continue;
    }
    const CFGBlock *Next = Stack.back().second->getReachableBlock();
    ++Stack.back().second;
    if (Next && Seen.insert(Next).second)
      Stack.emplace_back(Next, Next->succ_begin());
  }
  std::reverse(Order.begin(), Order.end());
  return Order;
}

void FlowAnalysis::collectStructure(const Stmt *S) {
  if (!S)
    return;
  if (const auto *Loop = dyn_cast<CXXForRangeStmt>(S))
    RangeLoops[Loop->getLoopVariable()] = Loop;
  if (const auto *Block = dyn_cast<CompoundStmt>(S))
    for (const Stmt *Child : Block->body())
      if (const auto *DS = dyn_cast<DeclStmt>(Child))
        for (const Decl *D : DS->decls())
          if (const auto *VD = dyn_cast<VarDecl>(D);
              VD && Model.isUpdateGuardType(VD->getType()))
            Guards.emplace_back(Block, DS->getBeginLoc());
  for (const Stmt *Child : S->children())
    collectStructure(Child);
}

std::optional<AliasRef> FlowAnalysis::aliasOf(const Expr *E,
                                              const FlowState &State) const {
  llvm::StringRef Key;
  auto WithKey = [&Key](std::optional<AliasRef> Ref) {
    if (Ref && Ref->Fact.Key.empty())
      Ref->Fact.Key = Key;
    return Ref;
  };
  for (int Depth = 0; E && Depth < 32; ++Depth) {
    E = skipImplicit(E);
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      auto It = State.find(Ref->getDecl());
      if (It == State.end())
        return std::nullopt;
      return WithKey(AliasRef{It->second, Ref->getDecl()});
    }
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      if (isa<CXXThisExpr>(Member->getBase()->IgnoreImpCasts())) {
        auto It = State.find(Member->getMemberDecl());
        if (It == State.end())
          return std::nullopt;
        return WithKey(AliasRef{It->second, Member->getMemberDecl()});
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
    const bool PassThrough =
        Callee->isInStdNamespace() &&
        (Name == "move" || Name == "forward" || Name == "as_const" || Name == "ref");
    if (!PassThrough && !Model.isMutating(Name))
      return std::nullopt;
    E = Call->getArg(0);
  }
  return std::nullopt;
}

// The module an expression designates, for `m`, `m.fc->weight`, `model->parameters()`,
// `this->net_`, or `fc` inside a module's own method. The innermost module-typed entity
// wins: changing `m.fc` changes `m`, and `m.state_dict()` covers `m.fc`.
const Decl *FlowAnalysis::identity(const Expr *E) const {
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
const ValueDecl *FlowAnalysis::trackedTarget(const Expr *E) const {
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
Owner FlowAnalysis::resolveOwner(const Decl *D) const {
  if (auto It = Owners.find(D); It != Owners.end())
    return It->second;
  if (const auto *VD = dyn_cast_or_null<ValueDecl>(D))
    if (Model.isOptimizerType(VD->getType()))
      return Owner{};
  return Owner{D, nullptr};
}

bool FlowAnalysis::isMutatingCall(const CallExpr *Call) const {
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

bool FlowAnalysis::mentionsOtherModule(const Stmt *S, const Decl *Module,
                                       const FlowState &State) const {
  if (!S || !Module)
    return false;
  if (const auto *E = dyn_cast<Expr>(S)) {
    if (auto Ref = aliasOf(E, State); Ref && Ref->Fact.Module && Ref->Fact.Module != Module)
      return true;
    if (const Decl *Other = identity(E); Other && Other != Module)
      return true;
  }
  return llvm::any_of(S->children(), [&](const Stmt *Child) {
    return mentionsOtherModule(Child, Module, State);
  });
}

bool FlowAnalysis::underUpdateGuard(const Stmt *S) const {
  const SourceManager &SM = Ctx.getSourceManager();
  for (const Stmt *P = Parents.getParent(S); P; P = Parents.getParent(P))
    if (const auto *Block = dyn_cast<CompoundStmt>(P))
      for (const auto &[GuardBlock, GuardLoc] : Guards)
        if (GuardBlock == Block &&
            SM.isBeforeInTranslationUnit(GuardLoc, S->getBeginLoc()))
          return true;
  return false;
}

void FlowAnalysis::assign(const ValueDecl *D, std::optional<AliasRef> Ref, const Expr *From,
                          FlowState &State) const {
  if (const auto *Decomp = dyn_cast<DecompositionDecl>(D)) {
    for (const BindingDecl *B : Decomp->bindings())
      assign(B, Ref, nullptr, State);
    return;
  }
  if (Ref && mayHoldStorage(D->getType())) {
    AliasFact Fact = Ref->Fact;
    // A copy of a stale alias is just as stale; a fresh alias starts clean.
    Fact.Taken = From;
    State[D] = Fact;
  } else {
    State.erase(D);
  }
}

void FlowAnalysis::moduleChanged(const Decl *Module, const CallExpr *Via,
                                 const CallExpr *Site, FlowState &State) const {
  if (Summary && Observer && isOutside(Module) &&
      llvm::none_of(Summary->ChangedOutside,
                    [&](const auto &P) { return P.first == Module; }))
    Summary->ChangedOutside.emplace_back(Module, Site);
  const Owner Changed = resolveOwner(Module);
  // Values copied *from* a kept alias (`load_state_dict(best)`, `p.copy_(best[k])`) make
  // the module agree with it: that restore does not make `best` stale.
  llvm::SmallPtrSet<const CallExpr *, 4> Restored;
  for (const Expr *Arg : Site->arguments())
    if (auto Ref = aliasOf(Arg, State))
      Restored.insert(Ref->Fact.Source);
  for (auto &[Var, Fact] : State) {
    if (Fact.StaleBy || Fact.Source == Via || !Fact.Source || Restored.count(Fact.Source))
      continue;
    // The optimizer built from this very collection updates it as the live parameter
    // list, not as a snapshot.
    if (Changed.Source && Fact.Source == Changed.Source)
      continue;
    if (Changed.Module && Fact.Module && Changed.Module != Fact.Module)
      continue;
    Fact.StaleBy = Site;
  }
}

void FlowAnalysis::useAsSnapshot(const Expr *E, const Stmt *Use, llvm::StringRef How,
                                 const FlowState &State) {
  if (!Observer || !E)
    return;
  auto Ref = aliasOf(E, State);
  if (!Ref || !Ref->Var || !Ref->Fact.StaleBy || !Reported.insert(Use).second)
    return;
  Observer->onStaleUse(StaleUse{Use, How.str(), Ref->Var, Ref->Fact});
}

void FlowAnalysis::transferDecl(const VarDecl *VD, FlowState &State) {
  if (VD->isCXXForRangeDecl()) {
    // Each iteration binds the loop variable to an element of the range afresh.
    if (auto It = RangeLoops.find(VD); It != RangeLoops.end())
      assign(VD, aliasOf(It->second->getRangeInit(), State), nullptr, State);
    return;
  }
  const Expr *Init = VD->getInit();
  if (!Init)
    return;
  if (const FunctionDecl *Body = callableBody(Init))
    Callables[VD] = Body;
  auto Ref = aliasOf(Init, State);
  if (Model.isModuleType(VD->getType())) {
    // `SGD opt(model->parameters(), ...)`: the optimizer changes `model`.
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(skipImplicit(Init)))
      for (const Expr *Arg : Construct->arguments())
        if (auto ArgRef = aliasOf(Arg, State)) {
          Owners[VD] = Owner{ArgRef->Fact.Module, ArgRef->Fact.Source};
          break;
        }
    return;
  }
  assign(VD, Ref, isa<DecompositionDecl>(VD) ? nullptr : Init, State);
}

void FlowAnalysis::transferWrite(const CallExpr *Call, FlowState &State) {
  // A chain `v.mul_(a).add_(b)` is one update: handle it at its outermost call.
  // ParentMap's API is not const-correct; it does not modify the statements.
  auto ParentOf = [this](const Stmt *S) {
    return Parents.getParentIgnoreParenImpCasts(const_cast<Stmt *>(S));
  };
  const Stmt *Up = ParentOf(Call);
  while (Up && (isa<MaterializeTemporaryExpr>(Up) || isa<CXXBindTemporaryExpr>(Up)))
    Up = ParentOf(Up);
  if (Up && isa<MemberExpr>(Up))
    if (const auto *Outer = dyn_cast_or_null<CXXMemberCallExpr>(ParentOf(Up)))
      if (isMutatingCall(Outer))
        return;

  llvm::SmallVector<const CallExpr *, 4> Chain{Call};
  const Expr *Base = objectOf(Call);
  if (!Base && Call->getNumArgs() > 0)
    // A free in-place function writes its first argument (`normal_(t)`,
    // `add_out(out, a, b)`); ATen's `*_outf` spellings take `out` last.
    Base = llvm::StringRef(calleeName(Call)).ends_with("_outf")
               ? Call->getArg(Call->getNumArgs() - 1)
               : Call->getArg(0);
  while (Base) {
    const auto *Inner = dyn_cast<CallExpr>(skipImplicit(Base));
    if (!Inner || !isa<CXXMemberCallExpr>(Inner) || !isMutatingCall(Inner))
      break;
    Chain.push_back(Inner);
    Base = objectOf(Inner);
  }
  if (!Base)
    return;
  writeThrough(Base, Chain.back(), Chain.back(), Call, Chain, calleeName(Chain.back()),
               nullptr, false, State);
}

// An in-place write of `Base`, by `First` (the first call of a chain, or a helper call).
// Reported once per `ReportKey`; the module behind `Base` changes at `Site`.
void FlowAnalysis::writeThrough(const Expr *Base, const Stmt *ReportKey,
                                const CallExpr *First, const CallExpr *Site,
                                llvm::ArrayRef<const CallExpr *> Chain,
                                std::string Operation, const Stmt *Inside, bool Intended,
                                FlowState &State) {
  auto Ref = aliasOf(Base, State);
  const Decl *Module = Ref ? Ref->Fact.Module : identity(Base);
  if (!Ref && !Module)
    return;

  if (Observer && Ref && Reported.insert(ReportKey).second) {
    Intended = Intended || underUpdateGuard(Site);
    for (const CallExpr *Link : Chain) {
      const bool FreeFunction = !isa<CXXMemberCallExpr>(Link) && !isa<CXXOperatorCallExpr>(Link);
      for (unsigned I = FreeFunction || isa<CXXOperatorCallExpr>(Link) ? 1 : 0;
           I < Link->getNumArgs(); ++I)
        Intended = Intended || mentionsOtherModule(Link->getArg(I), Module, State);
    }
    Observer->onWrite(
        AliasWrite{First, std::move(Operation), Ref->Fact, Ref->Var, Inside, Intended});
  }
  moduleChanged(Module, Ref ? Ref->Fact.Source : nullptr, Site, State);
}

void FlowAnalysis::transferCall(const CallExpr *Call, FlowState &State) {
  const std::string Name = calleeName(Call);
  const Expr *Object = objectOf(Call);
  const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);

  if (Op && Op->getOperator() == OO_Equal && !isMutatingCall(Call)) {
    if (const ValueDecl *Target = trackedTarget(Op->getArg(0))) {
      assign(Target, aliasOf(Op->getArg(1), State), Op->getArg(1), State);
    } else if (const auto *Element = dyn_cast<CXXOperatorCallExpr>(skipImplicit(Op->getArg(0)));
               Element && Element->getOperator() == OO_Subscript) {
      // `out[name] = p.detach()`: the container now holds the alias too.
      if (const ValueDecl *Container = trackedTarget(Element->getArg(0));
          Container && !State.count(Container))
        if (auto Ref = aliasOf(Op->getArg(1), State))
          assign(Container, Ref, nullptr, State);
    }
    return;
  }

  if (Model.isSnapshotUse(Name)) {
    // Arguments are what gets restored, saved or compared; the object side only counts
    // for symmetric comparisons (a `copy_` *into* the kept value refreshes it).
    const unsigned FirstArg = Op ? 1 : 0;
    if (isCompareName(Name) && (Op || Object))
      useAsSnapshot(Op ? Op->getArg(0) : Object, Call, Name, State);
    for (unsigned I = FirstArg; I < Call->getNumArgs(); ++I)
      useAsSnapshot(Call->getArg(I), Call, Name, State);
  }

  if (Object && isContainerStore(Name))
    if (const ValueDecl *Container = trackedTarget(Object))
      for (const Expr *Arg : Call->arguments())
        if (auto Ref = aliasOf(Arg, State); Ref && !State.count(Container)) {
          assign(Container, Ref, nullptr, State);
          break;
        }

  if (isMutatingCall(Call))
    transferWrite(Call, State);

  if (Object && !Op && Model.isModuleMutator(Name))
    if (const Decl *Module = identity(Object))
      moduleChanged(Module, nullptr, Call, State);

  // Helpers and lambdas: what their summaries say they do (Note [Summaries]). A lambda
  // handed to another function counts as called there.
  if (!Op || Op->getOperator() == OO_Call)
    if (const FunctionDecl *Def = helperBody(Call))
      applySummary(Call, *Def, State);
  if (!Op)
    for (const Expr *Arg : Call->arguments())
      if (const FunctionDecl *Body = callableBody(Arg))
        for (const auto &[Module, Where] : summarize(*Body).ChangedOutside)
          moduleChanged(Module, nullptr, Call, State);

  // A call that may change a module it receives: by non-const reference or pointer, or
  // as a shared handle by value (ModuleHolder, shared_ptr). Calls on the module itself
  // only count through ModuleMutators: `forward` is non-const but trains nothing.
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee || Op || (Object && identity(Object)))
    return;
  for (unsigned I = 0; I < Call->getNumArgs() && I < Callee->getNumParams(); ++I) {
    const QualType Param = Callee->getParamDecl(I)->getType();
    const Decl *Module = identity(Call->getArg(I));
    if (!Module || !Model.isModuleType(Param))
      continue;
    const QualType Pointee =
        Param->isReferenceType() || Param->isPointerType() ? Param->getPointeeType() : Param;
    const bool Shared = !Param->isReferenceType() && !Param->isPointerType();
    if (Shared || !Pointee.isConstQualified())
      moduleChanged(Module, nullptr, Call, State);
  }
}

void FlowAnalysis::transfer(const Stmt *S, FlowState &State) {
  if (const auto *DS = dyn_cast<DeclStmt>(S)) {
    for (const Decl *D : DS->decls())
      if (const auto *VD = dyn_cast<VarDecl>(D))
        transferDecl(VD, State);
    return;
  }
  if (const auto *Return = dyn_cast<ReturnStmt>(S)) {
    recordReturn(Return->getRetValue(), State);
    useAsSnapshot(Return->getRetValue(), Return, "return", State);
    return;
  }
  if (const auto *Call = dyn_cast<CallExpr>(S))
    transferCall(Call, State);
}

void FlowAnalysis::run(AliasFlowObserver &Obs) {
  CFG::BuildOptions Options;
  Options.setAllAlwaysAdd();
  std::unique_ptr<CFG> Graph = CFG::buildCFG(&Fn, Fn.getBody(), &Ctx, Options);
  if (!Graph)
    return;
  const llvm::SmallVector<const CFGBlock *, 32> Blocks = reversePostOrder(*Graph);

  // A helper being summarised starts with each tensor parameter as its own pseudo-alias.
  FlowState Initial;
  if (Summary)
    for (const ParmVarDecl *Param : Fn.parameters())
      if (mayHoldStorage(Param->getType()) && !Model.isModuleType(Param->getType())) {
        AliasFact Fact;
        Fact.Param = static_cast<int>(Param->getFunctionScopeIndex());
        Initial[Param] = Fact;
      }

  llvm::DenseMap<const CFGBlock *, FlowState> Out;
  const CFGBlock *Entry = &Graph->getEntry();
  auto EntryState = [&Out, &Initial, Entry](const CFGBlock *B) {
    if (B == Entry)
      return Initial;
    FlowState In;
    for (const CFGBlock *Pred : B->preds()) {
      if (!Pred)
        continue;
      auto It = Out.find(Pred);
      if (It == Out.end())
        continue;
      for (const auto &[Var, Fact] : It->second) {
        auto [Slot, Inserted] = In.try_emplace(Var, Fact);
        if (!Inserted && !Slot->second.StaleBy)
          Slot->second.StaleBy = Fact.StaleBy; // may-analysis: stale on any path
      }
    }
    return In;
  };
  auto RunBlock = [this](const CFGBlock *B, FlowState &State) {
    for (const CFGElement &Element : *B)
      if (std::optional<CFGStmt> S = Element.getAs<CFGStmt>())
        transfer(S->getStmt(), State);
  };

  // Facts only grow along a path, so the fixpoint is reached in a few rounds; the cap
  // keeps a pathological function from costing more than it is worth.
  for (int Round = 0; Round < 16; ++Round) {
    bool Changed = false;
    for (const CFGBlock *B : Blocks) {
      FlowState State = EntryState(B);
      RunBlock(B, State);
      auto &Slot = Out[B];
      if (Slot != State) {
        Slot = std::move(State);
        Changed = true;
      }
    }
    if (!Changed)
      break;
  }
  Observer = &Obs;
  for (const CFGBlock *B : Blocks) {
    FlowState State = EntryState(B);
    RunBlock(B, State);
  }
  Observer = nullptr;
}

} // namespace flow

void analyzeAliasFlow(const FunctionDecl &Fn, ASTContext &Ctx, const AliasModel &Model,
                      FunctionSummaries &Summaries, AliasFlowObserver &Observer) {
  if (!Fn.getBody())
    return;
  flow::FlowAnalysis(Fn, Ctx, Model, Summaries.impl()).run(Observer);
}

std::string moduleSpelling(const AliasFact &Fact, const ASTContext &Ctx) {
  if (const Expr *Module = Fact.ModuleExpr) {
    Module = flow::skipImplicit(Module);
    // `lin->state_dict()` on a ModuleHolder: the object is `lin.operator->()`.
    if (const auto *Arrow = dyn_cast<CXXOperatorCallExpr>(Module);
        Arrow && Arrow->getOperator() == OO_Arrow)
      Module = flow::skipImplicit(Arrow->getArg(0));
    const auto *This = dyn_cast<CXXThisExpr>(Module);
    if (!This || !This->isImplicit())
      return spelling(Module, Ctx);
  }
  if (const auto *Named = dyn_cast_or_null<NamedDecl>(Fact.Module);
      Named && Named->getIdentifier() && !isa<CXXRecordDecl>(Named))
    return Named->getName().str();
  return {};
}

std::string spelling(const Stmt *S, const ASTContext &Ctx) {
  if (!S)
    return {};
  const CharSourceRange Range = CharSourceRange::getTokenRange(S->getSourceRange());
  const llvm::StringRef Text =
      Lexer::getSourceText(Range, Ctx.getSourceManager(), Ctx.getLangOpts());
  // Long expressions are cut: the note's caret shows the rest.
  if (Text.size() > 60)
    return (Text.take_front(57) + "...").str();
  return Text.str();
}

} // namespace clang::tidy::aliasguard
