//===--- CheckRunner.cpp --------------------------------------------------===//

#include "CheckRunner.h"
#include "EnclosingFunctions.h"
#include "FindingsOutput.h"
#include "SarifOutput.h"

#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang-tidy/ClangTidyOptions.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "clang/Tooling/Core/Replacement.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>

namespace clang::tidy {
// Defined next to the module registration in analyzer/lib; referencing it keeps the
// registration in the link.
extern volatile int AliasGuardModuleAnchorSource;
} // namespace clang::tidy

namespace aliasguard::check {

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
    if (!llvm::sys::fs::is_directory(Dir))
      return Commands;
    for (CompileCommand &Command : Commands) {
      const bool HasOne = llvm::any_of(Command.CommandLine, [](const std::string &Arg) {
        return llvm::StringRef(Arg).starts_with("-resource-dir");
      });
      if (!HasOne && !Command.CommandLine.empty())
        Command.CommandLine.insert(Command.CommandLine.begin() + 1,
                                   "-resource-dir=" + Dir.str());
    }
    return Commands;
  }

  const CompilationDatabase &Base;
};

std::unique_ptr<clang::tidy::ClangTidyOptionsProvider>
makeOptionsProvider(const RunOptions &Options, std::string &Error) {
  clang::tidy::ClangTidyOptions Defaults = clang::tidy::ClangTidyOptions::getDefaults();
  Defaults.Checks = "-*,aliasguard-*";
  // `.clang-tidy` files contribute CheckOptions (and their Checks line, which names
  // clang-tidy's checks); the checks this tool runs are aliasguard's only, narrowed by
  // --checks, so the override always ends with our globs.
  clang::tidy::ClangTidyOptions Overrides;
  Overrides.Checks = "-*,aliasguard-*";
  if (!Options.Checks.empty())
    *Overrides.Checks += "," + Options.Checks;
  // Last, so no glob turns them off: the tool's own checks (function extents for SARIF,
  // main-file traversal) report nothing.
  *Overrides.Checks += ("," + InternalChecksGlob).str();
  if (Options.ConfigFile.empty())
    return std::make_unique<clang::tidy::FileOptionsProvider>(
        clang::tidy::ClangTidyGlobalOptions(), Defaults, Overrides,
        llvm::vfs::getRealFileSystem());
  auto Text = llvm::MemoryBuffer::getFile(Options.ConfigFile);
  if (!Text) {
    Error = "cannot read --config-file '" + Options.ConfigFile +
            "': " + Text.getError().message();
    return nullptr;
  }
  auto Parsed = clang::tidy::parseConfiguration((*Text)->getMemBufferRef());
  if (!Parsed) {
    Error = "invalid --config-file '" + Options.ConfigFile +
            "': " + Parsed.getError().message();
    return nullptr;
  }
  return std::make_unique<clang::tidy::ConfigOptionsProvider>(
      clang::tidy::ClangTidyGlobalOptions(), Defaults, std::move(*Parsed), Overrides);
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
    std::error_code EC;
    llvm::raw_fd_ostream Out(Path, EC);
    if (EC) {
      llvm::errs() << "aliasguard-check: error: cannot write '" << Path
                   << "': " << EC.message() << '\n';
      Ok = false;
      continue;
    }
    Out << *Fixed;
    llvm::errs() << "aliasguard-check: applied " << Entry.getValue().size()
                 << (Entry.getValue().size() == 1 ? " fix" : " fixes") << " to " << Path
                 << '\n';
  }
  return Ok;
}

} // namespace

int runChecks(const CompilationDatabase &Compilations, const std::vector<std::string> &Files,
              const RunOptions &Options) {
  for (const std::string &File : Files)
    if (!llvm::sys::fs::exists(File)) {
      llvm::errs() << "aliasguard-check: error: no such file: '" << File << "'\n";
      return ToolError;
    }
  if (Options.Format != "text" && Options.Format != "json" && Options.Format != "sarif") {
    llvm::errs() << "aliasguard-check: error: --format must be text, json or sarif, got '"
                 << Options.Format << "'\n";
    return ToolError;
  }
  std::string Error;
  auto Provider = makeOptionsProvider(Options, Error);
  if (!Provider) {
    llvm::errs() << "aliasguard-check: error: " << Error << '\n';
    return ToolError;
  }

  clang::tidy::ClangTidyContext Context(std::move(Provider));
  auto BaseFS = llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(
      llvm::vfs::getRealFileSystem());
  ResourceDirCompilations Adjusted(Compilations);
  std::vector<ClangTidyError> Errors =
      clang::tidy::runClangTidy(Context, Adjusted, Files, BaseFS, /*ApplyAnyFix=*/false);

  std::stable_sort(Errors.begin(), Errors.end(),
                   [](const ClangTidyError &A, const ClangTidyError &B) {
                     return std::tie(A.Message.FilePath, A.Message.FileOffset) <
                            std::tie(B.Message.FilePath, B.Message.FileOffset);
                   });

  std::error_code EC;
  std::unique_ptr<llvm::raw_fd_ostream> File;
  if (!Options.OutputFile.empty()) {
    File = std::make_unique<llvm::raw_fd_ostream>(Options.OutputFile, EC);
    if (EC) {
      llvm::errs() << "aliasguard-check: error: cannot write '" << Options.OutputFile
                   << "': " << EC.message() << '\n';
      return ToolError;
    }
  }
  llvm::raw_ostream &OS = File ? *File : llvm::outs();
  if (Options.Format == "sarif")
    writeSarif(Errors, enclosingFunctions(),
               SarifOptions{Options.SourceRoot.empty() ? defaultSourceRoot()
                                                       : Options.SourceRoot},
               OS);
  else if (Options.Format == "json")
    writeJson(Errors, OS);
  else
    writeText(Errors, OS);
  OS.flush();

  const bool CompileFailed = llvm::any_of(Errors, [](const ClangTidyError &E) {
    return E.DiagLevel == ClangTidyError::Error;
  });
  if (CompileFailed) {
    llvm::errs() << "aliasguard-check: error: compilation failed; findings may be "
                    "incomplete\n";
    if (Options.Fix)
      llvm::errs() << "aliasguard-check: no fixes applied\n";
    return ToolError;
  }
  if (Options.Fix && !applyFixes(Errors))
    return ToolError;
  return Errors.empty() ? NoFindings : Findings;
}

} // namespace aliasguard::check
