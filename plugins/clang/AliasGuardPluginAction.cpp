//===--- AliasGuardPluginAction.cpp - The aliasguard compiler plugin ------===//
//
// clang++-19 -fplugin=AliasGuardClangPlugin.so [-fplugin-arg-aliasguard-checks=GLOB]
//            [-fplugin-arg-aliasguard-config-file=FILE] ...
// (cc1: -load <lib> -plugin-arg-aliasguard checks=GLOB). Runs the aliasguard checks inside
// a normal compile, after the main action, and reports their findings as warnings.
//
//===----------------------------------------------------------------------===//

#include "FindingsForwarder.h"
#include "FrontEnd.h"

#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include <string>

namespace aliasguard::plugin {

namespace {

constexpr llvm::StringLiteral ChecksArg = "checks=";
constexpr llvm::StringLiteral ConfigFileArg = "config-file=";

/// Runs the checks as an extra AST consumer next to the compiler's own (code generation,
/// or nothing under -fsyntax-only), so the compile still produces its output.
class AliasGuardAction : public clang::PluginASTAction {
protected:
  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance &Compiler,
                                                        llvm::StringRef File) override {
    return std::make_unique<FindingsForwarder>(
        Compiler, File,
        std::make_unique<clang::tidy::ClangTidyContext>(frontend::makeOptionsProvider(
            Selection,
            // The compiler's file system, so that -ivfsoverlay applies to .clang-tidy
            // lookups too.
            llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>(&Compiler.getVirtualFileSystem()))));
  }

  bool ParseArgs(const clang::CompilerInstance &Compiler,
                 const std::vector<std::string> &Args) override {
    for (llvm::StringRef Arg : Args) {
      if (Arg.consume_front(ChecksArg)) {
        Selection.Checks = Arg.str();
      } else if (Arg.consume_front(ConfigFileArg)) {
        if (!readConfigFile(Compiler, Arg))
          return false;
      } else {
        clang::DiagnosticsEngine &Diags = Compiler.getDiagnostics();
        Diags.Report(Diags.getCustomDiagID(
            clang::DiagnosticsEngine::Error,
            "aliasguard plugin: unknown argument '%0'; expected checks=GLOB or "
            "config-file=FILE (-fplugin-arg-aliasguard-checks=GLOB)"))
            << Arg;
        return false;
      }
    }
    return true;
  }

  ActionType getActionType() override { return AddAfterMainAction; }

private:
  bool readConfigFile(const clang::CompilerInstance &Compiler, llvm::StringRef Path) {
    auto Config = frontend::readConfigFile(Path, "config file");
    if (!Config) {
      clang::DiagnosticsEngine &Diags = Compiler.getDiagnostics();
      Diags.Report(Diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                         "aliasguard plugin: %0"))
          << llvm::toString(Config.takeError());
      return false;
    }
    Selection.Config = std::move(*Config);
    return true;
  }

  frontend::CheckSelection Selection;
};

} // namespace

} // namespace aliasguard::plugin

static clang::FrontendPluginRegistry::Add<aliasguard::plugin::AliasGuardAction>
    AliasGuardPlugin("aliasguard", "Find state_dict aliasing bugs (the aliasguard checks)");
