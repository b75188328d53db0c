// parse_options: every flag type, separators and quoting, and errors that name the flag.
// (Start-up behaviour — precedence, exit status 1, help=1 — is run_probe.py's.)

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "options.h"

namespace aliasguard::tracker::detail {
namespace {

Options parsed(const std::string& text) {
  Options o;
  const std::string error = parse_options(text, o);
  EXPECT_EQ(error, "") << "parsing '" << text << "'";
  return o;
}

std::string error_of(const std::string& text) {
  Options o;
  return parse_options(text, o);
}

TEST(OptionsParse, EmptyTextKeepsTheBuiltInDefaults) {
  const Options o = parsed("");
  EXPECT_FALSE(o.halt_on_error);
  EXPECT_EQ(o.exitcode, 23);
  EXPECT_EQ(o.log_path, "");
  EXPECT_EQ(o.suppressions, "");
  EXPECT_EQ(o.report_format, ReportFormat::Text);
  EXPECT_EQ(o.detect, DetectMode::Read);
  EXPECT_EQ(o.domains, DomainMode::Owner);
  EXPECT_EQ(o.max_reports, 100);
  EXPECT_TRUE(o.dedup);
  EXPECT_TRUE(o.print_summary);
  EXPECT_EQ(o.dump_alias_graph, "");
  EXPECT_EQ(o.stack_depth, 0);
  EXPECT_FALSE(o.help);
}

TEST(OptionsParse, BoolAcceptsEveryFormAndNothingElse) {
  for (const char* yes : {"1", "true", "yes"}) EXPECT_TRUE(parsed(std::string("halt_on_error=") + yes).halt_on_error);
  for (const char* no : {"0", "false", "no"}) EXPECT_FALSE(parsed(std::string("dedup=") + no).dedup);
  for (const char* bad : {"2", "TRUE", "on", "", "1x"}) {
    EXPECT_EQ(error_of(std::string("print_summary=") + bad),
              std::string("flag 'print_summary' expects 0|1|true|false|yes|no, got '") + bad + "'");
  }
}

TEST(OptionsParse, IntIsDecimalWithinTheFlagsRange) {
  EXPECT_EQ(parsed("exitcode=0").exitcode, 0);
  EXPECT_EQ(parsed("exitcode=255").exitcode, 255);
  EXPECT_EQ(parsed("max_reports=0").max_reports, 0);
  EXPECT_EQ(parsed("max_reports=1000000").max_reports, 1000000);
  EXPECT_EQ(parsed("stack_depth=64").stack_depth, 64);
  EXPECT_EQ(error_of("exitcode=256"), "flag 'exitcode' expects an integer in 0..255, got '256'");
  EXPECT_EQ(error_of("exitcode=-1"), "flag 'exitcode' expects an integer in 0..255, got '-1'");
  EXPECT_EQ(error_of("exitcode=0x10"), "flag 'exitcode' expects an integer in 0..255, got '0x10'");
  EXPECT_EQ(error_of("exitcode="), "flag 'exitcode' expects an integer in 0..255, got ''");
  EXPECT_EQ(error_of("stack_depth=65"), "flag 'stack_depth' expects an integer in 0..64, got '65'");
  EXPECT_EQ(error_of("max_reports=-1"), "flag 'max_reports' expects an integer in 0.., got '-1'");
  EXPECT_EQ(error_of("max_reports=99999999999999999999"),
            "flag 'max_reports' expects an integer in 0.., got '99999999999999999999'");
}

TEST(OptionsParse, EnumsTakeTheirWords) {
  EXPECT_EQ(parsed("detect=write").detect, DetectMode::Write);
  EXPECT_EQ(parsed("detect=read").detect, DetectMode::Read);
  EXPECT_EQ(parsed("domains=handle").domains, DomainMode::Handle);
  EXPECT_EQ(parsed("domains=owner").domains, DomainMode::Owner);
  EXPECT_EQ(parsed("report_format=json").report_format, ReportFormat::Json);
  EXPECT_EQ(parsed("report_format=text").report_format, ReportFormat::Text);
  EXPECT_EQ(error_of("detect=wrte"), "flag 'detect' expects read|write, got 'wrte'");
  EXPECT_EQ(error_of("domains=Owner"), "flag 'domains' expects owner|handle, got 'Owner'");
  EXPECT_EQ(error_of("report_format=xml"), "flag 'report_format' expects text|json, got 'xml'");
}

TEST(OptionsParse, StringsAreTakenAsWrittenAndMayBeQuoted) {
  EXPECT_EQ(parsed("log_path=/tmp/ag.log").log_path, "/tmp/ag.log");
  EXPECT_EQ(parsed("suppressions=supp.txt").suppressions, "supp.txt");
  EXPECT_EQ(parsed("dump_alias_graph=g.dot").dump_alias_graph, "g.dot");
  EXPECT_EQ(parsed("log_path=").log_path, "");
  EXPECT_EQ(parsed("log_path='a:b, c'").log_path, "a:b, c");
  EXPECT_EQ(parsed("log_path=\"x'y\":exitcode=4").log_path, "x'y");
  EXPECT_EQ(error_of("log_path='abc"), "flag 'log_path': unterminated quoted value");
  EXPECT_EQ(error_of("log_path='a'b"), "flag 'log_path': text after the closing quote");
}

TEST(OptionsParse, PairsAreSeparatedByColonsCommasOrWhitespace) {
  const Options o = parsed("halt_on_error=1:exitcode=5,max_reports=2 detect=write\tdomains=handle\nhelp=1::,");
  EXPECT_TRUE(o.halt_on_error);
  EXPECT_EQ(o.exitcode, 5);
  EXPECT_EQ(o.max_reports, 2);
  EXPECT_EQ(o.detect, DetectMode::Write);
  EXPECT_EQ(o.domains, DomainMode::Handle);
  EXPECT_TRUE(o.help);
}

TEST(OptionsParse, LaterSettingsWinAndUnmentionedFlagsAreKept) {
  // How the three layers combine: each parse goes over the previous result.
  Options o;
  ASSERT_EQ(parse_options("exitcode=9:dedup=0", o), "");  // as from __aliasguard_default_options()
  ASSERT_EQ(parse_options("exitcode=5", o), "");          // as from ALIASGUARD_OPTIONS
  EXPECT_EQ(o.exitcode, 5);
  EXPECT_FALSE(o.dedup);
  EXPECT_EQ(parsed("exitcode=3:exitcode=4").exitcode, 4);
}

TEST(OptionsParse, UnknownAndMalformedItemsAreErrorsNamingThem) {
  EXPECT_EQ(error_of("xyz=1"), "unknown flag 'xyz'");
  EXPECT_EQ(error_of("exitcode=3:halt_on_eror=1"), "unknown flag 'halt_on_eror'");
  EXPECT_EQ(error_of("=1"), "unknown flag ''");
  EXPECT_EQ(error_of("halt_on_error"), "expected name=value, got 'halt_on_error'");
  EXPECT_EQ(error_of("exitcode=1:help"), "expected name=value, got 'help'");
}

// Every flag of flags.inc is known to the parser, and every non-string flag rejects garbage.
TEST(OptionsParse, EveryFlagInTheTableIsParsed) {
  int flags = 0;
#define AG_FLAG(Type, Name, Default, Description)                                                      \
  {                                                                                                    \
    ++flags;                                                                                           \
    const std::string error = error_of(#Name "=not-a-value");                                          \
    if (std::string(#Type) == "string") {                                                              \
      EXPECT_EQ(error, "") << #Name;                                                                   \
    } else {                                                                                           \
      EXPECT_EQ(error.rfind("flag '" #Name "' expects ", 0), 0u) << #Name << ": " << error;            \
    }                                                                                                  \
  }
#include "flags.inc"
#undef AG_FLAG
  EXPECT_GE(flags, 13);
}

TEST(OptionsParse, TheProcessOptionsAreTheEnvironmentsOrTheDefaults) {
  if (std::getenv("ALIASGUARD_OPTIONS") != nullptr) GTEST_SKIP() << "ALIASGUARD_OPTIONS is set";
  const Options& o = options();
  EXPECT_EQ(o.exitcode, 23);
  EXPECT_EQ(&o, &options());  // parsed once
}

}  // namespace
}  // namespace aliasguard::tracker::detail
