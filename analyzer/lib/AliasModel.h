//===--- AliasModel.h - What the checks know about tensor APIs ------------===//
//
// The tables both checks share: which calls hand out storage of a module (alias
// sources), which keep it (views, detach, indexing), which copy it (clone, deep_copy),
// which write it (in-place ops) and which change a module (optimizer step,
// load_state_dict). Every table is a check option with defaults for LibTorch and
// aliasguard's runtime.
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_ALIASMODEL_H
#define AG_ANALYZER_ALIASMODEL_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseMap.h"
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace clang {
class CallExpr;
class CXXRecordDecl;
class Expr;
class VarDecl;
class FunctionDecl;
class QualType;
} // namespace clang

namespace clang::tidy::aliasguard {

/// A semicolon-separated list of names; an entry `*suffix` matches any name ending in
/// `suffix` (`*_` is every in-place method of LibTorch's naming convention) and `-name`
/// excludes a name that a suffix would match.
class NameList {
public:
  explicit NameList(llvm::StringRef SemicolonSeparated);
  bool matches(llvm::StringRef Name) const;

private:
  std::vector<std::string> Exact;
  std::vector<std::string> Suffixes;
  std::vector<std::string> Excluded;
};

/// A semicolon-separated list of functions by qualified name (`c10::GradMode::set_enabled`);
/// `ns::*` matches every function of namespace (or class) `ns`, and an entry without `::`
/// matches by unqualified name.
class QualifiedNameList {
public:
  explicit QualifiedNameList(llvm::StringRef SemicolonSeparated);
  bool matches(const FunctionDecl *FD) const;

private:
  std::vector<std::string> Exact;
  std::vector<std::string> Prefixes;
};

/// The option values of one check, as the user wrote them (stored back verbatim). The
/// fields, their defaults, reading and storing come from AliasModelOptions.inc.
struct AliasModelOptions {
#define AG_CHECK_OPTION(Name, Default, Description) std::string Name;
#include "AliasModelOptions.inc"

  /// Every option at its default (AliasSources: the stale-snapshot check's list).
  static AliasModelOptions defaults();
  /// Reads every option once; a check passes its own `Defaults` where they differ.
  static AliasModelOptions read(const ClangTidyCheck::OptionsView &Options,
                                const AliasModelOptions &Defaults);
  void store(ClangTidyOptions::OptionMap &Opts,
             const ClangTidyCheck::OptionsView &Options) const;
};

/// The default of each option, by name (`defaults::AliasSources`).
namespace defaults {
#define AG_CHECK_OPTION(Name, Default, Description)                                      \
  inline constexpr llvm::StringRef Name = Default;
#include "AliasModelOptions.inc"
} // namespace defaults

/// The parsed tables plus the type questions the flow analysis asks.
class AliasModel {
public:
  explicit AliasModel(AliasModelOptions Opts);

  const AliasModelOptions &options() const { return Opts; }

  bool isAliasSource(llvm::StringRef Name) const { return Sources.matches(Name); }
  bool isAliasPreserving(llvm::StringRef Name) const {
    return Preserving.matches(Name);
  }
  bool isMutating(llvm::StringRef Name) const { return Mutating.matches(Name); }
  bool isModuleMutator(llvm::StringRef Name) const {
    return ModuleMutators.matches(Name);
  }
  bool isSnapshotUse(llvm::StringRef Name) const { return SnapshotUses.matches(Name); }
  /// A snapshot use that compares, so the object it is called on is used too.
  bool isComparison(llvm::StringRef Name) const { return Comparisons.matches(Name); }
  /// A container method after which the container holds its argument.
  bool isContainerStore(llvm::StringRef Name) const {
    return ContainerStores.matches(Name);
  }
  /// A function of namespace std that returns (a reference to) its argument.
  bool isPassThrough(llvm::StringRef Name) const { return PassThroughs.matches(Name); }
  /// A free in-place function that writes its last argument (ATen's `*_outf`).
  bool writesLastArgument(llvm::StringRef Name) const { return OutputLast.matches(Name); }
  /// The method that deep-copies a tensor (`clone`).
  llvm::StringRef tensorCopyMethod() const { return Opts.TensorCopyMethod; }

  /// DeepCopyFunctions, and a DeepCopyFlags call given `true` for its flag
  /// (`to(..., copy=true)`): the result owns new storage.
  bool isDeepCopy(const CallExpr *Call) const;

  /// True for a module or optimizer, seen through references, pointers, shared_ptr /
  /// unique_ptr and ModuleHolder wrappers (`torch::nn::Linear`).
  bool isModuleType(QualType T) const;
  /// True for the ModuleTypes entries named `...Optimizer` and classes derived from them:
  /// they change the modules whose parameters they were built from.
  bool isOptimizerType(QualType T) const;
  /// True for a variable of an RAII type that marks a scope of intended parameter updates
  /// (`torch::NoGradGuard g;`, `torch::AutoGradMode g(false);`).
  bool isUpdateGuard(const VarDecl *VD) const;
  /// For a call of an UpdateSwitches function given a constant: true when it starts a
  /// region of intended updates (`GradMode::set_enabled(false)`), false when it ends one.
  std::optional<bool> updateSwitch(const CallExpr *Call) const;
  /// Whether the writes of a call of `FD` are intended updates (`torch::nn::init::*`).
  bool isUpdateFunction(const FunctionDecl *FD) const {
    return FD && UpdateFunctionNames.matches(FD);
  }

private:
  bool recordMatches(const CXXRecordDecl *RD, const NameList &Names,
                     llvm::DenseMap<const CXXRecordDecl *, bool> &Cache) const;

  bool isGuardType(QualType T, const NameList &Names) const;

  AliasModelOptions Opts;
  NameList Sources, Mutating, Preserving, DeepCopies, ModuleMutators, SnapshotUses,
      ModuleTypeNames, OptimizerTypeNames, GuardTypeNames, GuardWhenFalseNames, Comparisons,
      ContainerStores, PassThroughs, OutputLast;
  QualifiedNameList UpdateSwitchNames, UpdateFunctionNames;
  /// DeepCopyFlags, split: (function name, parameter name).
  std::vector<std::pair<std::string, std::string>> CopyFlags;
  mutable llvm::DenseMap<const CXXRecordDecl *, bool> ModuleTypeCache;
  mutable llvm::DenseMap<const CXXRecordDecl *, bool> OptimizerTypeCache;
  mutable llvm::DenseMap<const CXXRecordDecl *, bool> GuardTypeCache;
};

/// The name a call is known by in the tables: the method or function name
/// (`add_`, `deep_copy`) or the operator spelling (`operator-=`, `operator[]`).
std::string calleeName(const CallExpr *Call);

/// Whether a value of type `T` can share tensor storage (false for numbers, strings,
/// keys), so `auto n = sd.size()` or a structured binding's key is never tracked.
bool mayHoldStorage(QualType T);

} // namespace clang::tidy::aliasguard

#endif // AG_ANALYZER_ALIASMODEL_H
