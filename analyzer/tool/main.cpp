//===--- main.cpp - aliasguard-check --------------------------------------===//
//
// aliasguard-check FILES... [-p BUILD_DIR] [--checks=GLOB] [--format=text|json|sarif]
//                  [--output=FILE] [--fix] [--config-file=FILE] [--source-root=DIR]
//                  [-- COMPILER ARGS]
// Exit status: 0 no findings, 1 findings, 2 tool or compile error.
//
//===----------------------------------------------------------------------===//

#include "CheckRunner.h"

#include "clang/Tooling/CommonOptionsParser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

namespace {

llvm::cl::OptionCategory Category("aliasguard-check options");

llvm::cl::opt<std::string> Checks("checks", llvm::cl::cat(Category),
                                  llvm::cl::desc("Glob of checks to run after "
                                                 "'-*,aliasguard-*' (e.g. "
                                                 "'-aliasguard-stale-snapshot')"));
llvm::cl::opt<std::string> Format("format", llvm::cl::cat(Category), llvm::cl::init("text"),
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

} // namespace

int main(int argc, const char **argv) {
  llvm::InitLLVM Init(argc, argv);
  auto Parser = clang::tooling::CommonOptionsParser::create(argc, argv, Category,
                                                             llvm::cl::OneOrMore);
  if (!Parser) {
    llvm::errs() << "aliasguard-check: error: " << llvm::toString(Parser.takeError());
    return aliasguard::check::ToolError;
  }
  const aliasguard::check::RunOptions Options{Checks,     Format,     Output,
                                                ConfigFile, SourceRoot, Fix};
  return aliasguard::check::runChecks(Parser->getCompilations(),
                                      Parser->getSourcePathList(), Options);
}
