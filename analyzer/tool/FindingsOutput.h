//===--- FindingsOutput.h - Text and JSON output of findings --------------===//

#ifndef AG_ANALYZER_FINDINGSOUTPUT_H
#define AG_ANALYZER_FINDINGSOUTPUT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include <memory>
#include <string>

namespace clang::tidy {
struct ClangTidyError;
} // namespace clang::tidy

namespace aliasguard::cli {

/// Line and column (both 1-based, columns in bytes as Clang counts them) of a file offset,
/// and the text of that line. Line 0: the file or offset is unknown.
struct Position {
  unsigned Line = 0;
  unsigned Column = 0;
  llvm::StringRef LineText;
};

/// Reads each file once; the diagnostics carry offsets, people read lines.
class SourceFiles {
public:
  Position locate(llvm::StringRef FilePath, unsigned FileOffset);

private:
  llvm::StringMap<std::unique_ptr<llvm::MemoryBuffer>> Buffers;
};

/// Clang-style `file:line:col: warning: message [check]` lines, each with its source line
/// and a caret, followed by its notes.
void writeText(llvm::ArrayRef<clang::tidy::ClangTidyError> Errors, llvm::raw_ostream &OS);

/// `{"diagnostics": [{check, level, message, file, line, column, fingerprint,
/// notes: [...]}]}`; `fingerprint` is SARIF's partialFingerprints value (and a baseline's).
void writeJson(llvm::ArrayRef<clang::tidy::ClangTidyError> Errors,
               llvm::ArrayRef<std::string> Fingerprints, llvm::raw_ostream &OS);

/// Writes the file `Path` with `Write` so that it is whole or untouched (Note [Atomic
/// outputs]): a regular file (or a new one) through a temporary file beside it, renamed over
/// it once every byte is written and the file closed; a device or pipe (`/dev/stdout`,
/// `/dev/full`) directly. The error names the path and the system's reason.
llvm::Error writeFileAtomically(llvm::StringRef Path,
                                llvm::function_ref<void(llvm::raw_ostream &)> Write);

} // namespace aliasguard::cli

#endif // AG_ANALYZER_FINDINGSOUTPUT_H
