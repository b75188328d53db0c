//===--- DeepCopyFix.h - The fix-it both checks offer ----------------------===//
//
// Both checks end in the same advice: take the value with a deep copy. Where the value was
// bound to a variable from one expression, that expression is where the copy goes:
// `.clone()` after a tensor, the DeepCopyFunction template around a collection. A fix is
// offered only when it compiles: the template's function must be declared in the
// translation unit and accept the collection's type. LibTorch has no such function for its
// OrderedDict, so there a note says what to write instead.
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_DEEPCOPYFIX_H
#define AG_ANALYZER_DEEPCOPYFIX_H

#include "clang/Basic/Diagnostic.h"
#include "llvm/ADT/StringRef.h"
#include <string>
#include <vector>

namespace clang {
class ASTContext;
class Expr;
} // namespace clang

namespace clang::tidy::aliasguard {

class AliasModel;

/// The edits that deep-copy a flagged value where it was taken, or advice instead.
struct DeepCopyFix {
  /// The edits; empty when no fix compiles (or the expression comes from a macro).
  std::vector<FixItHint> Hints;
  /// When `Hints` is empty for a collection: what to do by hand (a note's text).
  std::string Advice;
};

/// A deep copy of `Taken`: a call of the model's TensorCopyMethod for a tensor, its
/// DeepCopyFunction template (`%0` = the text) for a collection.
/// Each expression gets its fix once per translation unit, whichever check asks first:
/// clang-tidy drops *both* of two identical fixes from different diagnostics as
/// overlapping, so the later findings at the same place carry none.
DeepCopyFix deepCopyFix(const Expr *Taken, const AliasModel &Model, const ASTContext &Ctx);

/// Forgets which fixes `Ctx`'s translation unit handed out (at its end).
void forgetFixes(const ASTContext &Ctx);

} // namespace clang::tidy::aliasguard

#endif // AG_ANALYZER_DEEPCOPYFIX_H
