//===--- FindingsForwarder.cpp --------------------------------------------===//

#include "FindingsForwarder.h"
#include "FrontEnd.h"

#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyModule.h" // ~ClangTidyASTConsumerFactory needs it complete
#include "clang/Basic/DiagnosticOptions.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include <vector>

namespace aliasguard::plugin {

namespace {

using clang::tidy::ClangTidyError;

std::vector<std::unique_ptr<clang::ASTConsumer>>
checkConsumers(clang::CompilerInstance &Compiler, llvm::StringRef File,
               clang::tidy::ClangTidyContext &Context) {
  // The factory reads ClangTidyModuleRegistry (our module, linked into this plugin) and the
  // context's options for File; it sets the context's SourceManager and ASTContext.
  clang::tidy::ClangTidyASTConsumerFactory Factory(Context);
  std::vector<std::unique_ptr<clang::ASTConsumer>> Consumers;
  Consumers.push_back(Factory.createASTConsumer(Compiler, File));
  return Consumers;
}

} // namespace

TidyDiagnostics::TidyDiagnostics(std::unique_ptr<clang::tidy::ClangTidyContext> Context)
    : Context(std::move(Context)),
      Collector(new clang::tidy::ClangTidyDiagnosticConsumer(*this->Context)),
      Engine(std::make_unique<clang::DiagnosticsEngine>(
          new clang::DiagnosticIDs, new clang::DiagnosticOptions, Collector,
          /*ShouldOwnClient=*/true)) {
  this->Context->setDiagnosticsEngine(Engine.get());
}

FindingsForwarder::FindingsForwarder(clang::CompilerInstance &Compiler, llvm::StringRef File,
                                     std::unique_ptr<clang::tidy::ClangTidyContext> Context)
    : TidyDiagnostics(std::move(Context)),
      MultiplexConsumer(checkConsumers(Compiler, File, *TidyDiagnostics::Context)),
      Compiler(Compiler) {}

void FindingsForwarder::HandleTranslationUnit(clang::ASTContext &Ctx) {
  MultiplexConsumer::HandleTranslationUnit(Ctx);
  std::vector<ClangTidyError> Findings = Collector->take();
  frontend::sortFindings(Findings);
  for (const ClangTidyError &Finding : Findings)
    report(Finding);
}

namespace {

/// A ClangTidyError holds file paths and offsets; the compiler wants locations in its
/// SourceManager, which is the one the checks ran on, so every file is already there.
class Locations {
public:
  explicit Locations(clang::SourceManager &SM) : SM(SM) {}

  clang::SourceLocation at(llvm::StringRef Path, unsigned Offset) const {
    if (Path.empty())
      return {};
    auto File = SM.getFileManager().getOptionalFileRef(Path);
    if (!File)
      return {};
    const clang::FileID ID = SM.translateFile(*File);
    if (ID.isInvalid() || Offset > SM.getBufferData(ID).size())
      return {};
    return SM.getComposedLoc(ID, Offset);
  }

  void addRanges(const clang::tooling::DiagnosticMessage &M,
                 clang::DiagnosticBuilder &Builder) const {
    for (const clang::tooling::FileByteRange &R : M.Ranges) {
      const clang::SourceLocation Begin = at(R.FilePath, R.FileOffset);
      if (Begin.isValid())
        Builder << clang::CharSourceRange::getCharRange(Begin,
                                                        Begin.getLocWithOffset(R.Length));
    }
  }

  // The replacements of a finding's fix, as fix-it hints: clang prints them and
  // `-Xclang -fixit` applies them.
  void addFixes(const clang::tooling::DiagnosticMessage &M,
                clang::DiagnosticBuilder &Builder) const {
    for (const auto &[Path, Replacements] : M.Fix)
      for (const clang::tooling::Replacement &R : Replacements) {
        const clang::SourceLocation Begin = at(R.getFilePath(), R.getOffset());
        if (Begin.isInvalid())
          continue;
        Builder << clang::FixItHint::CreateReplacement(
            clang::CharSourceRange::getCharRange(Begin,
                                                 Begin.getLocWithOffset(R.getLength())),
            R.getReplacementText());
      }
  }

private:
  clang::SourceManager &SM;
};

} // namespace

void FindingsForwarder::report(const ClangTidyError &Finding) {
  clang::DiagnosticsEngine &Diags = Compiler.getDiagnostics();
  // See Note [Collect, then report], (2): -Werror, -w and the WarningsAsErrors line of
  // .clang-tidy decide the level here.
  const bool AsError = Finding.DiagLevel == ClangTidyError::Error ||
                       Finding.IsWarningAsError || Diags.getWarningsAsErrors();
  if (!AsError && Diags.getIgnoreAllWarnings())
    return;
  clang::DiagnosticIDs::Level Level = clang::DiagnosticIDs::Warning;
  if (AsError)
    Level = clang::DiagnosticIDs::Error;
  else if (Finding.DiagLevel == ClangTidyError::Remark)
    Level = clang::DiagnosticIDs::Remark;

  // "%0" and the text as its argument: a finding's message may contain '%' or '{'.
  clang::DiagnosticIDs &IDs = *Diags.getDiagnosticIDs();
  const Locations Where(Compiler.getSourceManager());
  {
    clang::DiagnosticBuilder Builder =
        Diags.Report(Where.at(Finding.Message.FilePath, Finding.Message.FileOffset),
                     IDs.getCustomDiagID(Level, "%0"));
    Builder << Finding.Message.Message + " [" + Finding.DiagnosticName + "]";
    Where.addRanges(Finding.Message, Builder);
    Where.addFixes(Finding.Message, Builder);
  }
  for (const clang::tooling::DiagnosticMessage &Note : Finding.Notes) {
    clang::DiagnosticBuilder Builder = Diags.Report(
        Where.at(Note.FilePath, Note.FileOffset), IDs.getCustomDiagID(clang::DiagnosticIDs::Note, "%0"));
    Builder << Note.Message;
    Where.addRanges(Note, Builder);
  }
}

} // namespace aliasguard::plugin
