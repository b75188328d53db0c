//===--- Fingerprint.h - SARIF partialFingerprints of findings -----------===//
//
// `aliasguardFingerprint/v1`, the fingerprint that SARIF logs and baselines carry (recipe in
// analyzer/README.md, "Fingerprints"). tools/aliasguard-report computes its runtime
// fingerprints with the same recipe in Python; tests/analyzer/sarif/fingerprint-vectors.json
// holds both to the same values.
//
//===----------------------------------------------------------------------===//

#ifndef AG_ANALYZER_FINGERPRINT_H
#define AG_ANALYZER_FINGERPRINT_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include <string>

namespace aliasguard::cli {

/// The fingerprint before its occurrence suffix: SHA-256 (first 16 bytes, hex) of rule id,
/// repository-relative URI, enclosing function and the flagged line with its whitespace
/// collapsed, each followed by a NUL byte.
std::string fingerprint(llvm::StringRef RuleId, llvm::StringRef Uri, llvm::StringRef Function,
                        llvm::StringRef LineText);

/// Numbers equal fingerprints in the order they come (`HASH:1`, `HASH:2`, ...), so that the
/// same line flagged twice in one function gives two values, as GitHub does for its own
/// line hashes.
class OccurrenceCounter {
public:
  std::string number(llvm::StringRef Hash) {
    return Hash.str() + ":" + std::to_string(++Seen[Hash]);
  }

private:
  llvm::StringMap<unsigned> Seen;
};

} // namespace aliasguard::cli

#endif // AG_ANALYZER_FINGERPRINT_H
