//===--- AliasModel.cpp ---------------------------------------------------===//

#include "AliasModel.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/StringExtras.h"

namespace clang::tidy::aliasguard {

namespace {

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

// The ModuleTypes entries that name optimizers (see Note [Optimizers] in AliasResolver.cpp).
std::string optimizerEntries(llvm::StringRef ModuleTypes) {
  llvm::SmallVector<llvm::StringRef, 8> Items;
  ModuleTypes.split(Items, ';', -1, /*KeepEmpty=*/false);
  std::string Result;
  for (llvm::StringRef Item : Items)
    if (Item.trim().ends_with("Optimizer"))
      Result += (Item.trim() + ";").str();
  return Result;
}

// DeepCopyFlags entries `name(parameter)`; an entry without a parameter is ignored.
std::vector<std::pair<std::string, std::string>> copyFlags(llvm::StringRef List) {
  llvm::SmallVector<llvm::StringRef, 4> Items;
  List.split(Items, ';', -1, /*KeepEmpty=*/false);
  std::vector<std::pair<std::string, std::string>> Result;
  for (llvm::StringRef Item : Items) {
    auto [Name, Param] = Item.trim().split('(');
    Name = Name.trim();
    Param = Param.trim();
    if (Name.empty() || !Param.consume_back(")") || Param.trim().empty())
      continue;
    Result.emplace_back(Name.str(), Param.trim().str());
  }
  return Result;
}

// The UpdateGuards entries that count only when constructed with `false` (`Type(false)`,
// the suffix dropped), or, with `WhenFalse` unset, the others.
std::string guardEntries(llvm::StringRef Guards, bool WhenFalse) {
  llvm::SmallVector<llvm::StringRef, 8> Items;
  Guards.split(Items, ';', -1, /*KeepEmpty=*/false);
  std::string Result;
  for (llvm::StringRef Item : Items) {
    Item = Item.trim();
    if (Item.consume_back("(false)") == WhenFalse)
      Result += (Item.trim() + ";").str();
  }
  return Result;
}

// The `false`/`true` a guard is constructed with or a switch is called with, if constant.
std::optional<bool> constantBool(const Expr *E) {
  if (!E)
    return std::nullopt;
  if (const auto *Lit = dyn_cast<CXXBoolLiteralExpr>(E->IgnoreParenImpCasts()))
    return Lit->getValue();
  return std::nullopt;
}

} // namespace

QualifiedNameList::QualifiedNameList(llvm::StringRef SemicolonSeparated) {
  llvm::SmallVector<llvm::StringRef, 8> Items;
  SemicolonSeparated.split(Items, ';', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef Item : Items) {
    Item = Item.trim();
    Item.consume_front("::");
    if (Item.consume_back("*"))
      Prefixes.push_back(Item.str());
    else if (!Item.empty())
      Exact.push_back(Item.str());
  }
}

bool QualifiedNameList::matches(const FunctionDecl *FD) const {
  if (!FD || (Exact.empty() && Prefixes.empty()))
    return false;
  const std::string Qualified = FD->getQualifiedNameAsString();
  for (const std::string &Name : Exact)
    if (Name == Qualified ||
        (Name.find("::") == std::string::npos && FD->getDeclName().isIdentifier() &&
         FD->getName() == Name))
      return true;
  return llvm::any_of(Prefixes, [&](const std::string &P) {
    return llvm::StringRef(Qualified).starts_with(P);
  });
}

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

AliasModelOptions AliasModelOptions::defaults() {
  AliasModelOptions O;
#define AG_CHECK_OPTION(Name, Default, Description) O.Name = Default;
#include "AliasModelOptions.inc"
  return O;
}

AliasModelOptions AliasModelOptions::read(const ClangTidyCheck::OptionsView &Options,
                                          const AliasModelOptions &Defaults) {
  AliasModelOptions O;
#define AG_CHECK_OPTION(Name, Default, Description)                                      \
  O.Name = Options.get(#Name, Defaults.Name).str();
#include "AliasModelOptions.inc"
  return O;
}

void AliasModelOptions::store(ClangTidyOptions::OptionMap &Opts,
                              const ClangTidyCheck::OptionsView &Options) const {
#define AG_CHECK_OPTION(Name, Default, Description) Options.store(Opts, #Name, Name);
#include "AliasModelOptions.inc"
}

AliasModel::AliasModel(AliasModelOptions O)
    : Opts(std::move(O)), Sources(Opts.AliasSources), Mutating(Opts.MutatingMethods),
      Preserving(Opts.AliasPreservingMethods), DeepCopies(Opts.DeepCopyFunctions),
      ModuleMutators(Opts.ModuleMutators), SnapshotUses(Opts.SnapshotUses),
      ModuleTypeNames(Opts.ModuleTypes), OptimizerTypeNames(optimizerEntries(Opts.ModuleTypes)),
      GuardTypeNames(guardEntries(Opts.UpdateGuards, false)),
      GuardWhenFalseNames(guardEntries(Opts.UpdateGuards, true)),
      Comparisons(Opts.ComparisonUses), ContainerStores(Opts.ContainerStores),
      PassThroughs(Opts.PassThroughFunctions), OutputLast(Opts.OutputLastFunctions),
      UpdateSwitchNames(Opts.UpdateSwitches), UpdateFunctionNames(Opts.UpdateFunctions),
      CopyFlags(copyFlags(Opts.DeepCopyFlags)) {}

bool AliasModel::isDeepCopy(const CallExpr *Call) const {
  const std::string Name = calleeName(Call);
  if (DeepCopies.matches(Name))
    return true;
  // `to(options, non_blocking, copy)`: LibTorch's flag that forces new storage. Found by
  // the parameter's name so every overload of to() is covered.
  const auto Flag = llvm::find_if(CopyFlags, [&](const auto &F) { return F.first == Name; });
  if (Flag == CopyFlags.end())
    return false;
  const FunctionDecl *FD = Call->getDirectCallee();
  if (!FD)
    return false;
  const unsigned NumArgs = std::min<unsigned>(Call->getNumArgs(), FD->getNumParams());
  for (unsigned I = 0; I < NumArgs; ++I) {
    if (FD->getParamDecl(I)->getName() != Flag->second)
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

bool AliasModel::isGuardType(QualType T, const NameList &Names) const {
  if (T.isNull())
    return false;
  // Users spell `torch::NoGradGuard`, a typedef of `c10::NoGradGuard`: accept either.
  if (const auto *TT = T->getAs<TypedefType>())
    if (Names.matches(TT->getDecl()->getQualifiedNameAsString()))
      return true;
  const CXXRecordDecl *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  return RD && Names.matches(recordName(RD));
}

bool AliasModel::isUpdateGuard(const VarDecl *VD) const {
  if (!VD || VD->getType()->isReferenceType())
    return false;
  if (isGuardType(VD->getType(), GuardTypeNames))
    return true;
  if (!isGuardType(VD->getType(), GuardWhenFalseNames))
    return false;
  const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(
      VD->getInit() ? VD->getInit()->IgnoreImplicit() : nullptr);
  return Construct && Construct->getNumArgs() > 0 &&
         constantBool(Construct->getArg(0)) == std::optional<bool>(false);
}

std::optional<bool> AliasModel::updateSwitch(const CallExpr *Call) const {
  if (!Call || Call->getNumArgs() == 0 || !UpdateSwitchNames.matches(Call->getDirectCallee()))
    return std::nullopt;
  if (std::optional<bool> Enabled = constantBool(Call->getArg(0)))
    return !*Enabled;
  return std::nullopt;
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
