// aliasguard-check's fingerprint (analyzer/tool/Fingerprint.h) against the shared vectors in
// fingerprint-vectors.json, which tools/aliasguard-report is held to as well (tests/report).

#include "Fingerprint.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace {

llvm::json::Value readVectors() {
  auto Text = llvm::MemoryBuffer::getFile(AG_FINGERPRINT_VECTORS);
  if (!Text) {
    ADD_FAILURE() << "cannot read " << AG_FINGERPRINT_VECTORS << ": "
                  << Text.getError().message();
    return nullptr;
  }
  auto Parsed = llvm::json::parse((*Text)->getBuffer());
  if (!Parsed) {
    ADD_FAILURE() << AG_FINGERPRINT_VECTORS << ": " << llvm::toString(Parsed.takeError());
    return nullptr;
  }
  return std::move(*Parsed);
}

const llvm::json::Array *section(const llvm::json::Value &Vectors, llvm::StringRef Name) {
  const llvm::json::Object *Top = Vectors.getAsObject();
  return Top ? Top->getArray(Name) : nullptr;
}

std::string field(const llvm::json::Object &Vector, llvm::StringRef Name) {
  const std::optional<llvm::StringRef> Value = Vector.getString(Name);
  EXPECT_TRUE(Value.has_value()) << "a vector without a string '" << Name.str() << "'";
  return Value ? Value->str() : std::string();
}

std::vector<std::string> strings(const llvm::json::Object &Vector, llvm::StringRef Name) {
  std::vector<std::string> Out;
  const llvm::json::Array *Values = Vector.getArray(Name);
  EXPECT_NE(Values, nullptr) << "a vector without a list '" << Name.str() << "'";
  if (Values)
    for (const llvm::json::Value &V : *Values)
      Out.push_back(V.getAsString().value_or("").str());
  return Out;
}

TEST(FingerprintVectors, Fingerprint) {
  const llvm::json::Value Vectors = readVectors();
  const llvm::json::Array *Cases = section(Vectors, "fingerprints");
  ASSERT_NE(Cases, nullptr) << "no \"fingerprints\" list in " << AG_FINGERPRINT_VECTORS;
  ASSERT_GE(Cases->size(), 10u);
  for (const llvm::json::Value &Case : *Cases) {
    const llvm::json::Object *Vector = Case.getAsObject();
    ASSERT_NE(Vector, nullptr);
    EXPECT_EQ(aliasguard::cli::fingerprint(field(*Vector, "rule"), field(*Vector, "uri"),
                                           field(*Vector, "function"), field(*Vector, "line")),
              field(*Vector, "expected"))
        << field(*Vector, "name");
  }
}

TEST(FingerprintVectors, Occurrences) {
  const llvm::json::Value Vectors = readVectors();
  const llvm::json::Array *Cases = section(Vectors, "occurrences");
  ASSERT_NE(Cases, nullptr) << "no \"occurrences\" list in " << AG_FINGERPRINT_VECTORS;
  ASSERT_FALSE(Cases->empty());
  for (const llvm::json::Value &Case : *Cases) {
    const llvm::json::Object *Vector = Case.getAsObject();
    ASSERT_NE(Vector, nullptr);
    aliasguard::cli::OccurrenceCounter Counter;
    std::vector<std::string> Numbered;
    for (const std::string &Hash : strings(*Vector, "hashes"))
      Numbered.push_back(Counter.number(Hash));
    EXPECT_EQ(Numbered, strings(*Vector, "expected")) << field(*Vector, "name");
  }
}

} // namespace
