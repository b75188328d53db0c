//===--- main.cpp - aliasguard-check --------------------------------------===//
//
// aliasguard-check [FILES...] [-p BUILD_DIR] [--checks=GLOB] [--format=text|json|sarif]
//                  [--output=FILE] [--fix] [--config-file=FILE] [--source-root=DIR]
//                  [--dump-config]
//                  [-j N] [--shard K/N] [--filter REGEX]
//                  [--baseline FILE] [--write-baseline FILE] [--diff-base REV|-]
//                  [-- COMPILER ARGS]
// Without FILES, every file of -p's compile_commands.json is analysed.
// Exit status: 0 no (new) findings, 1 findings, 2 tool or compile error.
//
//===----------------------------------------------------------------------===//

#include "CheckRunner.h"
#include "FrontEnd.h"

#include "clang-tidy/ClangTidy.h"
#include "clang/Tooling/CommonOptionsParser.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Allocator.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

namespace {

llvm::cl::OptionCategory Category("aliasguard-check options");

llvm::cl::opt<std::string> Checks("checks", llvm::cl::cat(Category),
                                  llvm::cl::desc("Glob of checks to run after "
                                                 "'-*,aliasguard-*' (e.g. "
                                                 "'-aliasguard-stale-snapshot')"));
llvm::cl::opt<std::string> FormatName("format", llvm::cl::cat(Category),
                                      llvm::cl::init("text"),
                                      llvm::cl::desc("Output format: text, json or sarif "
                                                     "(SARIF 2.1.0)"));
llvm::cl::opt<std::string> Output("output", llvm::cl::cat(Category),
                                  llvm::cl::desc("Write findings to this file, not stdout"));
llvm::cl::opt<std::string> ConfigFile("config-file", llvm::cl::cat(Category),
                                      llvm::cl::desc("Read CheckOptions from this file "
                                                     "instead of .clang-tidy files"));
llvm::cl::opt<bool> Fix("fix", llvm::cl::cat(Category),
                        llvm::cl::desc("Apply the findings' fix-its (deep copies) to the "
                                       "source files; findings are still reported"));
llvm::cl::opt<std::string> SourceRoot("source-root", llvm::cl::cat(Category),
                                      llvm::cl::desc("SARIF: make file URIs relative to this "
                                                     "directory (default: the git top level "
                                                     "above the current directory, else the "
                                                     "current directory)"));

llvm::cl::opt<unsigned> Jobs("j", llvm::cl::cat(Category), llvm::cl::init(0),
                             llvm::cl::value_desc("N"),
                             llvm::cl::desc("Analyse N translation units at once (default: "
                                            "one per core)"));
llvm::cl::alias JobsLong("jobs", llvm::cl::aliasopt(Jobs), llvm::cl::desc("Alias for -j"));
llvm::cl::opt<std::string> Shard("shard", llvm::cl::cat(Category), llvm::cl::value_desc("K/N"),
                                 llvm::cl::desc("Analyse only the K-th of N slices of the "
                                                "files (sorted; for CI matrices)"));
llvm::cl::opt<std::string> BaselineFile("baseline", llvm::cl::cat(Category),
                                        llvm::cl::value_desc("FILE"),
                                        llvm::cl::desc("Accept the findings recorded in FILE; "
                                                       "fail only on new ones"));
llvm::cl::opt<std::string> WriteBaseline("write-baseline", llvm::cl::cat(Category),
                                         llvm::cl::value_desc("FILE"),
                                         llvm::cl::desc("Record the current findings in FILE "
                                                        "(and exit 0 unless a file failed to "
                                                        "compile)"));
llvm::cl::opt<std::string> DiffBase("diff-base", llvm::cl::cat(Category),
                                    llvm::cl::value_desc("REV|-"),
                                    llvm::cl::desc("Report only findings on lines changed "
                                                   "since git revision REV ('-': read a "
                                                   "unified diff from stdin)"));

// Note [--filter]
// libLLVM already registers a global option named `filter`, and registering ours aborts at
// start-up, so `--filter REGEX` / `--filter=REGEX` is taken out of the arguments (before
// `--`) here, ahead of the option parser.
std::vector<const char *> takeFilter(int Argc, const char **Argv, std::string &Filter,
                                     bool &Missing) {
  std::vector<const char *> Rest;
  for (int I = 0; I < Argc; ++I) {
    const llvm::StringRef Arg = Argv[I];
    if (Arg == "--") {
      Rest.insert(Rest.end(), Argv + I, Argv + Argc);
      break;
    }
    if (Arg == "--filter" || Arg == "-filter") {
      if (I + 1 >= Argc) {
        Missing = true;
        break;
      }
      Filter = Argv[++I];
    } else if (Arg.starts_with("--filter=") || Arg.starts_with("-filter=")) {
      Filter = Arg.split('=').second.str();
    } else {
      Rest.push_back(Argv[I]);
    }
  }
  return Rest;
}

// The compiler's `@FILE` arguments after `--`, read as clang++ reads them: LibTooling would
// take them for input files and drop them. See Note [Driver options] in CheckRunner.cpp.
llvm::Error expandCompilerResponseFiles(std::vector<const char *> &Args,
                                        llvm::BumpPtrAllocator &Allocator) {
  const auto Dash =
      llvm::find_if(Args, [](const char *Arg) { return llvm::StringRef(Arg) == "--"; });
  if (Dash == Args.end())
    return llvm::Error::success();
  llvm::SmallVector<const char *, 32> Compiler(Dash + 1, Args.end());
  llvm::cl::ExpansionContext Expander(Allocator, llvm::cl::TokenizeGNUCommandLine);
  if (llvm::Error Err = Expander.expandResponseFiles(Compiler))
    return Err;
  for (llvm::StringRef Arg : Compiler) // one the expansion could not read stays as it was
    if (Arg.starts_with("@"))
      return llvm::createStringError("cannot read response file '" + Arg.drop_front().str() +
                                     "': no such file or directory");
  Args.erase(Dash + 1, Args.end());
  Args.insert(Args.end(), Compiler.begin(), Compiler.end());
  return llvm::Error::success();
}

} // namespace

int main(int argc, const char **argv) {
  llvm::InitLLVM Init(argc, argv);
  llvm::cl::SetVersionPrinter([](llvm::raw_ostream &OS) {
    OS << "aliasguard-check " << AG_VERSION << " (Clang " << LLVM_VERSION_STRING << ")\n";
  });
  std::string Filter;
  bool FilterMissing = false;
  std::vector<const char *> Args = takeFilter(argc, argv, Filter, FilterMissing);
  if (FilterMissing) {
    llvm::errs() << "aliasguard-check: error: --filter needs a regular expression\n";
    return aliasguard::cli::ToolError;
  }
  llvm::BumpPtrAllocator ResponseFileText; // the expanded arguments live as long as main
  if (llvm::Error Err = expandCompilerResponseFiles(Args, ResponseFileText)) {
    llvm::errs() << "aliasguard-check: error: " << llvm::toString(std::move(Err)) << '\n';
    return aliasguard::cli::ToolError;
  }
  int ArgCount = static_cast<int>(Args.size());
  llvm::cl::extrahelp FilterHelp(
      "\n--filter=REGEX   Analyse only files whose path matches REGEX (after -p, "
      "before --shard)\n");
  llvm::cl::opt<bool> DumpConfig("dump-config", llvm::cl::cat(Category),
                                 llvm::cl::desc("Print the checks' options with their values "
                                                "(defaults, or --config-file's) and exit"));
  auto Parser = clang::tooling::CommonOptionsParser::create(ArgCount, Args.data(), Category,
                                                             llvm::cl::ZeroOrMore);
  if (!Parser) {
    llvm::errs() << "aliasguard-check: error: " << llvm::toString(Parser.takeError());
    return aliasguard::cli::ToolError;
  }
  if (DumpConfig) {
    clang::tidy::ClangTidyOptions Config = clang::tidy::ClangTidyOptions::getDefaults();
    if (!ConfigFile.empty()) {
      auto Parsed = aliasguard::frontend::readConfigFile(ConfigFile, "--config-file");
      if (!Parsed) {
        llvm::errs() << "aliasguard-check: error: " << llvm::toString(Parsed.takeError())
                     << '\n';
        return aliasguard::cli::ToolError;
      }
      Config.mergeWith(*Parsed, 0);
    }
    Config.Checks = "-*,aliasguard-*" + (Checks.empty() ? std::string() : "," + Checks);
    clang::tidy::ClangTidyOptions Effective;
    Effective.Checks = Config.Checks;
    Effective.CheckOptions = clang::tidy::getCheckOptions(Config, false);
    llvm::outs() << clang::tidy::configurationAsText(Effective);
    return 0;
  }
  // Note [Whole-project runs]: with no files, CommonOptionsParser loads no compilation
  // database (it returns before reading -p), so it is loaded here from -p's directory.
  std::unique_ptr<clang::tooling::CompilationDatabase> WholeProject;
  if (Parser->getSourcePathList().empty()) {
    const auto &Registered = llvm::cl::getRegisteredOptions();
    const auto It = Registered.find("p");
    const std::string BuildPath =
        It == Registered.end()
            ? std::string()
            : static_cast<llvm::cl::opt<std::string> *>(It->second)->getValue();
    if (BuildPath.empty()) {
      llvm::errs() << "aliasguard-check: error: no input files: name them, or give -p "
                      "BUILD_DIR to analyse every file of its compile_commands.json\n";
      return aliasguard::cli::ToolError;
    }
    std::string Error;
    WholeProject = clang::tooling::CompilationDatabase::autoDetectFromDirectory(BuildPath, Error);
    if (!WholeProject) {
      llvm::errs() << "aliasguard-check: error: no compilation database in '" << BuildPath
                   << "': " << Error << '\n';
      return aliasguard::cli::ToolError;
    }
  }

  for (const std::string &File : Parser->getSourcePathList())
    if (!llvm::sys::fs::exists(File)) {
      llvm::errs() << "aliasguard-check: error: no such file: '" << File << "'\n";
      return aliasguard::cli::ToolError;
    }
  const std::optional<aliasguard::cli::OutputFormat> Format =
      aliasguard::cli::parseOutputFormat(FormatName);
  if (!Format) {
    llvm::errs() << "aliasguard-check: error: --format must be text, json or sarif, got '"
                 << FormatName << "'\n";
    return aliasguard::cli::ToolError;
  }

  aliasguard::cli::RunOptions Options;
  Options.Checks = Checks;
  Options.Format = *Format;
  Options.OutputFile = Output;
  Options.ConfigFile = ConfigFile;
  Options.SourceRoot = SourceRoot;
  Options.Fix = Fix;
  Options.Jobs = Jobs;
  Options.Shard = Shard;
  Options.Filter = Filter;
  Options.BaselineFile = BaselineFile;
  Options.WriteBaselineFile = WriteBaseline;
  Options.DiffBase = DiffBase;
  return aliasguard::cli::runChecks(WholeProject ? *WholeProject : Parser->getCompilations(),
                                      Parser->getSourcePathList(), Options);
}
