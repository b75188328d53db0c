//===--- AliasFlowSummaries.cpp - Helpers and lambdas, followed by summary -===//
//
// See Note [Summaries] in AliasFlowAnalysis.h.
//
//===----------------------------------------------------------------------===//

#include "AliasFlowAnalysis.h"

#include "clang/Basic/SourceManager.h"

namespace clang::tidy::aliasguard {

namespace {

AliasModelOptions withAllSources(AliasModelOptions Options) {
  Options.AliasSources += ";";
  Options.AliasSources += DefaultAllAliasSources;
  return Options;
}

} // namespace

FunctionSummaries::Impl::Impl(const AliasModel &CheckModel)
    : Model(withAllSources(CheckModel.options())) {}

FunctionSummaries::FunctionSummaries(const AliasModel &CheckModel)
    : P(std::make_unique<Impl>(CheckModel)) {}
FunctionSummaries::~FunctionSummaries() = default;
void FunctionSummaries::clear() {
  P->Done.clear();
  P->InProgress.clear();
}

namespace flow {

const Expr *argumentFor(const CallExpr *Call, const FunctionDecl &Def, unsigned Param) {
  const unsigned Index =
      Param + (isa<CXXOperatorCallExpr>(Call) && isa<CXXMethodDecl>(Def) ? 1 : 0);
  return Index < Call->getNumArgs() ? Call->getArg(Index) : nullptr;
}

void SummaryRecorder::onWrite(const AliasWrite &W) {
  if (W.Fact.Param < 0)
    return;
  const auto Param = static_cast<unsigned>(W.Fact.Param);
  if (llvm::none_of(Summary.WrittenArgs, [&](const auto &P) { return P.first == Param; }))
    Summary.WrittenArgs.emplace_back(Param, W.Inside ? W.Inside : W.Write);
  Summary.WritesIntended = Summary.WritesIntended && W.Intended;
}

// A function of this translation unit whose summary a call may use: a function or method
// defined in the main file that no table names, or the body of a lambda (called directly,
// or through a variable it initialised).
const FunctionDecl *FlowAnalysis::helperBody(const CallExpr *Call) const {
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
const FunctionDecl *FlowAnalysis::callableBody(const Expr *E) const {
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

const FunctionSummary &FlowAnalysis::summarize(const FunctionDecl &Def) const {
  static const FunctionSummary Nothing;
  if (auto It = Summaries.Done.find(&Def); It != Summaries.Done.end())
    return *It->second;
  // Recursion, or a call chain deeper than is worth following: nothing is known.
  if (Summaries.InProgress.size() >= 8 || !Summaries.InProgress.insert(&Def).second)
    return Nothing;
  auto Result = std::make_unique<FunctionSummary>();
  {
    FlowAnalysis Inner(Def, Ctx, Summaries.Model, Summaries, Result.get());
    SummaryRecorder Recorder(*Result);
    Inner.run(Recorder);
  }
  Summaries.InProgress.erase(&Def);
  std::unique_ptr<FunctionSummary> &Slot = Summaries.Done[&Def];
  Slot = std::move(Result);
  return *Slot;
}

// The alias source a fact comes from, seen through helpers that return one.
std::string FlowAnalysis::sourceNameOf(const CallExpr *Source) const {
  std::string Name = calleeName(Source);
  if (Model.isAliasSource(Name))
    return Name;
  if (const FunctionDecl *Def = helperBody(Source))
    if (const FunctionSummary &S = summarize(*Def); !S.SourceName.empty())
      return S.SourceName;
  return Name;
}

std::optional<AliasRef> FlowAnalysis::helperResult(const CallExpr *Call,
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

void FlowAnalysis::applySummary(const CallExpr *Call, const FunctionDecl &Def,
                                FlowState &State) {
  const FunctionSummary &S = summarize(Def);
  for (const auto &[Changed, Where] : S.ChangedOutside) {
    // A method that changes its own module changes the object it is called on.
    const Decl *Module = Changed;
    if (isa<CXXRecordDecl>(Changed) && isa<CXXMemberCallExpr>(Call))
      if (const Decl *Object = identity(objectOf(Call)))
        Module = Object;
    moduleChanged(Module, nullptr, Call, State);
  }
  const std::string Name = isa<CXXOperatorCallExpr>(Call) ? spelling(Call->getArg(0), Ctx)
                                                          : calleeName(Call);
  for (const auto &[Param, Inside] : S.WrittenArgs)
    if (const Expr *Arg = argumentFor(Call, Def, Param))
      writeThrough(Arg, Arg, Call, Call, {}, Name, Inside, S.WritesIntended, State);
}

void FlowAnalysis::recordReturn(const Expr *E, const FlowState &State) {
  if (!Summary || !Observer || !E)
    return;
  auto Ref = aliasOf(E, State);
  if (!Ref)
    return;
  if (Ref->Fact.Source) {
    if (!Summary->SourceName.empty())
      return; // the first return that hands out storage describes the helper
    Summary->SourceName = sourceNameOf(Ref->Fact.Source);
    const auto *Param = dyn_cast_or_null<ParmVarDecl>(Ref->Fact.Module);
    if (Param && Param->getDeclContext() == &Fn)
      Summary->ModuleArg = static_cast<int>(Param->getFunctionScopeIndex());
    else
      Summary->ModuleDecl = Ref->Fact.Module;
  } else if (Ref->Fact.Param >= 0 && Summary->ReturnsArg < 0) {
    Summary->ReturnsArg = Ref->Fact.Param;
    Summary->ReturnsKey = Ref->Fact.Key;
  }
}

// Whether a module or optimizer a helper changes is visible to its callers: a field, a
// global, the helper's own class, or a variable of an enclosing function that a lambda
// captured. Its parameters are handled at each call by their types.
bool FlowAnalysis::isOutside(const Decl *D) const {
  if (!D || (isa<ParmVarDecl>(D) && D->getDeclContext() == &Fn))
    return false;
  if (const auto *VD = dyn_cast<VarDecl>(D))
    return !VD->hasLocalStorage() || VD->getDeclContext() != &Fn;
  return isa<FieldDecl>(D) || isa<CXXRecordDecl>(D);
}

} // namespace flow

} // namespace clang::tidy::aliasguard
