//===--- SarifOutput.h - SARIF 2.1.0 output of findings -------------------===//
//
// One run, in the shape GitHub code scanning accepts: tool.driver with the rules, results
// with repository-relative locations (uriBaseId %SRCROOT%), the notes as
// relatedLocations, and partialFingerprints that survive line shifts (recipe in
// analyzer/README.md, "SARIF output").
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_SARIFOUTPUT_H
#define AG_ANALYZER_SARIFOUTPUT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
#include <string>
#include <vector>

namespace clang::tidy {
struct ClangTidyError;
} // namespace clang::tidy

namespace aliasguard::cli {

class FunctionExtents;

/// Where result URIs are relative to.
struct SarifOptions {
  std::string SourceRoot; ///< absolute; files under it get %SRCROOT%-relative URIs
};

/// The directory holding `.git` at or above the current directory (a repository's top
/// level, as `git rev-parse --show-toplevel` finds it), else the current directory.
std::string defaultSourceRoot();

/// The `aliasguardFingerprint/v1` value of each finding (Fingerprint.h), `HASH:N` (N counts
/// equal hashes in order), or "" for a finding without a file. Baselines record the same
/// values.
std::vector<std::string> fingerprints(llvm::ArrayRef<clang::tidy::ClangTidyError> Errors,
                                      const FunctionExtents &Functions,
                                      const SarifOptions &Options);

/// Writes a SARIF 2.1.0 log of `Errors`; `Functions` names the function around each and
/// `Fingerprints` holds their partialFingerprints (from fingerprints(), computed over every
/// finding of the run before any was filtered out).
void writeSarif(llvm::ArrayRef<clang::tidy::ClangTidyError> Errors,
                const FunctionExtents &Functions, llvm::ArrayRef<std::string> Fingerprints,
                const SarifOptions &Options, llvm::raw_ostream &OS);

} // namespace aliasguard::cli

#endif // AG_ANALYZER_SARIFOUTPUT_H
