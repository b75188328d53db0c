//===--- AliasTransfer.cpp ------------------------------------------------===//

#include "AliasTransfer.h"

#include "clang/Basic/SourceManager.h"

namespace clang::tidy::aliasguard::flow {

AliasTransfer::AliasTransfer(AliasResolver &Queries)
    : Q(Queries), Model(Queries.model()), Parents(Queries.function().getBody()) {
  collectStructure(Queries.function().getBody());
}

void AliasTransfer::collectStructure(const Stmt *S) {
  if (!S)
    return;
  if (const auto *Loop = dyn_cast<CXXForRangeStmt>(S))
    RangeLoops[Loop->getLoopVariable()] = Loop;
  if (const auto *Call = dyn_cast<CallExpr>(S)) {
    const std::string Name = calleeName(Call);
    if (Name == "load_state_dict")
      Loads.push_back(Call);
    else if (Model.isModuleMutator(Name))
      Mutators.push_back(Call);
  }
  if (const auto *Block = dyn_cast<CompoundStmt>(S))
    for (const Stmt *Child : Block->body()) {
      if (const auto *DS = dyn_cast<DeclStmt>(Child))
        for (const Decl *D : DS->decls())
          if (Model.isUpdateGuard(dyn_cast<VarDecl>(D)))
            Guards.push_back({Block, DS->getBeginLoc(), {}});
      const auto *E = dyn_cast<Expr>(Child);
      std::optional<bool> Starts =
          E ? Model.updateSwitch(dyn_cast<CallExpr>(skipImplicit(E))) : std::nullopt;
      if (Starts && *Starts) {
        Guards.push_back({Block, Child->getBeginLoc(), {}});
      } else if (Starts) {
        // `set_enabled(true)` ends the region the same block opened last.
        for (UpdateRegion &Region : llvm::reverse(Guards))
          if (Region.Block == Block && Region.End.isInvalid()) {
            Region.End = Child->getBeginLoc();
            break;
          }
      }
    }
  for (const Stmt *Child : S->children())
    collectStructure(Child);
}

AliasState AliasTransfer::initialState(bool Summarising) const {
  AliasState Initial;
  if (!Summarising)
    return Initial;
  for (const ParmVarDecl *Param : Q.function().parameters())
    if (mayHoldStorage(Param->getType()) && !Model.isModuleType(Param->getType())) {
      AliasFact Fact;
      Fact.Param = static_cast<int>(Param->getFunctionScopeIndex());
      Initial.set(Param, Fact);
    }
  return Initial;
}

void AliasTransfer::operator()(const CFGElement &Element, AliasState &State) {
  const std::optional<CFGStmt> Statement = Element.getAs<CFGStmt>();
  if (!Statement)
    return;
  const Stmt *S = Statement->getStmt();
  switch (S->getStmtClass()) {
  case Stmt::DeclStmtClass:
    return transferDecls(cast<DeclStmt>(S), State);
  case Stmt::ReturnStmtClass:
    return transferReturn(cast<ReturnStmt>(S), State);
    // Every kind of call: plain, member, operator, user-defined literal, CUDA kernel.
#define STMT(Type, Base)
#define CALLEXPR(Type, Base) case Stmt::Type##Class:
#include "clang/AST/StmtNodes.inc"
    return transferCall(cast<CallExpr>(S), State);
  default:
    return;
  }
}

bool AliasTransfer::mentionsOtherModule(const Stmt *S, const Decl *Module,
                                        const AliasState &State) const {
  if (!S || !Module)
    return false;
  if (const auto *E = dyn_cast<Expr>(S)) {
    if (auto Ref = Q.aliasOf(E, State); Ref && Ref->Fact.Module && Ref->Fact.Module != Module)
      return true;
    if (const Decl *Other = Q.identity(E); Other && Other != Module)
      return true;
  }
  return llvm::any_of(S->children(), [&](const Stmt *Child) {
    return mentionsOtherModule(Child, Module, State);
  });
}

bool AliasTransfer::underUpdateGuard(const Stmt *S) const {
  const SourceManager &SM = Q.context().getSourceManager();
  for (const Stmt *P = Parents.getParent(S); P; P = Parents.getParent(P))
    if (const auto *Block = dyn_cast<CompoundStmt>(P))
      for (const UpdateRegion &Region : Guards)
        if (Region.Block == Block &&
            SM.isBeforeInTranslationUnit(Region.Begin, S->getBeginLoc()) &&
            (Region.End.isInvalid() ||
             SM.isBeforeInTranslationUnit(S->getBeginLoc(), Region.End)))
          return true;
  return false;
}

// Note [Dicts that are not kept]
// A write through a state_dict() that no variable keeps -- a temporary
// (`m.state_dict()["w"].mul_(2)`), a range-for over the call itself (EMA written through
// `ema.state_dict()`) -- or through a kept dict that is then loaded back into its own module
// (pruning, model surgery) with no optimizer step or other ModuleMutators call between the
// write and the load, changes the module on purpose: the dict is never used as a copy.
// The run-time layers decide the same (the tracker's Notes [Kept snapshots] and [Loading a
// dict back]).
bool AliasTransfer::isUnkeptDict(const AliasRef &Ref) const {
  if (!Ref.Var)
    return Ref.Fact.Source != nullptr && Ref.Fact.Param < 0;
  const ValueDecl *Var = Ref.Var;
  if (const auto *Binding = dyn_cast<BindingDecl>(Var))
    Var = Binding->getDecomposedDecl();
  const auto *VD = dyn_cast_or_null<VarDecl>(Var);
  if (!VD || !VD->isCXXForRangeDecl())
    return false;
  auto It = RangeLoops.find(VD);
  return It != RangeLoops.end() && Ref.Fact.Source &&
         skipImplicit(It->second->getRangeInit()) == skipImplicit(Ref.Fact.Source);
}

bool AliasTransfer::loadedBackLater(const ValueDecl *Dict, const Decl *Module,
                                    const Stmt *After) const {
  if (!Dict || !Module)
    return false;
  const SourceManager &SM = Q.context().getSourceManager();
  return llvm::any_of(Loads, [&](const CallExpr *Load) {
    const Expr *Object = objectOf(Load);
    if (!Object || Q.identity(Object) != Module ||
        !SM.isBeforeInTranslationUnit(After->getBeginLoc(), Load->getBeginLoc()))
      return false;
    const bool ChangedBetween = llvm::any_of(Mutators, [&](const CallExpr *M) {
      return SM.isBeforeInTranslationUnit(After->getBeginLoc(), M->getBeginLoc()) &&
             SM.isBeforeInTranslationUnit(M->getBeginLoc(), Load->getBeginLoc());
    });
    if (ChangedBetween)
      return false;
    return llvm::any_of(Load->arguments(), [&](const Expr *Arg) {
      const auto *Ref = dyn_cast<DeclRefExpr>(skipImplicit(Arg));
      return Ref && Ref->getDecl() == Dict;
    });
  });
}

void AliasTransfer::assign(const ValueDecl *D, std::optional<AliasRef> Ref, const Expr *From,
                           AliasState &State) const {
  if (const auto *Decomp = dyn_cast<DecompositionDecl>(D)) {
    for (const BindingDecl *B : Decomp->bindings())
      assign(B, Ref, nullptr, State);
    return;
  }
  if (Ref && mayHoldStorage(D->getType())) {
    AliasFact Fact = Ref->Fact;
    // A copy of a stale alias is just as stale; a fresh alias starts clean.
    Fact.Taken = From;
    State.set(D, Fact);
  } else {
    State.forget(D);
  }
}

void AliasTransfer::moduleChanged(const Decl *Module, const Expr *Via,
                                  const CallExpr *Site, AliasState &State) const {
  if (Recorder)
    Recorder->moduleChanged(Module, Site);
  const Owner Changed = Q.resolveOwner(Module);
  // Values copied *from* a kept alias (`load_state_dict(best)`, `p.copy_(best[k])`) make
  // the module agree with it: that restore does not make `best` stale.
  llvm::SmallPtrSet<const Expr *, 4> Restored;
  for (const Expr *Arg : Site->arguments())
    if (auto Ref = Q.aliasOf(Arg, State))
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

// Note [Module copies]
// Copying a module copies handles: a ModuleHolder (`torch::nn::Linear`, a TORCH_MODULE) and a
// `std::shared_ptr<Module>` share the module itself, and a `torch::nn::Module` copied by
// value copies its parameter handles. So `best = net;` keeps nothing: what `best` holds
// changes when `net` trains, exactly like a kept `parameters()`. The copy is a snapshot when
// it is *assigned* to a variable of a module type held by value (the "keep the best" step);
// a declaration (`auto model = net;`) names the same module under a second name, as
// LibTorch code does all the time, and is not one. `clone()` copies the module. A kept copy
// is used by any call it is passed to (transferModuleCopyUse), and the state-dict-mutation
// check ignores writes through it (they are writes through the module itself).
std::optional<AliasRef> AliasTransfer::moduleCopy(const ValueDecl *Target,
                                                  const Expr *From) const {
  const QualType T = Target->getType();
  if (T->isReferenceType() || T->isPointerType() || !Model.isModuleType(T) ||
      Model.isOptimizerType(T))
    return std::nullopt;
  const Expr *Named = skipImplicit(From);
  if (const auto *Deref = dyn_cast<UnaryOperator>(Named); Deref && Deref->getOpcode() == UO_Deref)
    Named = skipImplicit(Deref->getSubExpr());
  if (!isa<DeclRefExpr>(Named) && !isa<MemberExpr>(Named))
    return std::nullopt;
  const Decl *Module = Q.identity(Named);
  if (!Module || Module == Target)
    return std::nullopt;
  return freshSource(Named, Module, Named);
}

void AliasTransfer::useAsSnapshot(const Expr *E, const Stmt *Use, SnapshotUseKind Kind,
                                  llvm::StringRef Callee, const AliasState &State) {
  if (!Diagnoser || !E)
    return;
  auto Ref = Q.aliasOf(E, State);
  if (!Ref && Recorder && Kind != SnapshotUseKind::Returned)
    if (const ValueDecl *Outside = usedVariable(E))
      Recorder->usedOutside(Outside, Use, Kind, Callee); // Note [Summaries]
  if (!Ref || !Ref->Var || !Ref->Fact.StaleBy)
    return;
  Diagnoser->staleUse(StaleUse{Use, Kind, Callee.str(), Ref->Var, Ref->Fact});
}

// The variable or field whose value `E` is, or an element of (`best`, `best[k]`,
// `best.at(k)`, `this->best_`); null for anything else.
const ValueDecl *AliasTransfer::usedVariable(const Expr *E) {
  for (int Depth = 0; E && Depth < 8; ++Depth) {
    E = skipImplicit(E);
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
      return Ref->getDecl();
    if (const auto *Member = dyn_cast<MemberExpr>(E))
      return isa<CXXThisExpr>(Member->getBase()->IgnoreImpCasts()) ? Member->getMemberDecl()
                                                                    : nullptr;
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E))
      E = Op->getOperator() == OO_Subscript ? Op->getArg(0) : nullptr;
    else if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E))
      E = calleeName(Call) == "at" ? Call->getImplicitObjectArgument() : nullptr;
    else if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E))
      E = Subscript->getBase();
    else
      return nullptr;
  }
  return nullptr;
}

// The snapshot uses a helper or lambda makes of values from outside it, at a call of it:
// each reported where the value is stale now (Note [Summaries]).
void AliasTransfer::useOutsideValues(const FunctionSummary &S, const AliasState &State) {
  if (!Diagnoser)
    return;
  for (const FunctionSummary::OutsideUse &U : S.UsedOutside)
    if (const AliasFact *Fact = State.find(U.Var); Fact && Fact->StaleBy)
      Diagnoser->staleUse(StaleUse{U.Use, U.Kind, U.Callee, U.Var, *Fact});
}

void AliasTransfer::transferDecls(const DeclStmt *DS, AliasState &State) {
  for (const Decl *D : DS->decls())
    if (const auto *VD = dyn_cast<VarDecl>(D))
      transferDecl(VD, State);
}

void AliasTransfer::transferDecl(const VarDecl *VD, AliasState &State) {
  // The compiler's own variables (a range-for's `__range1`, `__begin1`, `__end1`) are not
  // the user's: the loop variable is followed from the range itself, and `__begin1 !=
  // __end1` is not a comparison of snapshots.
  if (VD->isImplicit())
    return;
  if (VD->isCXXForRangeDecl()) {
    // Each iteration binds the loop variable to an element of the range afresh.
    if (auto It = RangeLoops.find(VD); It != RangeLoops.end())
      assign(VD, Q.aliasOf(It->second->getRangeInit(), State), nullptr, State);
    return;
  }
  const Expr *Init = VD->getInit();
  if (!Init)
    return;
  if (const FunctionDecl *Body = Q.callableBody(Init))
    Q.noteCallable(VD, Body);
  auto Ref = Q.aliasOf(Init, State);
  if (Model.isModuleType(VD->getType())) {
    // `SGD opt(model->parameters(), ...)`: the optimizer changes `model`.
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(skipImplicit(Init)))
      for (const Expr *Arg : Construct->arguments())
        if (auto ArgRef = Q.aliasOf(Arg, State)) {
          Q.noteOwner(VD, Owner{ArgRef->Fact.Module, ArgRef->Fact.Source});
          break;
        }
    return;
  }
  assign(VD, Ref, isa<DecompositionDecl>(VD) ? nullptr : Init, State);
}

void AliasTransfer::transferReturn(const ReturnStmt *Return, AliasState &State) {
  const Expr *Value = Return->getRetValue();
  if (Recorder && Diagnoser && Value)
    if (auto Ref = Q.aliasOf(Value, State))
      Recorder->returned(*Ref, Q);
  useAsSnapshot(Value, Return, SnapshotUseKind::Returned, {}, State);
}

void AliasTransfer::transferWrite(const CallExpr *Call, AliasState &State) {
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
      if (Q.isMutatingCall(Outer))
        return;

  llvm::SmallVector<const CallExpr *, 4> Chain{Call};
  const Expr *Base = objectOf(Call);
  if (!Base && Call->getNumArgs() > 0)
    // A free in-place function writes its first argument (`normal_(t)`,
    // `add_out(out, a, b)`); ATen's `*_outf` spellings take `out` last.
    Base = Model.writesLastArgument(calleeName(Call)) ? Call->getArg(Call->getNumArgs() - 1)
                                                      : Call->getArg(0);
  while (Base) {
    const auto *Inner = dyn_cast<CallExpr>(skipImplicit(Base));
    if (!Inner || !isa<CXXMemberCallExpr>(Inner) || !Q.isMutatingCall(Inner))
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
void AliasTransfer::writeThrough(const Expr *Base, const Stmt *ReportKey,
                                 const CallExpr *First, const CallExpr *Site,
                                 llvm::ArrayRef<const CallExpr *> Chain,
                                 std::string Operation, const Stmt *Inside, bool Intended,
                                 AliasState &State) {
  auto Ref = Q.aliasOf(Base, State);
  const Decl *Module = Ref ? Ref->Fact.Module : Q.identity(Base);
  if (!Ref && !Module)
    return;

  if (Diagnoser && Ref)
    Diagnoser->write(ReportKey, [&] {
      Intended = Intended || underUpdateGuard(Site) || isUnkeptDict(*Ref) ||
                 loadedBackLater(Ref->Var, Ref->Fact.Module, Site) ||
                 Model.isUpdateFunction(Site->getDirectCallee());
      for (const CallExpr *Link : Chain) {
        const bool FreeFunction =
            !isa<CXXMemberCallExpr>(Link) && !isa<CXXOperatorCallExpr>(Link);
        for (unsigned I = FreeFunction || isa<CXXOperatorCallExpr>(Link) ? 1 : 0;
             I < Link->getNumArgs(); ++I)
          Intended = Intended || mentionsOtherModule(Link->getArg(I), Module, State);
      }
      return AliasWrite{First, std::move(Operation), Ref->Fact, Ref->Var, Inside, Intended};
    });
  moduleChanged(Module, Ref ? Ref->Fact.Source : nullptr, Site, State);
}

void AliasTransfer::transferCall(const CallExpr *Call, AliasState &State) {
  const std::string Name = calleeName(Call);
  const Expr *Object = objectOf(Call);
  const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);

  if (Op && Op->getOperator() == OO_Equal && !Q.isMutatingCall(Call)) {
    if (const ValueDecl *Target = Q.trackedTarget(Op->getArg(0))) {
      auto Ref = Q.aliasOf(Op->getArg(1), State);
      if (!Ref)
        Ref = moduleCopy(Target, Op->getArg(1));
      assign(Target, Ref, Op->getArg(1), State);
    } else if (const auto *Element = dyn_cast<CXXOperatorCallExpr>(skipImplicit(Op->getArg(0)));
               Element && Element->getOperator() == OO_Subscript) {
      // `out[name] = p.detach()`: the container now holds the alias too.
      if (const ValueDecl *Container = Q.trackedTarget(Element->getArg(0));
          Container && !State.tracks(Container))
        if (auto Ref = Q.aliasOf(Op->getArg(1), State))
          assign(Container, Ref, nullptr, State);
    }
    return;
  }

  transferSnapshotUse(Call, Name, State);
  transferModuleCopyUse(Call, Name, State);
  transferContainerStore(Call, Name, State);
  if (Q.isMutatingCall(Call))
    transferWrite(Call, State);
  if (Object && !Op && Model.isModuleMutator(Name))
    if (const Decl *Module = Q.identity(Object))
      moduleChanged(Module, nullptr, Call, State);
  transferHelperCall(Call, State);
  transferModuleArguments(Call, State);
}

void AliasTransfer::transferSnapshotUse(const CallExpr *Call, const std::string &Name,
                                        AliasState &State) {
  if (!Model.isSnapshotUse(Name))
    return;
  // Arguments are what gets restored, saved or compared; the object side only counts
  // for symmetric comparisons (a `copy_` *into* the kept value refreshes it).
  const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);
  const Expr *Object = objectOf(Call);
  const unsigned FirstArg = Op ? 1 : 0;
  if (Model.isComparison(Name) && (Op || Object))
    useAsSnapshot(Op ? Op->getArg(0) : Object, Call, SnapshotUseKind::PassedToCall, Name,
                  State);
  for (unsigned I = FirstArg; I < Call->getNumArgs(); ++I) {
    useAsSnapshot(Call->getArg(I), Call, SnapshotUseKind::PassedToCall, Name, State);
    // A deep copy made for the use itself (`load_state_dict(deep_copy(init))` after
    // training, lottery-ticket rewinding) copies what the kept value shows now: the use is
    // the kept value's. A deep copy kept for later is not a use by itself (the seed's
    // `a = deep_copy(a)` after the change means to part ways from the module).
    const auto *Copy = dyn_cast<CallExpr>(skipImplicit(Call->getArg(I)));
    if (!Copy || !Model.isDeepCopy(Copy))
      continue;
    if (const Expr *Object = objectOf(Copy))
      useAsSnapshot(Object, Call, SnapshotUseKind::PassedToCall, Name, State);
    for (const Expr *Arg : Copy->arguments())
      useAsSnapshot(Arg, Call, SnapshotUseKind::PassedToCall, Name, State);
  }
}

// A copy of a module is kept only to be used as the module it was (evaluated, saved,
// restored from): every call it is passed to uses it (Note [Module copies]).
void AliasTransfer::transferModuleCopyUse(const CallExpr *Call, const std::string &Name,
                                          AliasState &State) {
  if (Model.isSnapshotUse(Name) || isa<CXXOperatorCallExpr>(Call))
    return;
  for (const Expr *Arg : Call->arguments())
    if (auto Ref = Q.aliasOf(Arg, State); Ref && isModuleCopy(Ref->Fact))
      useAsSnapshot(Arg, Call, SnapshotUseKind::PassedToCall, Name, State);
}

void AliasTransfer::transferContainerStore(const CallExpr *Call, const std::string &Name,
                                           AliasState &State) {
  const Expr *Object = objectOf(Call);
  if (!Object || !Model.isContainerStore(Name))
    return;
  if (const ValueDecl *Container = Q.trackedTarget(Object))
    for (const Expr *Arg : Call->arguments())
      if (auto Ref = Q.aliasOf(Arg, State); Ref && !State.tracks(Container)) {
        assign(Container, Ref, nullptr, State);
        break;
      }
}

// Helpers and lambdas: what their summaries say they do (Note [Summaries]). A lambda
// handed to another function counts as called there.
void AliasTransfer::transferHelperCall(const CallExpr *Call, AliasState &State) {
  const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);
  if (!Op || Op->getOperator() == OO_Call)
    if (const FunctionDecl *Def = Q.helperBody(Call))
      applySummary(Call, *Def, State);
  if (!Op)
    for (const Expr *Arg : Call->arguments())
      if (const FunctionDecl *Body = Q.callableBody(Arg)) {
        const FunctionSummary &S = Q.summarize(*Body);
        useOutsideValues(S, State);
        for (const auto &[Module, Where] : S.ChangedOutside)
          moduleChanged(Module, nullptr, Call, State);
      }
}

// A call that may change a module it receives: by non-const reference or pointer, or
// as a shared handle by value (ModuleHolder, shared_ptr). Calls on the module itself
// only count through ModuleMutators: `forward` is non-const but trains nothing.
void AliasTransfer::transferModuleArguments(const CallExpr *Call, AliasState &State) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  const Expr *Object = objectOf(Call);
  if (!Callee || isa<CXXOperatorCallExpr>(Call) || (Object && Q.identity(Object)))
    return;
  for (unsigned I = 0; I < Call->getNumArgs() && I < Callee->getNumParams(); ++I) {
    const QualType Param = Callee->getParamDecl(I)->getType();
    const Decl *Module = Q.identity(Call->getArg(I));
    if (!Module || !Model.isModuleType(Param))
      continue;
    const QualType Pointee =
        Param->isReferenceType() || Param->isPointerType() ? Param->getPointeeType() : Param;
    const bool Shared = !Param->isReferenceType() && !Param->isPointerType();
    if (Shared || !Pointee.isConstQualified())
      moduleChanged(Module, nullptr, Call, State);
  }
}

void AliasTransfer::applySummary(const CallExpr *Call, const FunctionDecl &Def,
                                 AliasState &State) {
  const FunctionSummary &S = Q.summarize(Def);
  useOutsideValues(S, State);
  for (const auto &[Changed, Where] : S.ChangedOutside) {
    // A method that changes its own module changes the object it is called on.
    const Decl *Module = Changed;
    if (isa<CXXRecordDecl>(Changed) && isa<CXXMemberCallExpr>(Call))
      if (const Decl *Object = Q.identity(objectOf(Call)))
        Module = Object;
    moduleChanged(Module, nullptr, Call, State);
  }
  const std::string Name = isa<CXXOperatorCallExpr>(Call)
                               ? spelling(Call->getArg(0), Q.context())
                               : calleeName(Call);
  for (const auto &[Param, Inside] : S.WrittenArgs)
    if (const Expr *Arg = argumentFor(Call, Def, Param))
      writeThrough(Arg, Arg, Call, Call, {}, Name, Inside, S.WritesIntended, State);
}

} // namespace clang::tidy::aliasguard::flow
