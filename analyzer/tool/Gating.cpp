//===--- Gating.cpp -------------------------------------------------------===//

#include "Gating.h"
#include "FindingsOutput.h"

#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include <optional>

namespace aliasguard::cli {

std::string canonicalFile(llvm::StringRef Path, llvm::StringRef Base) {
  llvm::SmallString<256> Absolute(Path);
  if (!llvm::sys::path::is_absolute(Absolute)) {
    llvm::SmallString<256> Joined(Base);
    if (Base.empty())
      llvm::sys::fs::current_path(Joined);
    llvm::sys::path::append(Joined, Absolute);
    Absolute = Joined;
  }
  llvm::sys::path::remove_dots(Absolute, /*remove_dot_dot=*/true);
  llvm::SmallString<256> Real;
  if (!llvm::sys::fs::real_path(Absolute, Real))
    return std::string(Real);
  return std::string(Absolute);
}

ChangedLines ChangedLines::parse(llvm::StringRef Diff, llvm::StringRef Root) {
  ChangedLines Result;
  std::string Current; // the new side's file of the hunks that follow
  llvm::SmallVector<llvm::StringRef, 0> Lines;
  Diff.split(Lines, '\n');
  for (llvm::StringRef Line : Lines) {
    Line = Line.rtrim('\r');
    if (Line.consume_front("+++ ")) {
      // `+++ b/path` (git), `+++ path<TAB>date` (diff -u), `+++ /dev/null` (deleted).
      Line = Line.split('\t').first.rtrim();
      if (Line == "/dev/null") {
        Current.clear();
        continue;
      }
      if (Line.starts_with("b/"))
        Line = Line.drop_front(2);
      Current = canonicalFile(Line, Root);
      continue;
    }
    if (Current.empty() || !Line.consume_front("@@ "))
      continue;
    // `@@ -a[,b] +c[,d] @@`: the new side starts at line c and spans d lines (1 if absent;
    // 0 is a pure deletion, which changes no line of the new file).
    const size_t Plus = Line.find('+');
    if (Plus == llvm::StringRef::npos)
      continue;
    llvm::StringRef NewSide = Line.drop_front(Plus + 1).split(' ').first;
    auto [StartText, CountText] = NewSide.split(',');
    unsigned Start = 0, Count = 1;
    if (StartText.getAsInteger(10, Start) ||
        (!CountText.empty() && CountText.getAsInteger(10, Count)))
      continue;
    if (Count > 0)
      Result.Ranges[Current].emplace_back(Start, Start + Count - 1);
  }
  return Result;
}

llvm::Expected<ChangedLines> ChangedLines::fromGit(llvm::StringRef Rev, llvm::StringRef Root) {
  auto Git = llvm::sys::findProgramByName("git");
  if (!Git)
    return llvm::createStringError("--diff-base needs git, which is not on PATH");
  llvm::SmallString<128> OutFile, ErrFile;
  if (auto EC = llvm::sys::fs::createTemporaryFile("aliasguard-diff", "txt", OutFile))
    return llvm::createStringError(EC, "cannot create a temporary file");
  if (auto EC = llvm::sys::fs::createTemporaryFile("aliasguard-diff", "err", ErrFile))
    return llvm::createStringError(EC, "cannot create a temporary file");
  const std::string RootArg = Root.str();
  const std::string RevArg = Rev.str();
  // --end-of-options: the revision is never read as an option (`--diff-base=--output=F`
  // would have git write F).
  llvm::SmallVector<llvm::StringRef, 10> Args{*Git,          "-C",    RootArg, "diff",
                                              "-U0",         "--no-color", "--no-ext-diff",
                                              "--end-of-options", RevArg, "--"};
  const std::optional<llvm::StringRef> Redirects[] = {std::nullopt, OutFile.str(),
                                                      ErrFile.str()};
  std::string Message;
  const int Status = llvm::sys::ExecuteAndWait(*Git, Args, std::nullopt, Redirects,
                                               /*SecondsToWait=*/0, /*MemoryLimit=*/0,
                                               &Message);
  auto Out = llvm::MemoryBuffer::getFile(OutFile);
  auto Err = llvm::MemoryBuffer::getFile(ErrFile);
  llvm::sys::fs::remove(OutFile);
  llvm::sys::fs::remove(ErrFile);
  if (Status != 0)
    return llvm::createStringError(
        "git diff " + RevArg + " failed in '" + RootArg + "': " +
        (Err && !(*Err)->getBuffer().trim().empty() ? (*Err)->getBuffer().trim().str()
                                                     : Message));
  if (!Out)
    return llvm::createStringError(Out.getError(), "cannot read git's output");
  return parse((*Out)->getBuffer(), Root);
}

bool ChangedLines::touches(llvm::StringRef File) const { return Ranges.contains(File); }

bool ChangedLines::contains(llvm::StringRef File, unsigned Line) const {
  auto It = Ranges.find(File);
  return It != Ranges.end() && llvm::any_of(It->second, [Line](const auto &R) {
           return R.first <= Line && Line <= R.second;
         });
}

std::vector<std::string> ChangedLines::files() const {
  std::vector<std::string> Result;
  for (const auto &Entry : Ranges)
    Result.push_back(Entry.getKey().str());
  llvm::sort(Result);
  return Result;
}

llvm::Expected<Baseline> Baseline::read(llvm::StringRef Path) {
  auto Buffer = llvm::MemoryBuffer::getFile(Path);
  if (!Buffer)
    return llvm::createStringError(Buffer.getError(),
                                   "cannot read baseline '" + Path + "': " +
                                       Buffer.getError().message());
  auto Parsed = llvm::json::parse((*Buffer)->getBuffer());
  if (!Parsed)
    return llvm::createStringError("baseline '" + Path +
                                   "' is not JSON: " + llvm::toString(Parsed.takeError()));
  const llvm::json::Object *Root = Parsed->getAsObject();
  const llvm::json::Array *Findings = Root ? Root->getArray("findings") : nullptr;
  if (!Findings || Root->getInteger("version") != 1)
    return llvm::createStringError("baseline '" + Path +
                                   "' is not an aliasguard baseline (version 1 with a "
                                   "\"findings\" array); write one with --write-baseline");
  Baseline Result;
  for (const llvm::json::Value &F : *Findings) {
    const llvm::json::Object *Entry = F.getAsObject();
    auto Print = Entry ? Entry->getString("fingerprint") : std::nullopt;
    if (!Print)
      return llvm::createStringError("baseline '" + Path +
                                     "': a finding has no \"fingerprint\" string");
    Result.Prints.insert(*Print);
  }
  return Result;
}

llvm::Error Baseline::write(llvm::StringRef Path,
                            llvm::ArrayRef<clang::tidy::ClangTidyError> Errors,
                            llvm::ArrayRef<std::string> Fingerprints,
                            llvm::StringRef SourceRoot) {
  SourceFiles Files;
  const std::string Root = SourceRoot.empty() ? std::string() : canonicalFile(SourceRoot);
  llvm::json::Array Findings;
  for (size_t I = 0; I < Errors.size() && I < Fingerprints.size(); ++I) {
    const auto &E = Errors[I];
    if (Fingerprints[I].empty() || E.DiagLevel == clang::tidy::ClangTidyError::Error)
      continue;
    std::string File = canonicalFile(E.Message.FilePath, E.BuildDirectory);
    if (!Root.empty() && llvm::StringRef(File).starts_with(Root + "/"))
      File = File.substr(Root.size() + 1);
    Findings.push_back(llvm::json::Object{
        {"fingerprint", Fingerprints[I]},
        {"rule", E.DiagnosticName},
        {"file", File},
        {"line", Files.locate(E.Message.FilePath, E.Message.FileOffset).Line},
        {"message", E.Message.Message}});
  }
  const llvm::json::Value Document(llvm::json::Object{
      {"version", 1}, {"tool", "aliasguard-check"}, {"findings", std::move(Findings)}});
  if (llvm::Error Err = writeFileAtomically(
          Path, [&](llvm::raw_ostream &OS) { OS << llvm::formatv("{0:2}", Document) << '\n'; }))
    return llvm::createStringError("baseline not written: " + llvm::toString(std::move(Err)));
  return llvm::Error::success();
}

} // namespace aliasguard::cli
