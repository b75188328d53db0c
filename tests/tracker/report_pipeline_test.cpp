// report(): suppression, de-duplication, counting, max_reports, log_path, and what
// check::violations() / check::reset() see.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include "aliasguard/tracker/violation.h"
#include "report.h"
#include "report_format.h"

namespace aliasguard::tracker::detail {
namespace {

using testing::internal::CaptureStderr;
using testing::internal::GetCapturedStderr;

check::Violation at(unsigned read_line, unsigned write_line = 10, const char* key = "fc.weight") {
  check::Violation v;
  v.kind = check::Kind::StaleSnapshotRead;
  v.observer = {"snapshot #1", key, "train.cpp", read_line, "int main()", 0, 16, 2, {}};
  v.write = {"module", key, "train.cpp", write_line, "int main()", 0, 16, 1, {}};
  v.storage_id = 3;
  v.device = "cpu";
  v.storage_bytes = 16;
  return v;
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t i = text.find(what); i != std::string::npos; i = text.find(what, i + 1)) ++n;
  return n;
}

class ReportPipeline : public testing::Test {
 protected:
  void SetUp() override { check::reset(); }
  // Leaves nothing counted, so the at-exit handler does not change the test's exit code.
  void TearDown() override { check::reset(); }

  Options options_;
  Suppressions none_;
};

TEST_F(ReportPipeline, CountsRecordsAndPrints) {
  CaptureStderr();
  EXPECT_TRUE(report_with(options_, none_, at(20)));
  const std::string err = GetCapturedStderr();
  EXPECT_EQ(count_of(err, "WARNING: AliasGuard: stale-snapshot-read on storage #3"), 1u) << err;
  EXPECT_EQ(err, format_text(at(20), TextStyle{false, false, static_cast<long>(getpid())}));
  const auto recorded = check::violations();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].observer.line, 20u);
  EXPECT_EQ(recorded[0].write.label, "fc.weight");
  EXPECT_EQ(report_counts().reported, 1u);
  EXPECT_EQ(report_counts().printed, 1u);
}

TEST_F(ReportPipeline, DedupKeysOnKindAndBothSites) {
  CaptureStderr();
  EXPECT_TRUE(report_with(options_, none_, at(20)));
  EXPECT_FALSE(report_with(options_, none_, at(20)));        // same sites
  EXPECT_FALSE(report_with(options_, none_, at(20, 10, "other")));  // the key is not part of it
  EXPECT_TRUE(report_with(options_, none_, at(21)));         // another read site
  EXPECT_TRUE(report_with(options_, none_, at(20, 11)));     // another write site
  check::Violation other_kind = at(20);
  other_kind.kind = check::Kind::WriteThroughSnapshot;
  EXPECT_TRUE(report_with(options_, none_, other_kind));
  const std::string err = GetCapturedStderr();
  EXPECT_EQ(count_of(err, "SUMMARY:"), 4u);
  EXPECT_EQ(check::violations().size(), 4u);
  EXPECT_EQ(report_counts().reported, 4u);
}

TEST_F(ReportPipeline, DedupOffCountsEveryOne) {
  options_.dedup = false;
  CaptureStderr();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(report_with(options_, none_, at(20)));
  EXPECT_EQ(count_of(GetCapturedStderr(), "SUMMARY:"), 3u);
  EXPECT_EQ(check::violations().size(), 3u);
}

TEST_F(ReportPipeline, MaxReportsLimitsPrintingNotCounting) {
  options_.max_reports = 2;
  CaptureStderr();
  for (unsigned line = 1; line <= 5; ++line) EXPECT_TRUE(report_with(options_, none_, at(line)));
  const std::string err = GetCapturedStderr();
  EXPECT_EQ(count_of(err, "SUMMARY:"), 2u);
  EXPECT_EQ(count_of(err, "AliasGuard: max_reports=2 reached: further violations are counted, not printed\n"), 1u);
  EXPECT_EQ(report_counts().reported, 5u);
  EXPECT_EQ(report_counts().printed, 2u);
  EXPECT_EQ(check::violations().size(), 5u);

  options_.max_reports = 0;  // no limit
  CaptureStderr();
  for (unsigned line = 6; line <= 9; ++line) report_with(options_, none_, at(line));
  EXPECT_EQ(count_of(GetCapturedStderr(), "SUMMARY:"), 4u);
}

TEST_F(ReportPipeline, SuppressedViolationsAreCountedApartAndNotRecorded) {
  Suppressions s;
  ASSERT_EQ(s.parse("stale-snapshot-read:fc.bias\n", "s"), "");
  CaptureStderr();
  EXPECT_FALSE(report_with(options_, s, at(20, 10, "fc.bias")));
  EXPECT_FALSE(report_with(options_, s, at(20, 10, "fc.bias")));
  EXPECT_TRUE(report_with(options_, s, at(20, 10, "fc.weight")));
  const std::string err = GetCapturedStderr();
  EXPECT_EQ(count_of(err, "SUMMARY:"), 1u);
  EXPECT_EQ(err.find("fc.bias"), std::string::npos);
  EXPECT_EQ(report_counts().suppressed, 2u);
  EXPECT_EQ(report_counts().reported, 1u);
  ASSERT_EQ(check::violations().size(), 1u);
  EXPECT_EQ(check::violations()[0].observer.label, "fc.weight");
}

TEST_F(ReportPipeline, ResetForgetsViolationsCountsAndTheDedupSet) {
  CaptureStderr();
  report_with(options_, none_, at(20));
  check::reset();
  EXPECT_TRUE(check::violations().empty());
  EXPECT_EQ(report_counts().reported, 0u);
  EXPECT_EQ(report_counts().printed, 0u);
  EXPECT_TRUE(report_with(options_, none_, at(20)));  // no longer a duplicate
  GetCapturedStderr();
  EXPECT_EQ(check::violations().size(), 1u);
}

TEST_F(ReportPipeline, JsonIsOneLinePerViolation) {
  options_.report_format = ReportFormat::Json;
  options_.max_reports = 1;
  CaptureStderr();
  report_with(options_, none_, at(20));
  report_with(options_, none_, at(21));
  const std::string err = GetCapturedStderr();
  EXPECT_EQ(err, format_json(at(20)));  // and no max_reports note in a JSON stream
  EXPECT_EQ(report_counts().reported, 2u);
}

TEST_F(ReportPipeline, LogPathAppendsToPathDotPid) {
  const std::string base = (std::filesystem::temp_directory_path() /
                            ("ag_report_log_" + std::to_string(getpid())))
                               .string();
  const std::string file = base + "." + std::to_string(getpid());
  std::remove(file.c_str());
  std::ofstream(file) << "earlier line\n";
  options_.log_path = base;
  CaptureStderr();
  report_with(options_, none_, at(20));
  report_with(options_, none_, at(21));
  EXPECT_EQ(GetCapturedStderr(), "");
  std::stringstream text;
  text << std::ifstream(file).rdbuf();
  EXPECT_EQ(text.str().rfind("earlier line\n", 0), 0u);
  EXPECT_EQ(count_of(text.str(), "SUMMARY:"), 2u);
  std::remove(file.c_str());

  options_.log_path = "/nonexistent-dir/ag";
  CaptureStderr();
  report_with(options_, none_, at(22));
  const std::string err = GetCapturedStderr();
  EXPECT_EQ(err.rfind("AliasGuard: ERROR: cannot open log file '/nonexistent-dir/ag." + std::to_string(getpid()) +
                          "': ",
                      0),
            0u)
      << err;
  EXPECT_EQ(count_of(err, "SUMMARY:"), 1u);  // and the report went to stderr
  options_.log_path.clear();
  CaptureStderr();
  report_with(options_, none_, at(23));
  EXPECT_EQ(count_of(GetCapturedStderr(), "SUMMARY:"), 1u);
}

TEST_F(ReportPipeline, ReportUsesTheProcessOptions) {
  if (std::getenv("ALIASGUARD_OPTIONS") != nullptr) GTEST_SKIP() << "ALIASGUARD_OPTIONS is set";
  CaptureStderr();
  EXPECT_TRUE(report(at(30)));
  EXPECT_FALSE(report(at(30)));  // dedup=1 by default
  EXPECT_EQ(count_of(GetCapturedStderr(), "SUMMARY:"), 1u);
  EXPECT_EQ(check::violations().size(), 1u);
}

TEST(Check, IsEnabledInTheTracker) { EXPECT_TRUE(check::enabled()); }

}  // namespace
}  // namespace aliasguard::tracker::detail
