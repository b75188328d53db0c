//===--- AliasModel.cpp ---------------------------------------------------===//

#include "AliasModel.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/StringExtras.h"

namespace clang::tidy::aliasguard {

namespace {

// Note [Default tables]
// LibTorch's in-place ops end in `_` and, unlike the usual C++ contract, are *const*
// member functions (a Tensor is a handle), so constness says nothing about writes; the
// tables name the operations instead. `requires_grad_` only flips a flag on the handle it
// is called on (a state_dict entry is a separate, detached handle), so it is excluded.
constexpr llvm::StringRef DefaultMutatingMethods =
    "*_;*_out;*_outf;-requires_grad_;operator+=;operator-=;operator*=;operator/=";
constexpr llvm::StringRef DefaultAliasPreservingMethods =
    "detach;data;variable_data;view;view_as;reshape;reshape_as;slice;narrow;select;"
    "transpose;t;permute;expand;expand_as;squeeze;unsqueeze;flatten;unflatten;"
    "contiguous;to;cpu;cuda;chunk;split;unbind;diagonal;as_strided;operator[];at;"
    "value;values;find;get;begin;front;back;operator*;operator->";
constexpr llvm::StringRef DefaultDeepCopyFunctions = "clone;deep_copy";
constexpr llvm::StringRef DefaultModuleMutators = "step;load_state_dict";
constexpr llvm::StringRef DefaultSnapshotUses =
    "load_state_dict;copy_;equal;allclose;operator==;operator!=;save;push_back;"
    "emplace_back";
constexpr llvm::StringRef DefaultModuleTypes =
    "torch::nn::Module;torch::nn::ModuleHolder;torch::optim::Optimizer;"
    "aliasguard::nn::Module;aliasguard::optim::Optimizer";
constexpr llvm::StringRef DefaultDeepCopyFunction = "aliasguard::deep_copy(%0)";
constexpr llvm::StringRef DefaultUpdateGuards =
    "torch::NoGradGuard;c10::NoGradGuard;c10::InferenceMode";

// Qualified name without template arguments; a specialization answers with its
// template's name, so `torch::nn::ModuleHolder` matches `ModuleHolder<LinearImpl>`.
std::string recordName(const CXXRecordDecl *RD) {
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD))
    return Spec->getSpecializedTemplate()->getQualifiedNameAsString();
  return RD->getQualifiedNameAsString();
}

// `std::X` whatever inline namespace the standard library puts it in (`std::__cxx11`).
bool isStdRecord(const CXXRecordDecl *RD, llvm::StringRef Name) {
  return RD->isInStdNamespace() && RD->getIdentifier() && RD->getName() == Name;
}

// Looks through references, pointers and owning smart pointers to the class a value
// designates: `std::shared_ptr<Net>` and `Net&` both designate a Net.
const CXXRecordDecl *designatedRecord(QualType T) {
  for (int Depth = 0; Depth < 4; ++Depth) {
    T = T.getNonReferenceType();
    if (T->isPointerType())
      T = T->getPointeeType();
    const auto *RD = T->getAsCXXRecordDecl();
    if (!RD)
      return nullptr;
    const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD);
    if (!Spec)
      return RD;
    if (!isStdRecord(RD, "shared_ptr") && !isStdRecord(RD, "unique_ptr"))
      return RD;
    const TemplateArgumentList &Args = Spec->getTemplateArgs();
    if (Args.size() == 0 || Args[0].getKind() != TemplateArgument::Type)
      return nullptr;
    T = Args[0].getAsType();
  }
  return nullptr;
}

// The ModuleTypes entries that name optimizers (see Note [Optimizers] in AliasFlow.cpp).
std::string optimizerEntries(llvm::StringRef ModuleTypes) {
  llvm::SmallVector<llvm::StringRef, 8> Items;
  ModuleTypes.split(Items, ';', -1, /*KeepEmpty=*/false);
  std::string Result;
  for (llvm::StringRef Item : Items)
    if (Item.trim().ends_with("Optimizer"))
      Result += (Item.trim() + ";").str();
  return Result;
}

} // namespace

NameList::NameList(llvm::StringRef SemicolonSeparated) {
  llvm::SmallVector<llvm::StringRef, 32> Items;
  SemicolonSeparated.split(Items, ';', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef Item : Items) {
    Item = Item.trim();
    if (Item.empty())
      continue;
    if (Item.consume_front("-"))
      Excluded.push_back(Item.str());
    else if (Item.consume_front("*"))
      Suffixes.push_back(Item.str());
    else
      Exact.push_back(Item.str());
  }
}

bool NameList::matches(llvm::StringRef Name) const {
  if (Name.empty() || llvm::is_contained(Excluded, Name))
    return false;
  if (llvm::is_contained(Exact, Name))
    return true;
  return llvm::any_of(Suffixes, [&](const std::string &S) {
    // `*_` must not match a bare `_`, nor `operator` spellings.
    return Name.size() > S.size() && Name.ends_with(S) && !Name.starts_with("operator");
  });
}

AliasModelOptions
AliasModelOptions::read(const ClangTidyCheck::OptionsView &Options,
                        llvm::StringRef DefaultAliasSources) {
  AliasModelOptions O;
  O.AliasSources = Options.get("AliasSources", DefaultAliasSources).str();
  O.MutatingMethods = Options.get("MutatingMethods", DefaultMutatingMethods).str();
  O.AliasPreservingMethods =
      Options.get("AliasPreservingMethods", DefaultAliasPreservingMethods).str();
  O.DeepCopyFunctions = Options.get("DeepCopyFunctions", DefaultDeepCopyFunctions).str();
  O.ModuleMutators = Options.get("ModuleMutators", DefaultModuleMutators).str();
  O.SnapshotUses = Options.get("SnapshotUses", DefaultSnapshotUses).str();
  O.ModuleTypes = Options.get("ModuleTypes", DefaultModuleTypes).str();
  O.UpdateGuards = Options.get("UpdateGuards", DefaultUpdateGuards).str();
  O.DeepCopyFunction = Options.get("DeepCopyFunction", DefaultDeepCopyFunction).str();
  return O;
}

void AliasModelOptions::store(ClangTidyOptions::OptionMap &Opts,
                              const ClangTidyCheck::OptionsView &Options) const {
  Options.store(Opts, "AliasSources", AliasSources);
  Options.store(Opts, "MutatingMethods", MutatingMethods);
  Options.store(Opts, "AliasPreservingMethods", AliasPreservingMethods);
  Options.store(Opts, "DeepCopyFunctions", DeepCopyFunctions);
  Options.store(Opts, "ModuleMutators", ModuleMutators);
  Options.store(Opts, "SnapshotUses", SnapshotUses);
  Options.store(Opts, "ModuleTypes", ModuleTypes);
  Options.store(Opts, "UpdateGuards", UpdateGuards);
  Options.store(Opts, "DeepCopyFunction", DeepCopyFunction);
}

AliasModel::AliasModel(AliasModelOptions O)
    : Opts(std::move(O)), Sources(Opts.AliasSources), Mutating(Opts.MutatingMethods),
      Preserving(Opts.AliasPreservingMethods), DeepCopies(Opts.DeepCopyFunctions),
      ModuleMutators(Opts.ModuleMutators), SnapshotUses(Opts.SnapshotUses),
      ModuleTypeNames(Opts.ModuleTypes), OptimizerTypeNames(optimizerEntries(Opts.ModuleTypes)),
      GuardTypeNames(Opts.UpdateGuards) {}

bool AliasModel::isDeepCopy(const CallExpr *Call) const {
  const std::string Name = calleeName(Call);
  if (DeepCopies.matches(Name))
    return true;
  if (Name != "to")
    return false;
  // `to(options, non_blocking, copy)`: LibTorch's flag that forces new storage. Found by
  // the parameter's name so every overload of to() is covered.
  const FunctionDecl *FD = Call->getDirectCallee();
  if (!FD)
    return false;
  const unsigned NumArgs = std::min<unsigned>(Call->getNumArgs(), FD->getNumParams());
  for (unsigned I = 0; I < NumArgs; ++I) {
    if (FD->getParamDecl(I)->getName() != "copy")
      continue;
    const auto *Lit = dyn_cast<CXXBoolLiteralExpr>(Call->getArg(I)->IgnoreParenImpCasts());
    return Lit && Lit->getValue();
  }
  return false;
}

bool AliasModel::recordMatches(const CXXRecordDecl *RD, const NameList &Names,
                               llvm::DenseMap<const CXXRecordDecl *, bool> &Cache) const {
  if (!RD)
    return false;
  RD = RD->getCanonicalDecl();
  if (auto It = Cache.find(RD); It != Cache.end())
    return It->second;
  bool Match = Names.matches(recordName(RD));
  if (!Match && RD->hasDefinition()) {
    for (const CXXBaseSpecifier &Base : RD->getDefinition()->bases())
      if (recordMatches(Base.getType()->getAsCXXRecordDecl(), Names, Cache)) {
        Match = true;
        break;
      }
  }
  Cache[RD] = Match;
  return Match;
}

bool AliasModel::isModuleType(QualType T) const {
  if (T.isNull())
    return false;
  return recordMatches(designatedRecord(T), ModuleTypeNames, ModuleTypeCache);
}

bool AliasModel::isOptimizerType(QualType T) const {
  if (T.isNull())
    return false;
  return recordMatches(designatedRecord(T), OptimizerTypeNames, OptimizerTypeCache);
}

bool AliasModel::isUpdateGuardType(QualType T) const {
  if (T.isNull())
    return false;
  // Users spell `torch::NoGradGuard`, a typedef of `c10::NoGradGuard`: accept either.
  if (const auto *TT = T->getAs<TypedefType>())
    if (GuardTypeNames.matches(TT->getDecl()->getQualifiedNameAsString()))
      return true;
  const CXXRecordDecl *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  return RD && GuardTypeNames.matches(recordName(RD));
}

std::string calleeName(const CallExpr *Call) {
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call))
    return (llvm::Twine("operator") + getOperatorSpelling(Op->getOperator())).str();
  if (const FunctionDecl *FD = Call->getDirectCallee()) {
    if (FD->getDeclName().isIdentifier())
      return FD->getName().str();
    return FD->getNameAsString();
  }
  return {};
}

bool mayHoldStorage(QualType T) {
  if (T.isNull())
    return false;
  T = T.getNonReferenceType().getCanonicalType();
  if (T->isArithmeticType() || T->isEnumeralType() || T->isNullPtrType())
    return false;
  if (const CXXRecordDecl *RD = T->getAsCXXRecordDecl()) {
    return !isStdRecord(RD, "basic_string") && !isStdRecord(RD, "basic_string_view");
  }
  return true;
}

} // namespace clang::tidy::aliasguard
