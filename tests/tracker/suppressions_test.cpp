// Suppressions: the file format, its errors, and what each form of pattern matches.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "suppressions.h"

namespace aliasguard::tracker::detail {
namespace {

using check::Kind;

check::Violation sample() {
  check::Violation v;
  v.kind = Kind::StaleSnapshotRead;
  v.observer = {"snapshot #1", "fc.weight", "/home/u/proj/examples/train.cpp", 101, "int main()", 0, 16, 4, {}};
  v.observer_created_file = "/home/u/proj/examples/checkpoint.cpp";
  v.observer_created_line = 93;
  v.write = {"module", "layers.0.bias", "/home/u/proj/src/optim/sgd.cpp", 57,
             "void optim::SGD::step(const Options&) const", 0, 16, 3, {}};
  v.storage_id = 7;
  v.device = "cpu";
  v.storage_bytes = 16;
  return v;
}

Suppressions parsed(const std::string& text) {
  Suppressions s;
  EXPECT_EQ(s.parse(text, "supp.txt"), "");
  return s;
}

bool suppressed(const std::string& text, const check::Violation& v = sample()) {
  return parsed(text).match(v) != nullptr;
}

TEST(Glob, StarMatchesAnyRunAndTheRestMatchesWhole) {
  EXPECT_TRUE(glob_match("abc", "abc"));
  EXPECT_FALSE(glob_match("abc", "abcd"));
  EXPECT_FALSE(glob_match("bc", "abc"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("a*c", "ac"));
  EXPECT_TRUE(glob_match("a*c", "abbbc"));
  EXPECT_FALSE(glob_match("a*c", "abbbcd"));
  EXPECT_TRUE(glob_match("*.cpp", "x.cpp.cpp"));
  EXPECT_TRUE(glob_match("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXcYb"));
  EXPECT_TRUE(glob_match("**x", "yx"));
  EXPECT_FALSE(glob_match("", "x"));
}

TEST(ShortFunctionName, DropsReturnTypeParametersAndQualifiers) {
  EXPECT_EQ(short_function_name("int main()"), "main");
  EXPECT_EQ(short_function_name("main"), "main");
  EXPECT_EQ(short_function_name("void optim::SGD::step(const Options&) const"), "optim::SGD::step");
  EXPECT_EQ(short_function_name("std::vector<int, std::allocator<int> > make(int)"), "make");
  EXPECT_EQ(short_function_name("void f(T) [with T = int]"), "f");
  EXPECT_EQ(short_function_name("void {anonymous}::evaluate(Planted&)"), "evaluate");
  EXPECT_EQ(short_function_name("void run(void (*)(int))"), "run");
  EXPECT_EQ(short_function_name("main()::<lambda()>"), "main()::<lambda()>");
  EXPECT_EQ(short_function_name(""), "");
}

TEST(SuppressionsParse, ReadsKindsPatternsCommentsAndBlankLines) {
  const Suppressions s = parsed(
      "# leading comment\n"
      "\n"
      "stale-snapshot-read:train.cpp\n"
      "  write-through-snapshot : evaluate  \r\n"
      "   # indented comment\n"
      "shared-write:fc.*\n"
      "*:ns::f\n");
  ASSERT_EQ(s.rules().size(), 4u);
  EXPECT_EQ(s.rules()[0].kind, Kind::StaleSnapshotRead);
  EXPECT_EQ(s.rules()[0].pattern, "train.cpp");
  EXPECT_EQ(s.rules()[0].line, 3u);
  EXPECT_EQ(s.rules()[1].kind, Kind::WriteThroughSnapshot);
  EXPECT_EQ(s.rules()[1].pattern, "evaluate");
  EXPECT_EQ(s.rules()[2].kind, Kind::SharedWrite);
  EXPECT_FALSE(s.rules()[3].kind.has_value());
  EXPECT_EQ(s.rules()[3].pattern, "ns::f");  // split at the first ':' only
  EXPECT_TRUE(parsed("").rules().empty());
}

TEST(SuppressionsParse, ErrorsNameTheFileAndLine) {
  Suppressions s;
  EXPECT_EQ(s.parse("# ok\nstale-snapshot-read:x\nstale-read:x.cpp\n", "supp.txt"),
            "supp.txt:3: unknown kind 'stale-read' (expected stale-snapshot-read, write-through-snapshot, "
            "shared-write, stale-kept-read or *)");
  EXPECT_EQ(s.parse("\n\njust-a-pattern\n", "f"), "f:3: expected kind:pattern, got 'just-a-pattern'");
  EXPECT_EQ(s.parse("shared-write:   \n", "f"), "f:1: empty pattern after 'shared-write:'");
  EXPECT_TRUE(s.rules().empty());  // a file with an error adds nothing
}

TEST(SuppressionsLoad, ReadsAFileAndNamesAMissingOne) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string path = (dir / ("ag_supp_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                   ".txt")).string();
  std::ofstream(path) << "# x\n*:fc.weight\nbogus\n";
  Suppressions s;
  EXPECT_EQ(s.load(path), "suppressions file " + path + ":3: expected kind:pattern, got 'bogus'");
  std::ofstream(path) << "*:fc.weight\n";
  EXPECT_EQ(s.load(path), "");
  EXPECT_NE(s.match(sample()), nullptr);
  std::remove(path.c_str());
  const std::string error = Suppressions().load(path);
  EXPECT_EQ(error.rfind("cannot read suppressions file '" + path + "': ", 0), 0u) << error;
}

TEST(SuppressionsMatch, OriginFileByFullPathOrAnySuffixAfterASlash) {
  EXPECT_TRUE(suppressed("stale-snapshot-read:/home/u/proj/examples/train.cpp"));
  EXPECT_TRUE(suppressed("stale-snapshot-read:examples/train.cpp"));
  EXPECT_TRUE(suppressed("stale-snapshot-read:train.cpp"));
  EXPECT_TRUE(suppressed("stale-snapshot-read:sgd.cpp"));         // the write's file
  EXPECT_TRUE(suppressed("stale-snapshot-read:checkpoint.cpp"));  // where the handle was made
  EXPECT_FALSE(suppressed("stale-snapshot-read:rain.cpp"));       // not a whole path component
  EXPECT_FALSE(suppressed("stale-snapshot-read:examples"));
  EXPECT_TRUE(suppressed("stale-snapshot-read:*/examples/*"));
  EXPECT_TRUE(suppressed("stale-snapshot-read:/home/*/train.cpp"));
  EXPECT_TRUE(suppressed("stale-snapshot-read:tr*.cpp"));
}

TEST(SuppressionsMatch, FunctionAsWrittenShortOrAnyScopeSuffix) {
  EXPECT_TRUE(suppressed("stale-snapshot-read:main"));
  EXPECT_TRUE(suppressed("stale-snapshot-read:int main()"));
  EXPECT_TRUE(suppressed("stale-snapshot-read:optim::SGD::step"));
  EXPECT_TRUE(suppressed("stale-snapshot-read:SGD::step"));
  EXPECT_TRUE(suppressed("stale-snapshot-read:step"));
  EXPECT_TRUE(suppressed("stale-snapshot-read:optim::*"));
  EXPECT_FALSE(suppressed("stale-snapshot-read:SGD"));
  EXPECT_FALSE(suppressed("stale-snapshot-read:ste"));
}

TEST(SuppressionsMatch, PythonQualifiedNameOrAnySuffixAfterADot) {
  check::Violation v = sample();
  v.observer.file = "/home/u/proj/train.py";
  v.observer.function = "Trainer.restore_best";
  v.write.function = "<module>";
  EXPECT_TRUE(suppressed("stale-snapshot-read:Trainer.restore_best", v));
  EXPECT_TRUE(suppressed("stale-snapshot-read:restore_best", v));
  EXPECT_TRUE(suppressed("stale-snapshot-read:Trainer.*", v));
  EXPECT_TRUE(suppressed("stale-snapshot-read:train.py", v));
  EXPECT_TRUE(suppressed("stale-snapshot-read:<module>", v));
  EXPECT_FALSE(suppressed("stale-snapshot-read:Trainer", v));
  EXPECT_FALSE(suppressed("stale-snapshot-read:restore", v));
}

TEST(SuppressionsMatch, LabelOfEitherSide) {
  EXPECT_TRUE(suppressed("stale-snapshot-read:fc.weight"));
  EXPECT_TRUE(suppressed("stale-snapshot-read:layers.0.bias"));
  EXPECT_TRUE(suppressed("stale-snapshot-read:layers.*"));
  EXPECT_TRUE(suppressed("stale-snapshot-read:*.weight"));
  EXPECT_FALSE(suppressed("stale-snapshot-read:fc"));
  EXPECT_FALSE(suppressed("stale-snapshot-read:fc.bias"));
}

TEST(SuppressionsMatch, KindMustMatchUnlessStar) {
  EXPECT_FALSE(suppressed("write-through-snapshot:fc.weight"));
  EXPECT_FALSE(suppressed("shared-write:*"));
  EXPECT_TRUE(suppressed("*:fc.weight"));
  EXPECT_TRUE(suppressed("*:*"));
  check::Violation v = sample();
  v.kind = Kind::SharedWrite;
  EXPECT_TRUE(suppressed("shared-write:*", v));
  EXPECT_FALSE(suppressed("stale-snapshot-read:*", v));
}

TEST(SuppressionsMatch, UnknownOriginsMatchNothingButAStarStillMatchesTheLabel) {
  check::Violation v;
  v.observer.label = "k";
  EXPECT_FALSE(suppressed("*:main", v));
  EXPECT_FALSE(suppressed("*:x.cpp", v));
  EXPECT_TRUE(suppressed("*:k", v));
  v.observer.label.clear();
  EXPECT_FALSE(suppressed("*:*", v));  // nothing known to match against
}

TEST(SuppressionsMatch, TheFirstMatchingRuleIsReturned) {
  const Suppressions s = parsed("write-through-snapshot:*\n# c\nstale-snapshot-read:nomatch\n*:train.cpp\n*:*\n");
  const Suppression* rule = s.match(sample());
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->line, 4u);
}

}  // namespace
}  // namespace aliasguard::tracker::detail
