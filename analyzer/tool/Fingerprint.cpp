//===--- Fingerprint.cpp --------------------------------------------------===//

#include "Fingerprint.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SHA256.h"

namespace aliasguard::cli {

namespace {

// Leading and trailing whitespace removed, inner runs (ASCII whitespace: space, \t, \n, \v,
// \f, \r) collapsed to one space, so that reindenting a line keeps its fingerprint.
std::string collapseWhitespace(llvm::StringRef Text) {
  std::string Out;
  for (const char C : Text.trim()) {
    if (llvm::isSpace(C)) {
      if (!Out.empty() && Out.back() != ' ')
        Out += ' ';
    } else {
      Out += C;
    }
  }
  return Out;
}

} // namespace

std::string fingerprint(llvm::StringRef RuleId, llvm::StringRef Uri, llvm::StringRef Function,
                        llvm::StringRef LineText) {
  const std::string Snippet = collapseWhitespace(LineText);
  llvm::SHA256 Hash;
  for (const llvm::StringRef Part : {RuleId, Uri, Function, llvm::StringRef(Snippet)}) {
    Hash.update(Part);
    Hash.update(llvm::ArrayRef<uint8_t>{0});
  }
  const auto Digest = Hash.final();
  return llvm::toHex(llvm::ArrayRef<uint8_t>(Digest).take_front(16), /*LowerCase=*/true);
}

} // namespace aliasguard::cli
