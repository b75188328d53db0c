//===--- FindingsOutput.cpp -----------------------------------------------===//

#include "FindingsOutput.h"

#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"

namespace aliasguard::cli {

Position SourceFiles::locate(llvm::StringRef FilePath, unsigned FileOffset) {
  Position P;
  if (FilePath.empty())
    return P;
  auto [It, Inserted] = Buffers.try_emplace(FilePath);
  if (Inserted)
    if (auto Buffer = llvm::MemoryBuffer::getFile(FilePath))
      It->second = std::move(*Buffer);
  if (!It->second || FileOffset > It->second->getBufferSize())
    return P;
  const llvm::StringRef Text = It->second->getBuffer();
  const llvm::StringRef Before = Text.take_front(FileOffset);
  const size_t LineStart = Before.rfind('\n') + 1; // npos + 1 == 0
  P.Line = static_cast<unsigned>(Before.count('\n')) + 1;
  P.Column = static_cast<unsigned>(FileOffset - LineStart) + 1;
  P.LineText = Text.substr(LineStart).take_until([](char C) { return C == '\n' || C == '\r'; });
  return P;
}

namespace {

using clang::tidy::ClangTidyError;
using clang::tooling::DiagnosticMessage;

llvm::StringRef levelName(const ClangTidyError &E) {
  switch (E.DiagLevel) {
  case ClangTidyError::Remark:
    return "remark";
  case ClangTidyError::Warning:
    return "warning";
  case ClangTidyError::Error:
    return "error";
  }
  return "warning";
}

void writeMessage(const DiagnosticMessage &M, llvm::StringRef Level, llvm::StringRef Check,
                  SourceFiles &Files, llvm::raw_ostream &OS) {
  const Position P = Files.locate(M.FilePath, M.FileOffset);
  if (!M.FilePath.empty())
    OS << M.FilePath << ':' << P.Line << ':' << P.Column << ": ";
  OS << Level << ": " << M.Message;
  if (!Check.empty())
    OS << " [" << Check << ']';
  OS << '\n';
  if (P.Line == 0)
    return;
  OS << P.LineText << '\n';
  // The caret keeps tabs so it lines up under the source text.
  for (unsigned I = 0; I + 1 < P.Column && I < P.LineText.size(); ++I)
    OS << (P.LineText[I] == '\t' ? '\t' : ' ');
  OS << "^\n";
}

llvm::json::Object jsonMessage(const DiagnosticMessage &M, SourceFiles &Files) {
  const Position P = Files.locate(M.FilePath, M.FileOffset);
  return llvm::json::Object{{"message", M.Message},
                            {"file", M.FilePath},
                            {"line", P.Line},
                            {"column", P.Column}};
}

} // namespace

void writeText(llvm::ArrayRef<ClangTidyError> Errors, llvm::raw_ostream &OS) {
  SourceFiles Files;
  for (const ClangTidyError &E : Errors) {
    writeMessage(E.Message, levelName(E), E.DiagnosticName, Files, OS);
    for (const DiagnosticMessage &Note : E.Notes)
      writeMessage(Note, "note", "", Files, OS);
  }
}

void writeJson(llvm::ArrayRef<ClangTidyError> Errors,
               llvm::ArrayRef<std::string> Fingerprints, llvm::raw_ostream &OS) {
  SourceFiles Files;
  llvm::json::Array Diagnostics;
  for (size_t I = 0; I < Errors.size(); ++I) {
    const ClangTidyError &E = Errors[I];
    llvm::json::Object Entry = jsonMessage(E.Message, Files);
    Entry["check"] = E.DiagnosticName;
    Entry["level"] = levelName(E);
    if (I < Fingerprints.size() && !Fingerprints[I].empty())
      Entry["fingerprint"] = Fingerprints[I];
    llvm::json::Array Notes;
    for (const DiagnosticMessage &Note : E.Notes)
      Notes.push_back(jsonMessage(Note, Files));
    Entry["notes"] = std::move(Notes);
    Diagnostics.push_back(std::move(Entry));
  }
  OS << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object{
                                   {"diagnostics", std::move(Diagnostics)}}))
     << '\n';
}

// Note [Atomic outputs]
// A fix, a findings file and a baseline are the user's work: a full disk, a quota or a
// crash half-way must not leave a truncated source file or destroy a good baseline, and a
// write that failed must be an error (exit 2), never "applied 1 fix". So a regular file is
// written beside itself under a unique temporary name, closed, checked and only then renamed
// over the old one (rename within a directory replaces atomically); its permissions are kept,
// and a symbolic link is followed so the link stays a link. A path that is not a regular file
// (a device such as /dev/stdout or /dev/full, a pipe) cannot be replaced and is written
// directly, its errors reported all the same.
llvm::Error writeFileAtomically(llvm::StringRef Path,
                                llvm::function_ref<void(llvm::raw_ostream &)> Write) {
  auto Failed = [&](std::error_code EC) {
    return llvm::createStringError(EC, "cannot write '" + Path + "': " + EC.message());
  };
  llvm::SmallString<256> Target(Path);
  llvm::sys::fs::file_status Status;
  const bool Exists = !llvm::sys::fs::status(Path, Status);
  if (Exists && !llvm::sys::fs::is_regular_file(Status)) {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Path, EC);
    if (EC)
      return Failed(EC);
    Write(OS);
    OS.close();
    if (OS.has_error()) {
      EC = OS.error();
      OS.clear_error();
      return Failed(EC);
    }
    return llvm::Error::success();
  }
  if (Exists)
    llvm::sys::fs::real_path(Path, Target); // through a symbolic link, not over it
  llvm::SmallString<256> Model(Target);
  Model += ".tmp-%%%%%%";
  int FD = -1;
  llvm::SmallString<256> Temp;
  if (std::error_code EC = llvm::sys::fs::createUniqueFile(Model, FD, Temp))
    return Failed(EC);
  std::error_code EC;
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    Write(OS);
    OS.close();
    if (OS.has_error()) {
      EC = OS.error();
      OS.clear_error();
    }
  }
  if (!EC && Exists)
    EC = llvm::sys::fs::setPermissions(Temp, Status.permissions());
  if (!EC)
    EC = llvm::sys::fs::rename(Temp, Target);
  if (EC) {
    llvm::sys::fs::remove(Temp);
    return Failed(EC);
  }
  return llvm::Error::success();
}

} // namespace aliasguard::cli
