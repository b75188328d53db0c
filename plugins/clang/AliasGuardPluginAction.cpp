//===--- AliasGuardPluginAction.cpp - The aliasguard compiler plugin ------===//
//
// clang++-19 -fplugin=AliasGuardClangPlugin.so [-fplugin-arg-aliasguard-checks=GLOB]
//            [-fplugin-arg-aliasguard-config-file=FILE] ...
// (cc1: -load <lib> -plugin-arg-aliasguard checks=GLOB). Runs the aliasguard checks inside
// a normal compile, after the main action, and reports their findings as warnings.
//
//===----------------------------------------------------------------------===//

#include "FindingsForwarder.h"

#include "clang-tidy/ClangTidyOptions.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "llvm/Support/MemoryBuffer.h"
#include <optional>
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
        std::make_unique<clang::tidy::ClangTidyContext>(optionsProvider(Compiler)));
  }

  bool ParseArgs(const clang::CompilerInstance &Compiler,
                 const std::vector<std::string> &Args) override {
    for (llvm::StringRef Arg : Args) {
      if (Arg.consume_front(ChecksArg)) {
        Checks = Arg.str();
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
    clang::DiagnosticsEngine &Diags = Compiler.getDiagnostics();
    auto Text = llvm::MemoryBuffer::getFile(Path);
    if (!Text) {
      Diags.Report(Diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                         "aliasguard plugin: cannot read config file '%0': %1"))
          << Path << Text.getError().message();
      return false;
    }
    auto Parsed = clang::tidy::parseConfiguration((*Text)->getMemBufferRef());
    if (!Parsed) {
      Diags.Report(Diags.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                         "aliasguard plugin: invalid config file '%0': %1"))
          << Path << Parsed.getError().message();
      return false;
    }
    Config = std::move(*Parsed);
    return true;
  }

  // The same layering as aliasguard-check (tool/CheckRunner.cpp): `.clang-tidy` files next
  // to the source, or the config file, contribute CheckOptions; the checks that run are
  // aliasguard's only, narrowed by checks=.
  std::unique_ptr<clang::tidy::ClangTidyOptionsProvider>
  optionsProvider(clang::CompilerInstance &Compiler) const {
    clang::tidy::ClangTidyOptions Defaults = clang::tidy::ClangTidyOptions::getDefaults();
    Defaults.Checks = "-*,aliasguard-*";
    clang::tidy::ClangTidyOptions Overrides;
    Overrides.Checks = "-*,aliasguard-*";
    if (!Checks.empty())
      *Overrides.Checks += "," + Checks;
    if (Config)
      return std::make_unique<clang::tidy::ConfigOptionsProvider>(
          clang::tidy::ClangTidyGlobalOptions(), Defaults, *Config, Overrides);
    // The compiler's file system, so that -ivfsoverlay applies to .clang-tidy lookups too.
    return std::make_unique<clang::tidy::FileOptionsProvider>(
        clang::tidy::ClangTidyGlobalOptions(), Defaults, Overrides,
        llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>(&Compiler.getVirtualFileSystem()));
  }

  std::string Checks;
  std::optional<clang::tidy::ClangTidyOptions> Config;
};

} // namespace

} // namespace aliasguard::plugin

static clang::FrontendPluginRegistry::Add<aliasguard::plugin::AliasGuardAction>
    AliasGuardPlugin("aliasguard", "Find state_dict aliasing bugs (the aliasguard checks)");
