//===--- FrontEnd.cpp -----------------------------------------------------===//

#include "FrontEnd.h"

#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "llvm/Support/MemoryBuffer.h"
#include <algorithm>
#include <tuple>

namespace aliasguard::frontend {

namespace {

constexpr llvm::StringLiteral AliasGuardOnly = "-*,aliasguard-*";

} // namespace

llvm::Expected<clang::tidy::ClangTidyOptions> readConfigFile(llvm::StringRef Path,
                                                             llvm::StringRef Name) {
  auto Text = llvm::MemoryBuffer::getFile(Path);
  if (!Text)
    return llvm::createStringError("cannot read " + Name + " '" + Path +
                                   "': " + Text.getError().message());
  auto Parsed = clang::tidy::parseConfiguration((*Text)->getMemBufferRef());
  if (!Parsed)
    return llvm::createStringError("invalid " + Name + " '" + Path +
                                   "': " + Parsed.getError().message());
  return std::move(*Parsed);
}

std::unique_ptr<clang::tidy::ClangTidyOptionsProvider>
makeOptionsProvider(const CheckSelection &Selection,
                    llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS) {
  clang::tidy::ClangTidyOptions Defaults = clang::tidy::ClangTidyOptions::getDefaults();
  Defaults.Checks = AliasGuardOnly.str();
  clang::tidy::ClangTidyOptions Overrides;
  Overrides.Checks = AliasGuardOnly.str();
  // The checks choose the headers they analyse (the project's own, Note [Project headers]
  // in ProjectScope.h); what they find there is shown, as in the main file.
  Overrides.HeaderFilterRegex = ".*";
  if (!Selection.Checks.empty())
    *Overrides.Checks += "," + Selection.Checks;
  if (!Selection.AlwaysOn.empty())
    *Overrides.Checks += "," + Selection.AlwaysOn;
  if (Selection.Config)
    return std::make_unique<clang::tidy::ConfigOptionsProvider>(
        clang::tidy::ClangTidyGlobalOptions(), Defaults, *Selection.Config, Overrides);
  return std::make_unique<clang::tidy::FileOptionsProvider>(
      clang::tidy::ClangTidyGlobalOptions(), Defaults, Overrides, std::move(FS));
}

void sortFindings(std::vector<clang::tidy::ClangTidyError> &Findings) {
  std::stable_sort(Findings.begin(), Findings.end(),
                   [](const clang::tidy::ClangTidyError &A, const clang::tidy::ClangTidyError &B) {
                     return std::tie(A.Message.FilePath, A.Message.FileOffset) <
                            std::tie(B.Message.FilePath, B.Message.FileOffset);
                   });
}

} // namespace aliasguard::frontend
