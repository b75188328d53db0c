//===--- AliasFlowSummaries.cpp - Helpers and lambdas, followed by summary -===//
//
// See Note [Summaries] in AliasSummaries.h.
//
//===----------------------------------------------------------------------===//

#include "AliasSummaries.h"
#include "AliasResolver.h"
#include "AliasTransfer.h"

namespace clang::tidy::aliasguard {

namespace {

AliasModelOptions withAllSources(AliasModelOptions Options) {
  Options.AliasSources += ";";
  Options.AliasSources += defaults::AliasSources;
  return Options;
}

} // namespace

FunctionSummaries::Impl::Impl(const AliasModel &CheckModel)
    : Model(withAllSources(CheckModel.options())) {}

const flow::FunctionSummary &FunctionSummaries::Impl::summarize(const FunctionDecl &Def,
                                                                ASTContext &Ctx) {
  static const flow::FunctionSummary Nothing;
  if (auto It = Done.find(&Def); It != Done.end())
    return *It->second;
  // Recursion, or a call chain deeper than is worth following: nothing is known.
  if (InProgress.size() >= 8 || !InProgress.insert(&Def).second)
    return Nothing;
  auto Result = std::make_unique<flow::FunctionSummary>();
  {
    flow::SummaryRecorder Recorder(*Result, Def);
    flow::AliasDiagnoser Diagnoser(Recorder);
    flow::analyzeFunction(Def, Ctx, Model, *this, Diagnoser, &Recorder);
  }
  InProgress.erase(&Def);
  std::unique_ptr<flow::FunctionSummary> &Slot = Done[&Def];
  Slot = std::move(Result);
  return *Slot;
}

FunctionSummaries::FunctionSummaries(const AliasModel &CheckModel)
    : P(std::make_unique<Impl>(CheckModel)) {}
FunctionSummaries::~FunctionSummaries() = default;
void FunctionSummaries::clear() {
  P->Done.clear();
  P->InProgress.clear();
}

namespace flow {

void SummaryRecorder::onWrite(const AliasWrite &W) {
  if (W.Fact.Param < 0)
    return;
  const auto Param = static_cast<unsigned>(W.Fact.Param);
  if (llvm::none_of(Summary.WrittenArgs, [&](const auto &P) { return P.first == Param; }))
    Summary.WrittenArgs.emplace_back(Param, W.Inside ? W.Inside : W.Write);
  Summary.WritesIntended = Summary.WritesIntended && W.Intended;
}

void SummaryRecorder::moduleChanged(const Decl *Module, const Stmt *Site) {
  if (isOutside(Module) &&
      llvm::none_of(Summary.ChangedOutside, [&](const auto &P) { return P.first == Module; }))
    Summary.ChangedOutside.emplace_back(Module, Site);
}

void SummaryRecorder::returned(const AliasRef &Ref, const AliasResolver &Resolver) {
  if (Ref.Fact.Source) {
    if (!Summary.SourceName.empty())
      return; // the first return that hands out storage describes the helper
    Summary.SourceName = Resolver.sourceNameOf(Ref.Fact.Source);
    const auto *Param = dyn_cast_or_null<ParmVarDecl>(Ref.Fact.Module);
    if (Param && Param->getDeclContext() == &Fn)
      Summary.ModuleArg = static_cast<int>(Param->getFunctionScopeIndex());
    else
      Summary.ModuleDecl = Ref.Fact.Module;
  } else if (Ref.Fact.Param >= 0 && Summary.ReturnsArg < 0) {
    Summary.ReturnsArg = Ref.Fact.Param;
    Summary.ReturnsKey = Ref.Fact.Key;
  }
}

void SummaryRecorder::usedOutside(const ValueDecl *Var, const Stmt *Use, SnapshotUseKind Kind,
                                  llvm::StringRef Callee) {
  if (isOutside(Var) && llvm::none_of(Summary.UsedOutside, [&](const auto &U) { return U.Use == Use; }))
    Summary.UsedOutside.push_back({Var, Use, Kind, Callee.str()});
}

// Whether a module or optimizer a helper changes is visible to its callers: a field, a
// global, the helper's own class, or a variable of an enclosing function that a lambda
// captured. Its parameters are handled at each call by their types.
bool SummaryRecorder::isOutside(const Decl *D) const {
  if (!D || (isa<ParmVarDecl>(D) && D->getDeclContext() == &Fn))
    return false;
  if (const auto *VD = dyn_cast<VarDecl>(D))
    return !VD->hasLocalStorage() || VD->getDeclContext() != &Fn;
  return isa<FieldDecl>(D) || isa<CXXRecordDecl>(D);
}

} // namespace flow

} // namespace clang::tidy::aliasguard
