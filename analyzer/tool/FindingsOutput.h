//===--- FindingsOutput.h - Text and JSON output of findings --------------===//

#ifndef AG_ANALYZER_FINDINGSOUTPUT_H
#define AG_ANALYZER_FINDINGSOUTPUT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"
#include <string>

namespace clang::tidy {
struct ClangTidyError;
} // namespace clang::tidy

namespace aliasguard::check {

/// Clang-style `file:line:col: warning: message [check]` lines, each with its source line
/// and a caret, followed by its notes.
void writeText(llvm::ArrayRef<clang::tidy::ClangTidyError> Errors, llvm::raw_ostream &OS);

/// `{"diagnostics": [{check, level, message, file, line, column, notes: [...]}]}`.
void writeJson(llvm::ArrayRef<clang::tidy::ClangTidyError> Errors, llvm::raw_ostream &OS);

} // namespace aliasguard::check

#endif // AG_ANALYZER_FINDINGSOUTPUT_H
