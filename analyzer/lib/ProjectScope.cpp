//===--- ProjectScope.cpp -------------------------------------------------===//

#include "ProjectScope.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/TemplateBase.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <mutex>

namespace clang::tidy::aliasguard {

namespace {

std::string realPath(llvm::StringRef Path) {
  llvm::SmallString<256> Real;
  if (llvm::sys::fs::real_path(Path, Real))
    return Path.str();
  return std::string(Real);
}

// The nearest directory at or above `Dir` that holds `.git` (a directory, or a file in a
// worktree), else `Dir` itself.
std::string projectRoot(llvm::StringRef Dir) {
  for (llvm::StringRef D = Dir; !D.empty(); D = llvm::sys::path::parent_path(D)) {
    llvm::SmallString<256> Git(D);
    llvm::sys::path::append(Git, ".git");
    if (llvm::sys::fs::exists(Git))
      return D.str();
  }
  return Dir.str();
}

} // namespace

ProjectScope::ProjectScope(const SourceManager &SM) : SM(SM) {
  const OptionalFileEntryRef Main = SM.getFileEntryRefForID(SM.getMainFileID());
  if (!Main)
    return;
  const std::string MainPath = realPath(Main->getName());
  Root = projectRoot(llvm::sys::path::parent_path(MainPath));
  if (!Root.empty() && !llvm::sys::path::is_separator(Root.back()))
    Root += llvm::sys::path::get_separator();
}

bool ProjectScope::inMainFile(SourceLocation Loc) const {
  return Loc.isValid() && SM.isWrittenInMainFile(SM.getExpansionLoc(Loc));
}

bool ProjectScope::inProjectHeader(SourceLocation Loc) {
  if (Root.empty() || Loc.isInvalid())
    return false;
  const SourceLocation Expansion = SM.getExpansionLoc(Loc);
  const FileID File = SM.getFileID(Expansion);
  if (File == SM.getMainFileID())
    return false;
  auto [It, Inserted] = Cache.try_emplace(File, false);
  if (!Inserted)
    return It->second;
  if (SM.isInSystemHeader(Expansion))
    return false;
  const OptionalFileEntryRef Entry = SM.getFileEntryRefForID(File);
  if (!Entry)
    return false;
  It->second = llvm::StringRef(realPath(Entry->getName())).starts_with(Root);
  return It->second;
}

bool firstAnalysisOfHeaderFunction(const FunctionDecl &Fn, const ProjectScope &Scope) {
  static std::mutex Lock;
  static llvm::StringSet<> Seen;
  const SourceManager &SM = Scope.sourceManager();
  const PresumedLoc Where = SM.getPresumedLoc(SM.getExpansionLoc(Fn.getLocation()));
  std::string Key;
  llvm::raw_string_ostream OS(Key);
  OS << (Where.isValid() ? realPath(Where.getFilename()) : std::string()) << ':'
     << (Where.isValid() ? Where.getLine() : 0) << ':'
     << (Where.isValid() ? Where.getColumn() : 0) << ':';
  Fn.printQualifiedName(OS);
  if (const TemplateArgumentList *Args = Fn.getTemplateSpecializationArgs())
    for (const TemplateArgument &Arg : Args->asArray()) {
      OS << ',';
      Arg.print(Fn.getASTContext().getPrintingPolicy(), OS, /*IncludeType=*/true);
    }
  std::lock_guard<std::mutex> Guard(Lock);
  return Seen.insert(Key).second;
}

} // namespace clang::tidy::aliasguard
