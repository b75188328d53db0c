//===--- Messages.h - Every warning and note text of the checks ------------===//
//
// The words users read, in one place: clang-tidy format strings (`%0` ... are the
// arguments the checks stream in) and the pieces that fill them.
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_MESSAGES_H
#define AG_ANALYZER_MESSAGES_H

#include "AliasFlow.h"

#include "llvm/ADT/StringRef.h"
#include <string>

namespace clang::tidy::aliasguard::messages {

/// aliasguard-stale-snapshot's warning: %0 the kept variable, %1 entrySuffix,
/// %2 snapshotUse, %3 moduleName.
inline constexpr llvm::StringRef StaleSnapshot =
    "'%0'%1 is %2 as a snapshot, but it shares storage with %3, which changed after it was "
    "taken; take the snapshot with clone() or deep_copy()";
/// Its note at the alias source: %0 the kept variable, %1 the source as written.
inline constexpr llvm::StringRef SnapshotTakenHere = "'%0' is taken from '%1' here, without a copy";
/// Its note where the module changed: %0 that statement as written.
inline constexpr llvm::StringRef ModuleChangesHere = "the module changes here ('%0')";

/// aliasguard-state-dict-mutation's warning: %0 the operation, %1 writtenValue, %2 the
/// alias source as written.
inline constexpr llvm::StringRef InPlaceWrite =
    "in-place '%0' on %1 from '%2' also writes the module's storage; deep-copy it first "
    "(clone(), deep_copy())";
/// Its note at the alias source (%0).
inline constexpr llvm::StringRef SourceSharesStorage =
    "'%0' returns tensors that share storage with the module";
/// Its note inside a helper that writes its argument: %0 the helper.
inline constexpr llvm::StringRef HelperWritesArgument = "'%0' writes its argument in place here";

/// Both checks' note where no deep-copy fix-it compiles for a collection (DeepCopyFix.h).
inline constexpr llvm::StringRef CopyCollectionByHand =
    "deep-copy here by cloning each tensor of the collection (no fix-it: no "
    "DeepCopyFunction accepts its type)";
/// Both checks' note where a kept value is a copy of a module (Note [Module copies]).
inline constexpr llvm::StringRef CopyModule =
    "copying a module shares its parameters; keep a deep copy made with clone() (for a "
    "ModuleHolder: std::dynamic_pointer_cast<Impl>(net->clone()))";
/// A note that is only its argument.
inline constexpr llvm::StringRef Verbatim = "%0";

/// ` (entry 'fc.weight')` after a kept value taken with a constant key, else nothing.
inline std::string entrySuffix(llvm::StringRef Key) {
  return Key.empty() ? std::string() : (" (entry '" + Key + "')").str();
}

/// What an in-place write changed: `entry 'fc.weight'`, else `a tensor`.
inline std::string writtenValue(llvm::StringRef Key) {
  return Key.empty() ? std::string("a tensor") : ("entry '" + Key + "'").str();
}

/// The module as the user wrote it, quoted, else `the module`.
inline std::string moduleName(llvm::StringRef Spelling) {
  return Spelling.empty() ? std::string("the module") : ("'" + Spelling + "'").str();
}

/// How a stale value was used: `returned`, `passed to 'load_state_dict'`.
inline std::string snapshotUse(const StaleUse &Use) {
  switch (Use.Kind) {
  case SnapshotUseKind::Returned:
    return "returned";
  case SnapshotUseKind::PassedToCall:
    return "passed to '" + Use.Callee + "'";
  }
  return {};
}

} // namespace clang::tidy::aliasguard::messages

#endif // AG_ANALYZER_MESSAGES_H
