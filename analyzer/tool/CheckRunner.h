//===--- CheckRunner.h - aliasguard-check's driver -------------------------===//

#ifndef AG_ANALYZER_CHECKRUNNER_H
#define AG_ANALYZER_CHECKRUNNER_H

#include "llvm/ADT/StringRef.h"
#include <optional>
#include <string>
#include <vector>

namespace clang::tooling {
class CompilationDatabase;
} // namespace clang::tooling

namespace aliasguard::cli {

/// How the findings are written: FindingsOutput.h (text, JSON) and SarifOutput.h.
enum class OutputFormat { Text, Json, Sarif };

/// The format `--format=Name` asks for; nothing for a name that is not one.
std::optional<OutputFormat> parseOutputFormat(llvm::StringRef Name);

/// What the command line asked for (files and compile commands come separately).
struct RunOptions {
  std::string Checks;     ///< extra glob after `-*,aliasguard-*`, as clang-tidy's --checks
  OutputFormat Format = OutputFormat::Text;
  std::string OutputFile; ///< empty: stdout
  std::string ConfigFile; ///< empty: `.clang-tidy` files next to the sources
  std::string SourceRoot; ///< SARIF URIs are relative to it; empty: defaultSourceRoot()
  bool Fix = false;       ///< apply the findings' fix-its to the files
  unsigned Jobs = 0;      ///< translation units analysed at once; 0: one per core
  std::string Shard;      ///< "K/N": only the K-th of N deterministic slices of the files
  std::string Filter;     ///< regular expression: only files whose path matches
  std::string BaselineFile;      ///< findings recorded there are accepted
  std::string WriteBaselineFile; ///< record the current findings there
  std::string DiffBase;   ///< a git revision, or "-" for a unified diff on stdin
};

/// The process exit codes.
enum ExitCode : int { NoFindings = 0, Findings = 1, ToolError = 2 };

/// Runs the enabled aliasguard checks over `Files` (every file of the compilation database
/// when empty; the files given must exist) and writes the findings.
int runChecks(const clang::tooling::CompilationDatabase &Compilations,
              const std::vector<std::string> &Files, const RunOptions &Options);

} // namespace aliasguard::cli

#endif // AG_ANALYZER_CHECKRUNNER_H
