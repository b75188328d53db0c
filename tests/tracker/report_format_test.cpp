// The report layouts: the sanitizer-style text block (exactly) and JSON (escaping, round trip).

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "report_format.h"

namespace aliasguard::tracker::detail {
namespace {

using check::Kind;

check::Violation seed_violation() {
  check::Violation v;
  v.kind = Kind::StaleSnapshotRead;
  v.observer = {"snapshot #1", "fc.weight", "examples/seed_state_dict.cpp", 101, "int main()", 0, 16, 4, {}};
  v.observer_created_file = "examples/seed_state_dict.cpp";
  v.observer_created_line = 93;
  v.write = {"module", "fc.weight", "examples/seed_state_dict.cpp", 97, "int main()", 0, 16, 3, {}};
  v.storage_id = 7;
  v.device = "cpu";
  v.storage_bytes = 16;
  return v;
}

std::size_t count_of_lines(const std::string& text, const std::string& prefix) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); i = text.find('\n', i) + 1) {
    if (text.compare(i, prefix.size(), prefix) == 0) ++n;
    if (text.find('\n', i) == std::string::npos) break;
  }
  return n;
}

const std::string kSep = "=================================================================\n";

TEST(ReportText, SeedLayout) {
  EXPECT_EQ(format_text(seed_violation(), TextStyle{false, false, 4242}),
            kSep +
                "==4242==WARNING: AliasGuard: stale-snapshot-read on storage #7 (cpu, 16 bytes)\n"
                "READ through snapshot #1 'fc.weight', bytes [0, 16), at epoch 4\n"
                "    #0 examples/seed_state_dict.cpp:101 in main\n"
                "  handle created at examples/seed_state_dict.cpp:93\n"
                "saw a WRITE through module 'fc.weight', bytes [0, 16), at epoch 3\n"
                "    #0 examples/seed_state_dict.cpp:97 in main\n"
                "storage #7: cpu, 16 bytes, shared bytes [0, 16)\n"
                "SUMMARY: AliasGuard: stale-snapshot-read examples/seed_state_dict.cpp:101 in main\n"
                "HINT: this state_dict entry shares storage with the module, so the module's writes change it. "
                "Take snapshots with aliasguard::deep_copy(module.state_dict()) (or .clone() each entry). "
                "To silence: ALIASGUARD_OPTIONS=suppressions=FILE with a line "
                "'stale-snapshot-read:<file, function or key>'.\n" +
                kSep);
}

TEST(ReportText, HaltSaysErrorAndAborting) {
  const std::string text = format_text(seed_violation(), TextStyle{true, false, 5});
  EXPECT_EQ(text.rfind(kSep + "==5==ERROR: AliasGuard: stale-snapshot-read on storage #7", 0), 0u) << text;
  const std::string tail = kSep + "==5==ABORTING\n";
  ASSERT_GT(text.size(), tail.size());
  EXPECT_EQ(text.substr(text.size() - tail.size()), tail);
  EXPECT_EQ(text.find("WARNING"), std::string::npos);
}

TEST(ReportText, StacksAreNumberedAfterTheCallSite) {
  check::Violation v = seed_violation();
  v.observer.stack = {"train_epoch examples/train.cpp:40", "main examples/train.cpp:80"};
  v.write.stack = {"optim::SGD::step src/sgd.cpp:12"};
  const std::string text = format_text(v, TextStyle{});
  EXPECT_NE(text.find("    #0 examples/seed_state_dict.cpp:101 in main\n"
                      "    #1 train_epoch examples/train.cpp:40\n"
                      "    #2 main examples/train.cpp:80\n"
                      "  handle created at"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    #0 examples/seed_state_dict.cpp:97 in main\n"
                      "    #1 optim::SGD::step src/sgd.cpp:12\n"
                      "storage #7"),
            std::string::npos)
      << text;
}

TEST(ReportText, MayOverlapIsSaid) {
  check::Violation v = seed_violation();
  v.may_overlap = true;
  v.write.begin = 4;
  v.write.end = 64;
  v.storage_bytes = 64;
  const std::string text = format_text(v, TextStyle{});
  EXPECT_NE(text.find("saw a WRITE that may overlap it through module 'fc.weight', bytes [4, 64), at epoch 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("storage #7: cpu, 64 bytes, may share bytes within [4, 16) (strided views, not compared "
                      "exactly)\n"),
            std::string::npos)
      << text;
}

TEST(ReportText, AWriteNoLongerInTheLogIsSaid) {
  check::Violation v = seed_violation();
  v.write_known = false;
  v.write.file.clear();
  v.write.function.clear();
  v.write.line = 0;
  const std::string text = format_text(v, TextStyle{});
  EXPECT_NE(text.find("saw an earlier write no longer in the log (through module 'fc.weight', bytes [0, 16), by "
                      "epoch 3)\n    #0 <not recorded: the storage's write log overflowed>\nstorage #7: cpu, 16 "
                      "bytes\n"),
            std::string::npos)
      << text;
  v.write = {};
  const std::string bare = format_text(v, TextStyle{});
  EXPECT_NE(bare.find("saw an earlier write no longer in the log\n"), std::string::npos) << bare;
}

TEST(ReportText, AStaleReadOfAnotherSnapshotsWriteSaysSo) {
  check::Violation v = seed_violation();
  v.write.owner = "snapshot #2";
  const std::string text = format_text(v, TextStyle{});
  EXPECT_NE(text.find("HINT: this state_dict entry shares storage with the module, so a write through another "
                      "state_dict of it (snapshot #2) changes it too. Take snapshots"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("the module's writes"), std::string::npos) << text;
}

TEST(ReportText, LateDeepCopiesAreNamed) {
  check::Violation v = seed_violation();
  v.copied_file = "train.cpp";
  v.copied_line = 44;
  const std::string text = format_text(v, TextStyle{});
  EXPECT_NE(text.find("\n  deep-copied at train.cpp:44, after the write: the copy holds the written values"),
            std::string::npos)
      << text;
  EXPECT_NE(format_json(v).find(",\"copied\":{\"file\":\"train.cpp\",\"line\":44}}"), std::string::npos);
  EXPECT_EQ(format_json(seed_violation()).find("copied"), std::string::npos);
}

TEST(ReportText, StridedAccessesAreGivenRunByRun) {
  check::Violation v = seed_violation();
  for (check::Access* a : {&v.observer, &v.write}) {
    a->begin = 0;
    a->end = 12;
    a->runs = 2;
    a->run_bytes = 4;
    a->run_stride = 8;
  }
  const std::string text = format_text(v, TextStyle{});
  EXPECT_NE(text.find("'fc.weight', bytes [0, 12) in 2 runs of 4 bytes, 8 apart, at epoch"), std::string::npos)
      << text;
  EXPECT_NE(text.find("shares bytes within [0, 12)"), std::string::npos) << text;
  EXPECT_NE(format_json(v).find("\"end\":12,\"epoch\":3,\"runs\":2,\"run_bytes\":4,\"run_stride\":8,"),
            std::string::npos)
      << format_json(v);
  EXPECT_EQ(format_json(seed_violation()).find("runs"), std::string::npos);
}

TEST(ReportText, EagerModeLeadsWithTheWrite) {
  check::Violation v = seed_violation();
  v.observer.file.clear();
  v.observer.line = 0;
  v.observer.function.clear();
  const std::string text = format_text(v, TextStyle{false, true, 1});
  EXPECT_NE(text.find("WRITE through module 'fc.weight', bytes [0, 16), at epoch 3\n"
                      "    #0 examples/seed_state_dict.cpp:97 in main\n"
                      "is visible through snapshot #1 'fc.weight', bytes [0, 16)\n"
                      "  handle created at examples/seed_state_dict.cpp:93\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("SUMMARY: AliasGuard: stale-snapshot-read examples/seed_state_dict.cpp:97 in main\n"),
            std::string::npos)
      << text;
  // An observer site of its own is shown; the write's own site is not repeated.
  v.observer.file = "examples/eval.cpp";
  v.observer.line = 12;
  EXPECT_NE(format_text(v, TextStyle{false, true, 1})
                .find("bytes [0, 16)\n    #0 examples/eval.cpp:12\n  handle created at"),
            std::string::npos);
  v.observer = v.write;
  EXPECT_EQ(count_of_lines(format_text(v, TextStyle{false, true, 1}), "    #0 "), 1u);
}

TEST(ReportText, UnknownPiecesAreSaidNotInvented) {
  check::Violation v = seed_violation();
  v.observer.label.clear();
  v.observer.owner.clear();
  v.observer.file.clear();
  v.observer_created_file.clear();
  const std::string text = format_text(v, TextStyle{});
  EXPECT_NE(text.find("READ through an unknown owner, bytes [0, 16), at epoch 4\n    #0 <unknown location>\nsaw"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("SUMMARY: AliasGuard: stale-snapshot-read <unknown location>\n"), std::string::npos);
}

TEST(ReportText, EveryKindHasAHintNamingTheFixAndTheSuppression) {
  for (Kind kind : {Kind::StaleSnapshotRead, Kind::WriteThroughSnapshot, Kind::SharedWrite}) {
    check::Violation v = seed_violation();
    v.kind = kind;
    const std::string text = format_text(v, TextStyle{});
    const std::string name = check::kind_name(kind);
    const std::size_t hint = text.find("\nHINT: ");
    ASSERT_NE(hint, std::string::npos) << text;
    const std::string line = text.substr(hint + 1, text.find('\n', hint + 1) - hint);
    EXPECT_NE(line.find("clone()"), std::string::npos) << line;
    EXPECT_NE(line.find("deep_copy"), std::string::npos) << line;
    EXPECT_NE(line.find("suppressions=FILE with a line '" + name + ":"), std::string::npos) << line;
    EXPECT_NE(text.find("WARNING: AliasGuard: " + name + " on storage #7"), std::string::npos);
    EXPECT_NE(text.find("SUMMARY: AliasGuard: " + name + " "), std::string::npos);
  }
  EXPECT_STREQ(check::kind_name(Kind::StaleSnapshotRead), "stale-snapshot-read");
  EXPECT_STREQ(check::kind_name(Kind::WriteThroughSnapshot), "write-through-snapshot");
  EXPECT_STREQ(check::kind_name(Kind::SharedWrite), "shared-write");
}

// --- JSON ---

// Decodes one JSON string literal (what json_string writes) back to UTF-8; nullopt if invalid.
std::optional<std::string> parse_json_string(const std::string& s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::nullopt;
  std::string out;
  const auto append_utf8 = [&](unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  };
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"') return std::nullopt;  // must have been escaped
    if (c != '\\') {
      out += static_cast<char>(c);
      continue;
    }
    if (++i + 1 >= s.size()) return std::nullopt;
    switch (s[i]) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        if (i + 5 >= s.size()) return std::nullopt;
        append_utf8(static_cast<unsigned>(std::stoul(s.substr(i + 1, 4), nullptr, 16)));
        i += 4;
        break;
      }
      default: return std::nullopt;
    }
  }
  return out;
}

TEST(ReportJson, StringsRoundTrip) {
  for (const std::string& s : {std::string(""), std::string("fc.weight"), std::string("a\"b\\c/d"),
                               std::string("line\nbreak\ttab\rcr\bbs\ffeed"), std::string("\x01\x1f\x7f", 3),
                               std::string("\0nul", 4), std::string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")}) {
    const std::string json = json_string(s);
    EXPECT_EQ(parse_json_string(json), s) << json;
  }
  for (int c = 0; c < 0x80; ++c) {
    const std::string s(1, static_cast<char>(c));
    EXPECT_EQ(parse_json_string(json_string(s)), s) << c;
  }
}

TEST(ReportJson, InvalidUtf8BecomesReplacementCharacters) {
  const std::string replacement = "\xef\xbf\xbd";
  EXPECT_EQ(json_string("\xff"), "\"\\ufffd\"");
  EXPECT_EQ(parse_json_string(json_string("a\xff" "b")), "a" + replacement + "b");
  EXPECT_EQ(parse_json_string(json_string("\xc3")), replacement);                    // truncated
  EXPECT_EQ(parse_json_string(json_string("\xc0\xaf")), replacement + replacement);  // overlong
  EXPECT_EQ(parse_json_string(json_string("\xed\xa0\x80")), replacement + replacement + replacement);  // surrogate
  EXPECT_EQ(parse_json_string(json_string("\xf4\x90\x80\x80")), replacement + replacement + replacement + replacement);
}

TEST(ReportJson, OneLineWithEveryField) {
  check::Violation v = seed_violation();
  v.observer.label = "k\"ey";
  v.observer.stack = {"f a.cpp:1", "g b.cpp:2"};
  v.may_overlap = true;
  const std::string json = format_json(v);
  EXPECT_EQ(json,
            "{\"kind\":\"stale-snapshot-read\","
            "\"observer\":{\"owner\":\"snapshot #1\",\"label\":\"k\\\"ey\",\"file\":\"examples/seed_state_dict.cpp\","
            "\"line\":101,\"function\":\"int main()\",\"begin\":0,\"end\":16,\"epoch\":4,"
            "\"stack\":[\"f a.cpp:1\",\"g b.cpp:2\"]},"
            "\"observer_created\":{\"file\":\"examples/seed_state_dict.cpp\",\"line\":93},"
            "\"write\":{\"owner\":\"module\",\"label\":\"fc.weight\",\"file\":\"examples/seed_state_dict.cpp\","
            "\"line\":97,\"function\":\"int main()\",\"begin\":0,\"end\":16,\"epoch\":3,\"stack\":[]},"
            "\"storage\":{\"id\":7,\"device\":\"cpu\",\"bytes\":16},"
            "\"may_overlap\":true,\"write_known\":true}\n");
  EXPECT_EQ(json.find('\n'), json.size() - 1);  // one line
}

TEST(ReportJson, LargeNumbersArePrintedExactly) {
  check::Violation v = seed_violation();
  v.storage_id = UINT64_MAX;
  v.write.epoch = 1ull << 40;
  const std::string json = format_json(v);
  EXPECT_NE(json.find("\"id\":18446744073709551615"), std::string::npos);
  EXPECT_NE(json.find("\"epoch\":1099511627776"), std::string::npos);
}

}  // namespace
}  // namespace aliasguard::tracker::detail
