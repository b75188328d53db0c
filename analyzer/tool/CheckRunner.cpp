//===--- CheckRunner.cpp --------------------------------------------------===//

#include "CheckRunner.h"
#include "EnclosingFunctions.h"
#include "FindingsOutput.h"
#include "FrontEnd.h"
#include "Gating.h"
#include "SarifOutput.h"

#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "clang/Tooling/Core/Replacement.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/SourceMgr.h"
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

namespace clang::tidy {
// Defined next to the module registration in analyzer/lib; referencing it keeps the
// registration in the link.
extern volatile int AliasGuardModuleAnchorSource;
} // namespace clang::tidy

namespace aliasguard::cli {

namespace {

using clang::tidy::ClangTidyError;
using clang::tooling::CompileCommand;
using clang::tooling::CompilationDatabase;

[[maybe_unused]] const int ModuleAnchor = clang::tidy::AliasGuardModuleAnchorSource;

// Note [Resource directory]
// LibTooling derives Clang's resource directory (builtin headers such as <stddef.h>) from
// the running binary's path; installed anywhere but next to Clang that path is wrong and
// every translation unit fails to compile. We pass the directory of the Clang we were
// built against, unless the compile command names one.
class ResourceDirCompilations : public CompilationDatabase {
public:
  explicit ResourceDirCompilations(const CompilationDatabase &Wrapped) : Base(Wrapped) {}

  std::vector<CompileCommand> getCompileCommands(llvm::StringRef File) const override {
    return adjust(Base.getCompileCommands(File));
  }
  std::vector<std::string> getAllFiles() const override { return Base.getAllFiles(); }
  std::vector<CompileCommand> getAllCompileCommands() const override {
    return adjust(Base.getAllCompileCommands());
  }

private:
  static std::vector<CompileCommand> adjust(std::vector<CompileCommand> Commands) {
    const llvm::StringRef Dir = AG_CLANG_RESOURCE_DIR;
    const bool HaveDir = llvm::sys::fs::is_directory(Dir);
    for (CompileCommand &Command : Commands) {
      if (Command.CommandLine.empty())
        continue;
      const bool HasOne = llvm::any_of(Command.CommandLine, [](const std::string &Arg) {
        return llvm::StringRef(Arg).starts_with("-resource-dir");
      });
      if (HaveDir && !HasOne)
        Command.CommandLine.insert(Command.CommandLine.begin() + 1,
                                   "-resource-dir=" + Dir.str());
      // Note [Compiler warnings]: a build's -Werror (often written for GCC) would turn
      // Clang's own warnings into compile errors here; warnings are not our findings.
      // Appended before `--` (the file names follow it), or at the end.
      auto End = llvm::find(Command.CommandLine, "--");
      Command.CommandLine.insert(End, "-Wno-error");
    }
    return Commands;
  }

  const CompilationDatabase &Base;
};

// Note [Driver options]
// aliasguard-check analyses what clang++ would compile. LibTooling gives the compiler a file
// system of its own and ignores `-ivfsoverlay` (clang-tidy does too; it has --vfsoverlay
// instead), and expands `@FILE` response files only in the compilation databases it reads
// from disk: after `--` it takes them for input files and drops them. So main() expands those
// first, and each file's compile commands are read here: the overlays they name are layered over the real file system in the order given (a later one wins, as in
// clang++), a relative path taken from the command's directory. An overlay that cannot be
// read or parsed is that file's compile error, as it is clang++'s.
llvm::Expected<llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem>>
fileSystemFor(const CompilationDatabase &Compilations, llvm::StringRef File) {
  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS = llvm::vfs::getRealFileSystem();
  for (const CompileCommand &Command : Compilations.getCompileCommands(File)) {
    const std::vector<std::string> &Args = Command.CommandLine;
    for (size_t I = 0; I < Args.size(); ++I) {
      llvm::StringRef Arg = Args[I];
      if (Arg == "--")
        break;
      if (!Arg.consume_front("-ivfsoverlay"))
        continue;
      if (Arg.empty() && I + 1 < Args.size())
        Arg = Args[++I];
      llvm::SmallString<256> Path(Arg);
      if (Path.empty())
        return llvm::createStringError("-ivfsoverlay names no file");
      llvm::sys::fs::make_absolute(Command.Directory, Path);
      auto Buffer = llvm::MemoryBuffer::getFile(Path);
      if (!Buffer)
        return llvm::createStringError("cannot read -ivfsoverlay '" + Arg.str() +
                                       "': " + Buffer.getError().message());
      std::string Problems;
      auto Collect = [](const llvm::SMDiagnostic &D, void *Context) {
        *static_cast<std::string *>(Context) += D.getMessage().str() + "; ";
      };
      FS = llvm::vfs::getVFSFromYAML(std::move(*Buffer), Collect, Path, &Problems, FS);
      if (!FS)
        return llvm::createStringError("-ivfsoverlay '" + Arg.str() + "' is not a valid overlay: " +
                                       llvm::StringRef(Problems).rtrim("; ").str());
    }
  }
  return llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(FS);
}

// A compile error of `File` that no compiler reported: it counts as one (the file failed).
ClangTidyError driverError(llvm::StringRef File, llvm::StringRef Message) {
  ClangTidyError E("clang-diagnostic-error", ClangTidyError::Error, "", false);
  E.Message = clang::tooling::DiagnosticMessage();
  E.Message.Message = Message.str();
  E.Message.FilePath = File.str();
  return E;
}

// Applies the fixes of the findings (not of notes) to the files. Two findings that propose
// the same edit (a deep copy where both checks point) apply it once; a fix that conflicts
// with one already taken is skipped with a message, as clang-tidy does.
bool applyFixes(llvm::ArrayRef<ClangTidyError> Errors) {
  llvm::StringMap<clang::tooling::Replacements> PerFile;
  for (const ClangTidyError &Error : Errors)
    for (const auto &[Path, Replacements] : Error.Message.Fix)
      for (const clang::tooling::Replacement &R : Replacements) {
        clang::tooling::Replacements &Taken = PerFile[R.getFilePath()];
        if (llvm::is_contained(Taken, R))
          continue;
        if (llvm::Error Err = Taken.add(R)) {
          llvm::consumeError(std::move(Err));
          llvm::errs() << "aliasguard-check: note: a fix for '" << Error.Message.Message
                       << "' conflicts with another fix and was not applied\n";
        }
      }
  bool Ok = true;
  for (const auto &Entry : PerFile) {
    const llvm::StringRef Path = Entry.getKey();
    auto Buffer = llvm::MemoryBuffer::getFile(Path);
    if (!Buffer) {
      llvm::errs() << "aliasguard-check: error: cannot read '" << Path
                   << "' to fix it: " << Buffer.getError().message() << '\n';
      Ok = false;
      continue;
    }
    auto Fixed = clang::tooling::applyAllReplacements((*Buffer)->getBuffer(), Entry.getValue());
    if (!Fixed) {
      llvm::errs() << "aliasguard-check: error: cannot fix '" << Path
                   << "': " << llvm::toString(Fixed.takeError()) << '\n';
      Ok = false;
      continue;
    }
    // Whole or untouched (Note [Atomic outputs]): a failed write leaves the source as it was.
    if (llvm::Error Err =
            writeFileAtomically(Path, [&](llvm::raw_ostream &Out) { Out << *Fixed; })) {
      llvm::errs() << "aliasguard-check: error: fix not applied: " << llvm::toString(std::move(Err))
                   << '\n';
      Ok = false;
      continue;
    }
    llvm::errs() << "aliasguard-check: applied " << Entry.getValue().size()
                 << (Entry.getValue().size() == 1 ? " fix" : " fixes") << " to " << Path
                 << '\n';
  }
  return Ok;
}

using Clock = std::chrono::steady_clock;

// `K/N` with 1 <= K <= N.
llvm::Expected<std::pair<unsigned, unsigned>> parseShard(llvm::StringRef Text) {
  auto [KText, NText] = Text.split('/');
  unsigned K = 0, N = 0;
  if (KText.getAsInteger(10, K) || NText.getAsInteger(10, N) || N == 0 || K == 0 || K > N)
    return llvm::createStringError("--shard must be K/N with 1 <= K <= N, got '" + Text +
                                   "'");
  return std::make_pair(K, N);
}

// The translation units to analyse: the files given, or every file of the compilation
// database (sorted, so that shards are deterministic), narrowed by --filter, by the diff
// (whole-project runs analyse only the files it touches) and by --shard.
llvm::Expected<std::vector<std::string>> selectFiles(const CompilationDatabase &Compilations,
                                                     const std::vector<std::string> &Given,
                                                     const RunOptions &Options,
                                                     const ChangedLines *Changed) {
  const bool WholeProject = Given.empty();
  std::vector<std::string> Files = Given;
  if (WholeProject) {
    Files = Compilations.getAllFiles();
    if (Files.empty())
      return llvm::createStringError(
          "no files to analyse: name them, or give -p BUILD_DIR with a "
          "compile_commands.json that lists them");
    llvm::sort(Files);
    Files.erase(std::unique(Files.begin(), Files.end()), Files.end());
  }
  if (!Options.Filter.empty()) {
    llvm::Regex Pattern(Options.Filter);
    std::string Error;
    if (!Pattern.isValid(Error))
      return llvm::createStringError("--filter '" + Options.Filter + "': " + Error);
    llvm::erase_if(Files, [&](const std::string &F) { return !Pattern.match(F); });
  }
  if (WholeProject && Changed)
    llvm::erase_if(Files, [&](const std::string &F) {
      return !Changed->touches(canonicalFile(F));
    });
  if (!Options.Shard.empty()) {
    auto Shard = parseShard(Options.Shard);
    if (!Shard)
      return Shard.takeError();
    std::vector<std::string> Mine;
    for (size_t I = 0; I < Files.size(); ++I)
      if (I % Shard->second == Shard->first - 1)
        Mine.push_back(Files[I]);
    Files = std::move(Mine);
  }
  return Files;
}

// Runs the checks on each file, `Jobs` at a time, each on its own thread with its own
// clang-tidy context; prints progress for more than one file. Returns each file's findings.
std::vector<std::vector<ClangTidyError>> analyse(const CompilationDatabase &Compilations,
                                                 const std::vector<std::string> &Files,
                                                 const RunOptions &Options,
                                                 const frontend::CheckSelection &Selection) {
  std::vector<std::vector<ClangTidyError>> PerFile(Files.size());
  unsigned Jobs = Options.Jobs ? Options.Jobs : std::max(1u, std::thread::hardware_concurrency());
  Jobs = static_cast<unsigned>(std::min<size_t>(Jobs, Files.size()));
  std::atomic<size_t> Next{0};
  std::mutex ProgressLock;
  size_t Done = 0;
  const Clock::time_point Start = Clock::now();
  auto Worker = [&] {
    for (size_t I = Next++; I < Files.size(); I = Next++) {
      clang::tidy::ClangTidyContext Context(
          frontend::makeOptionsProvider(Selection, llvm::vfs::getRealFileSystem()));
      auto BaseFS = fileSystemFor(Compilations, Files[I]);
      if (BaseFS)
        PerFile[I] = clang::tidy::runClangTidy(Context, Compilations, {Files[I]}, *BaseFS,
                                               /*ApplyAnyFix=*/false);
      else
        PerFile[I] = {driverError(Files[I], llvm::toString(BaseFS.takeError()))};
      if (Files.size() > 1) {
        std::lock_guard<std::mutex> Guard(ProgressLock);
        const double Seconds = std::chrono::duration<double>(Clock::now() - Start).count();
        llvm::errs() << llvm::formatv("[{0}/{1}] {2} ({3:f1} s)\n", ++Done, Files.size(),
                                      Files[I], Seconds);
      }
    }
  };
  if (Jobs <= 1) {
    Worker();
  } else {
    std::vector<std::thread> Threads;
    for (unsigned J = 0; J < Jobs; ++J)
      Threads.emplace_back(Worker);
    for (std::thread &T : Threads)
      T.join();
  }
  return PerFile;
}

bool isCompileError(const ClangTidyError &E) { return E.DiagLevel == ClangTidyError::Error; }

/// What a run reads before it analyses anything, so that a bad option fails at once.
struct RunInputs {
  frontend::CheckSelection Selection;
  std::string Root;                     ///< SARIF's %SRCROOT%, the diff's and baseline's base
  std::optional<ChangedLines> Changed;  ///< with --diff-base
  std::optional<Baseline> Accepted;     ///< with --baseline
};

llvm::Expected<RunInputs> readInputs(const RunOptions &Options) {
  RunInputs Inputs;
  Inputs.Selection.Checks = Options.Checks;
  // Last, so no glob turns them off: the tool's own checks (function extents for SARIF,
  // main-file traversal) report nothing.
  Inputs.Selection.AlwaysOn = InternalChecksGlob.str();
  if (!Options.ConfigFile.empty()) {
    auto Config = frontend::readConfigFile(Options.ConfigFile, "--config-file");
    if (!Config)
      return Config.takeError();
    Inputs.Selection.Config = std::move(*Config);
  }
  Inputs.Root = Options.SourceRoot.empty() ? defaultSourceRoot() : Options.SourceRoot;

  if (Options.DiffBase == "-") {
    auto Diff = llvm::MemoryBuffer::getSTDIN();
    if (!Diff)
      return llvm::createStringError("cannot read a diff from stdin: " +
                                     Diff.getError().message());
    // Nothing, or no file header, is a mistake upstream of the pipe (the wrong file, an
    // empty `git diff`), not "no line changed": an error, never a silent pass.
    const llvm::StringRef Text = (*Diff)->getBuffer();
    if (Text.trim().empty())
      return llvm::createStringError("--diff-base -: standard input is empty; give it a unified "
                                     "diff (git diff -U0 BASE)");
    if (!Text.starts_with("+++ ") && !Text.contains("\n+++ "))
      return llvm::createStringError("--diff-base -: standard input is not a unified diff (no "
                                     "'+++ ' file header)");
    Inputs.Changed = ChangedLines::parse(Text, Inputs.Root);
  } else if (!Options.DiffBase.empty()) {
    auto FromGit = ChangedLines::fromGit(Options.DiffBase, Inputs.Root);
    if (!FromGit)
      return FromGit.takeError();
    Inputs.Changed = std::move(*FromGit);
  }
  if (!Options.BaselineFile.empty()) {
    auto Read = Baseline::read(Options.BaselineFile);
    if (!Read)
      return Read.takeError();
    Inputs.Accepted = std::move(*Read);
  }
  return Inputs;
}

/// Every translation unit's findings, in one list.
struct Analysis {
  std::vector<ClangTidyError> Findings; ///< in file order, each once
  std::vector<std::string> FailedFiles; ///< translation units that did not compile
};

// One list in file order; a finding reported by two translation units (the same file
// compiled twice, a header) appears once.
Analysis merge(std::vector<std::vector<ClangTidyError>> PerFile,
               const std::vector<std::string> &Files) {
  Analysis Result;
  for (size_t I = 0; I < Files.size(); ++I) {
    if (llvm::any_of(PerFile[I], isCompileError))
      Result.FailedFiles.push_back(Files[I]);
    for (ClangTidyError &E : PerFile[I])
      Result.Findings.push_back(std::move(E));
  }
  std::vector<ClangTidyError> &Errors = Result.Findings;
  frontend::sortFindings(Errors);
  Errors.erase(std::unique(Errors.begin(), Errors.end(),
                           [](const ClangTidyError &A, const ClangTidyError &B) {
                             return A.DiagnosticName == B.DiagnosticName &&
                                    A.Message.FilePath == B.Message.FilePath &&
                                    A.Message.FileOffset == B.Message.FileOffset &&
                                    A.Message.Message == B.Message.Message;
                           }),
               Errors.end());
  return Result;
}

llvm::Error recordBaseline(llvm::StringRef Path, llvm::ArrayRef<ClangTidyError> Errors,
                           llvm::ArrayRef<std::string> Prints, llvm::StringRef Root) {
  if (llvm::Error Err = Baseline::write(Path, Errors, Prints, Root))
    return Err;
  const size_t Recorded = llvm::count_if(Errors, [](const ClangTidyError &E) {
    return !isCompileError(E);
  });
  llvm::errs() << "aliasguard-check: recorded " << Recorded << " finding"
               << (Recorded == 1 ? "" : "s") << " in baseline '" << Path << "'\n";
  return llvm::Error::success();
}

/// The findings left to report after the diff and the baseline, with their fingerprints.
struct Reported {
  std::vector<ClangTidyError> Findings;
  std::vector<std::string> Prints;
  size_t OutsideDiff = 0; ///< left out: not on a changed line
  size_t InBaseline = 0;  ///< left out: accepted by the baseline
};

// Compile errors are always reported.
Reported gate(llvm::ArrayRef<ClangTidyError> Errors, llvm::ArrayRef<std::string> Prints,
              const RunInputs &Inputs) {
  Reported Result;
  SourceFiles Lines;
  for (size_t I = 0; I < Errors.size(); ++I) {
    const ClangTidyError &E = Errors[I];
    if (!isCompileError(E)) {
      if (Inputs.Changed &&
          !Inputs.Changed->contains(canonicalFile(E.Message.FilePath, E.BuildDirectory),
                                    Lines.locate(E.Message.FilePath, E.Message.FileOffset).Line)) {
        ++Result.OutsideDiff;
        continue;
      }
      if (Inputs.Accepted && Inputs.Accepted->accepts(Prints[I])) {
        ++Result.InBaseline;
        continue;
      }
    }
    Result.Findings.push_back(E);
    Result.Prints.push_back(Prints[I]);
  }
  return Result;
}

llvm::Error writeFindings(const Reported &Kept, const RunOptions &Options,
                          llvm::StringRef Root) {
  auto Write = [&](llvm::raw_ostream &OS) {
    switch (Options.Format) {
    case OutputFormat::Sarif:
      writeSarif(Kept.Findings, enclosingFunctions(), Kept.Prints, SarifOptions{Root.str()}, OS);
      break;
    case OutputFormat::Json:
      writeJson(Kept.Findings, Kept.Prints, OS);
      break;
    case OutputFormat::Text:
      writeText(Kept.Findings, OS);
      break;
    }
  };
  if (!Options.OutputFile.empty() && Options.OutputFile != "-")
    return writeFileAtomically(Options.OutputFile, Write); // Note [Atomic outputs]
  llvm::raw_fd_ostream &Out = llvm::outs();
  Write(Out);
  Out.flush();
  if (Out.has_error()) { // checked here: LLVM would abort on it at exit
    const std::error_code EC = Out.error();
    Out.clear_error();
    return llvm::createStringError(EC, "cannot write the findings to standard output: " +
                                           EC.message());
  }
  return llvm::Error::success();
}

// The counts the diff and the baseline left out, the files that did not compile, the fixes;
// returns the exit code.
int finish(const Reported &Kept, const Analysis &Analysed, const RunInputs &Inputs,
           const RunOptions &Options) {
  if (Inputs.Changed)
    llvm::errs() << "aliasguard-check: " << Kept.OutsideDiff
                 << " finding(s) outside the changed lines not reported\n";
  if (Inputs.Accepted)
    llvm::errs() << "aliasguard-check: " << Kept.InBaseline
                 << " finding(s) accepted by baseline '" << Options.BaselineFile << "'\n";

  if (!Analysed.FailedFiles.empty()) {
    for (const std::string &Failed : Analysed.FailedFiles)
      llvm::errs() << "aliasguard-check: error: " << Failed
                   << ": compilation failed; its findings may be incomplete\n";
    if (Options.Fix)
      llvm::errs() << "aliasguard-check: no fixes applied\n";
    return ToolError;
  }
  if (Options.Fix && !applyFixes(Kept.Findings))
    return ToolError;
  if (!Options.WriteBaselineFile.empty())
    return NoFindings; // the findings were just accepted
  return Kept.Findings.empty() ? NoFindings : Findings;
}

} // namespace

std::optional<OutputFormat> parseOutputFormat(llvm::StringRef Name) {
  if (Name == "text")
    return OutputFormat::Text;
  if (Name == "json")
    return OutputFormat::Json;
  if (Name == "sarif")
    return OutputFormat::Sarif;
  return std::nullopt;
}

// The analysis runs each compile command in its directory (LibTooling changes the process's
// working directory), so the files written after it are named from where the tool started.
RunOptions withAbsoluteOutputs(RunOptions Options) {
  for (std::string *Path : {&Options.OutputFile, &Options.WriteBaselineFile}) {
    if (Path->empty() || *Path == "-")
      continue;
    llvm::SmallString<256> Absolute(*Path);
    if (!llvm::sys::fs::make_absolute(Absolute))
      *Path = Absolute.str().str();
  }
  return Options;
}

int runChecks(const CompilationDatabase &Compilations,
              const std::vector<std::string> &GivenFiles, const RunOptions &GivenOptions) {
  auto Fail = [](llvm::Error Err) {
    llvm::errs() << "aliasguard-check: error: " << llvm::toString(std::move(Err)) << '\n';
    return ToolError;
  };
  const RunOptions Options = withAbsoluteOutputs(GivenOptions);
  auto Inputs = readInputs(Options);
  if (!Inputs)
    return Fail(Inputs.takeError());

  ResourceDirCompilations Adjusted(Compilations);
  auto Selected = selectFiles(Adjusted, GivenFiles, Options,
                              Inputs->Changed ? &*Inputs->Changed : nullptr);
  if (!Selected)
    return Fail(Selected.takeError());
  const std::vector<std::string> &Files = *Selected;
  if (Files.empty())
    llvm::errs() << "aliasguard-check: no translation units left to analyse (--filter, "
                    "--shard or --diff-base)\n";
  const Analysis Analysed =
      merge(analyse(Adjusted, Files, Options, Inputs->Selection), Files);

  // Fingerprints are computed over every finding, before any is filtered out, so that a
  // finding's fingerprint does not depend on which others were reported.
  const std::vector<std::string> Prints =
      fingerprints(Analysed.Findings, enclosingFunctions(), SarifOptions{Inputs->Root});
  if (!Options.WriteBaselineFile.empty())
    if (llvm::Error Err =
            recordBaseline(Options.WriteBaselineFile, Analysed.Findings, Prints, Inputs->Root))
      return Fail(std::move(Err));

  const Reported Kept = gate(Analysed.Findings, Prints, *Inputs);
  if (llvm::Error Err = writeFindings(Kept, Options, Inputs->Root))
    return Fail(std::move(Err));
  return finish(Kept, Analysed, *Inputs, Options);
}

} // namespace aliasguard::cli
