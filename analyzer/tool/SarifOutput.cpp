//===--- SarifOutput.cpp --------------------------------------------------===//

#include "SarifOutput.h"
#include "EnclosingFunctions.h"
#include "FindingsOutput.h"
#include "Fingerprint.h"

#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

namespace aliasguard::cli {

namespace {

using clang::tidy::ClangTidyError;
using clang::tooling::DiagnosticMessage;

/// What code scanning shows for each check; the docs pages say the rest.
struct RuleInfo {
  llvm::StringRef Id;
  llvm::StringRef Name;
  llvm::StringRef Short;
  llvm::StringRef Full;
  llvm::StringRef Fix;
};

constexpr RuleInfo KnownRules[] = {
    {"aliasguard-state-dict-mutation", "StateDictMutation",
     "In-place write through a tensor from state_dict() also changes the module",
     "state_dict() returns tensors that share storage with the module's parameters. An "
     "in-place operation (a *_ method, += -= *= /=, assignment through data() or "
     "indexing) on such a tensor, reached with no deep copy on the way, writes the "
     "module's weights too.",
     "Deep-copy before writing: clone() the tensor, or aliasguard::deep_copy(dict) / "
     "clone each entry of a LibTorch dict."},
    {"aliasguard-stale-snapshot", "StaleSnapshot",
     "A snapshot taken from state_dict()/parameters() without a copy is used after the "
     "module changed",
     "A value kept from an alias source (state_dict, named_parameters, parameters, "
     "named_buffers, buffers, views, detach, data) shares storage with the module. After "
     "the module changes (optimizer step, in-place update, load_state_dict) it holds the "
     "new values, so restoring, saving, comparing or returning it as a snapshot is "
     "silently wrong.",
     "Take the snapshot with clone() or aliasguard::deep_copy(), or clone each entry of a "
     "LibTorch dict."},
};

llvm::StringRef level(const ClangTidyError &E) {
  switch (E.DiagLevel) {
  case ClangTidyError::Remark:
    return "note";
  case ClangTidyError::Warning:
    return "warning";
  case ClangTidyError::Error:
    return "error";
  }
  return "warning";
}

/// RFC 3986 path characters stay; everything else (spaces, '%', '#', non-ASCII bytes) is
/// percent-encoded.
std::string encodePath(llvm::StringRef Path) {
  std::string Out;
  for (const unsigned char C : Path) {
    if (llvm::isAlnum(C) || llvm::StringRef("-._~/!$&'()*+,;=:@").contains(C))
      Out += static_cast<char>(C);
    else
      Out += "%" + llvm::utohexstr(C, /*LowerCase=*/false, /*Width=*/2);
  }
  return Out;
}

std::string fileUri(llvm::StringRef AbsolutePath) {
  return "file://" + encodePath(llvm::sys::path::convert_to_slash(AbsolutePath));
}

/// Absolute, dot-free and, where the file exists, symlink-free.
std::string canonicalPath(llvm::StringRef Path, llvm::StringRef BaseDirectory) {
  llvm::SmallString<256> Absolute(Path);
  if (!llvm::sys::path::is_absolute(Absolute)) {
    if (!BaseDirectory.empty()) {
      llvm::SmallString<256> Joined(BaseDirectory);
      llvm::sys::path::append(Joined, Absolute);
      Absolute = Joined;
    } else
      llvm::sys::fs::make_absolute(Absolute);
  }
  llvm::sys::path::remove_dots(Absolute, /*remove_dot_dot=*/true);
  llvm::SmallString<256> Real;
  if (!llvm::sys::fs::real_path(Absolute, Real))
    return std::string(Real);
  return std::string(Absolute);
}

/// SARIF's columns count characters (columnKind unicodeCodePoints); Clang's count bytes.
unsigned codePointColumn(llvm::StringRef LineText, unsigned ByteColumn) {
  unsigned Column = 1;
  for (unsigned I = 0; I + 1 < ByteColumn && I < LineText.size(); ++I)
    if ((static_cast<unsigned char>(LineText[I]) & 0xC0) != 0x80)
      ++Column;
  return Column;
}

/// Builds the pieces of the log that depend on files: artifact locations and regions.
class LocationWriter {
public:
  explicit LocationWriter(const SarifOptions &Options)
      : Root(Options.SourceRoot.empty() ? std::string()
                                        : canonicalPath(Options.SourceRoot, "")) {}

  /// The file's URI as results use it: relative to %SRCROOT% when under the root.
  struct Artifact {
    std::string Uri;
    bool UnderRoot = false;
  };

  Artifact artifact(llvm::StringRef FilePath, llvm::StringRef BuildDirectory) {
    const std::string Path = canonicalPath(FilePath, BuildDirectory);
    if (!Root.empty() && llvm::StringRef(Path).starts_with(Root + "/"))
      return {encodePath(llvm::sys::path::convert_to_slash(
                  llvm::StringRef(Path).drop_front(Root.size() + 1))),
              true};
    return {fileUri(Path), false};
  }

  llvm::json::Object rootBase() const {
    return llvm::json::Object{{"uri", fileUri(Root) + "/"}};
  }

  /// A physicalLocation, or nothing for a message without a file. `LineText` receives the
  /// text of the start line (for fingerprints).
  std::optional<llvm::json::Object> physical(const DiagnosticMessage &M,
                                             llvm::StringRef BuildDirectory,
                                             std::string *Uri = nullptr,
                                             llvm::StringRef *LineText = nullptr) {
    if (M.FilePath.empty())
      return std::nullopt;
    const Artifact A = artifact(M.FilePath, BuildDirectory);
    llvm::json::Object ArtifactLocation{{"uri", A.Uri}};
    if (A.UnderRoot)
      ArtifactLocation["uriBaseId"] = "%SRCROOT%";
    llvm::json::Object Location{{"artifactLocation", std::move(ArtifactLocation)}};
    const Position Start = Files.locate(M.FilePath, M.FileOffset);
    if (Start.Line != 0) {
      llvm::json::Object Region{{"startLine", Start.Line},
                                {"startColumn", codePointColumn(Start.LineText, Start.Column)}};
      // The highlighted range that holds the diagnostic's location gives the end.
      for (const clang::tooling::FileByteRange &R : M.Ranges) {
        if (R.FilePath != M.FilePath || R.FileOffset > M.FileOffset ||
            M.FileOffset > R.FileOffset + R.Length)
          continue;
        const Position End = Files.locate(R.FilePath, R.FileOffset + R.Length);
        if (End.Line == 0)
          continue;
        Region["endLine"] = End.Line;
        Region["endColumn"] = codePointColumn(End.LineText, End.Column);
        break;
      }
      Location["region"] = std::move(Region);
    }
    if (Uri)
      *Uri = A.Uri;
    if (LineText)
      *LineText = Start.LineText;
    return Location;
  }

private:
  std::string Root;
  SourceFiles Files;
};

llvm::json::Object rule(const RuleInfo &Info) {
  const std::string DocsBase =
      llvm::StringRef(AG_REPOSITORY_URL).empty()
          ? fileUri(AG_SOURCE_DIR) + "/"
          : (llvm::StringRef(AG_REPOSITORY_URL).rtrim('/') + "/blob/main/").str();
  const std::string HelpUri = DocsBase + "docs/checks/" + Info.Id.str() + ".md";
  return llvm::json::Object{
      {"id", Info.Id},
      {"name", Info.Name},
      {"shortDescription", llvm::json::Object{{"text", Info.Short}}},
      {"fullDescription", llvm::json::Object{{"text", Info.Full}}},
      {"help",
       llvm::json::Object{
           {"text", (Info.Full + "\n\n" + Info.Fix + "\n\nSee " + HelpUri).str()},
           {"markdown", ("**" + Info.Short + "**\n\n" + Info.Full + "\n\n" + Info.Fix +
                         "\n\nDocumentation: [" + Info.Id + "](" + HelpUri + ")")
                            .str()}}},
      {"helpUri", HelpUri},
      {"defaultConfiguration", llvm::json::Object{{"level", "warning"}}},
      {"properties", llvm::json::Object{{"tags", llvm::json::Array{"correctness", "pytorch"}},
                                        {"precision", "high"},
                                        {"problem.severity", "warning"}}}};
}

/// A rule for a diagnostic that is not one of our checks (a compiler error).
llvm::json::Object otherRule(llvm::StringRef Id) {
  return llvm::json::Object{
      {"id", Id},
      {"shortDescription", llvm::json::Object{{"text", ("Clang diagnostic " + Id).str()}}},
      {"defaultConfiguration", llvm::json::Object{{"level", "error"}}}};
}

} // namespace

std::string defaultSourceRoot() {
  llvm::SmallString<256> Dir;
  if (llvm::sys::fs::current_path(Dir))
    return ".";
  for (llvm::StringRef D = Dir; !D.empty(); D = llvm::sys::path::parent_path(D)) {
    llvm::SmallString<256> Git(D);
    llvm::sys::path::append(Git, ".git"); // a directory, or a file in worktrees
    if (llvm::sys::fs::exists(Git))
      return D.str();
  }
  return std::string(Dir);
}

std::vector<std::string> fingerprints(llvm::ArrayRef<ClangTidyError> Errors,
                                      const FunctionExtents &Functions,
                                      const SarifOptions &Options) {
  LocationWriter Locations(Options);
  OccurrenceCounter Occurrences;
  std::vector<std::string> Result;
  for (const ClangTidyError &E : Errors) {
    std::string Uri;
    llvm::StringRef LineText;
    if (!Locations.physical(E.Message, E.BuildDirectory, &Uri, &LineText)) {
      Result.emplace_back();
      continue;
    }
    const llvm::StringRef Function =
        Functions.lookup(E.Message.FilePath, E.Message.FileOffset);
    Result.push_back(
        Occurrences.number(fingerprint(E.DiagnosticName, Uri, Function, LineText)));
  }
  return Result;
}

void writeSarif(llvm::ArrayRef<ClangTidyError> Errors, const FunctionExtents &Functions,
                llvm::ArrayRef<std::string> Fingerprints, const SarifOptions &Options,
                llvm::raw_ostream &OS) {
  LocationWriter Locations(Options);
  llvm::json::Array Rules;
  llvm::StringMap<unsigned> RuleIndex;
  for (const RuleInfo &Info : KnownRules) {
    RuleIndex[Info.Id] = static_cast<unsigned>(Rules.size());
    Rules.push_back(rule(Info));
  }

  llvm::json::Array Results;
  bool Successful = true;
  for (size_t Index = 0; Index < Errors.size(); ++Index) {
    const ClangTidyError &E = Errors[Index];
    Successful &= E.DiagLevel != ClangTidyError::Error;
    auto [It, Inserted] = RuleIndex.try_emplace(E.DiagnosticName, static_cast<unsigned>(Rules.size()));
    if (Inserted)
      Rules.push_back(otherRule(E.DiagnosticName));

    llvm::json::Object Result{{"ruleId", E.DiagnosticName},
                              {"ruleIndex", It->second},
                              {"level", level(E)},
                              {"message", llvm::json::Object{{"text", E.Message.Message}}}};
    if (auto Physical = Locations.physical(E.Message, E.BuildDirectory)) {
      const llvm::StringRef Function =
          Functions.lookup(E.Message.FilePath, E.Message.FileOffset);
      llvm::json::Object Location{{"physicalLocation", std::move(*Physical)}};
      if (!Function.empty())
        Location["logicalLocations"] = llvm::json::Array{
            llvm::json::Object{{"fullyQualifiedName", Function}, {"kind", "function"}}};
      Result["locations"] = llvm::json::Array{std::move(Location)};
      if (Index < Fingerprints.size() && !Fingerprints[Index].empty())
        Result["partialFingerprints"] =
            llvm::json::Object{{"aliasguardFingerprint/v1", Fingerprints[Index]}};
    }
    llvm::json::Array Related;
    for (const DiagnosticMessage &Note : E.Notes) {
      llvm::json::Object Location{{"id", Related.size()},
                                  {"message", llvm::json::Object{{"text", Note.Message}}}};
      if (auto Physical = Locations.physical(Note, E.BuildDirectory))
        Location["physicalLocation"] = std::move(*Physical);
      Related.push_back(std::move(Location));
    }
    if (!Related.empty())
      Result["relatedLocations"] = std::move(Related);
    Results.push_back(std::move(Result));
  }

  llvm::json::Object Driver{{"name", "aliasguard-check"},
                            {"version", AG_VERSION},
                            {"semanticVersion", AG_VERSION},
                            {"informationUri",
                             llvm::StringRef(AG_REPOSITORY_URL).empty()
                                 ? fileUri(AG_SOURCE_DIR) + "/analyzer/README.md"
                                 : std::string(AG_REPOSITORY_URL)},
                            {"rules", std::move(Rules)}};
  llvm::json::Object Run{
      {"tool", llvm::json::Object{{"driver", std::move(Driver)}}},
      {"invocations", llvm::json::Array{llvm::json::Object{{"executionSuccessful", Successful}}}},
      {"columnKind", "unicodeCodePoints"},
      {"results", std::move(Results)}};
  if (!Options.SourceRoot.empty())
    Run["originalUriBaseIds"] = llvm::json::Object{{"%SRCROOT%", Locations.rootBase()}};
  const llvm::json::Value Log = llvm::json::Object{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", llvm::json::Array{std::move(Run)}}};
  OS << llvm::formatv("{0:2}", Log) << '\n';
}

} // namespace aliasguard::cli
