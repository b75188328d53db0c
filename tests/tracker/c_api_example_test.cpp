// The C ABI: the toy-buffer example quoted in docs/tracker.md, compiled and run as is
// (tracker_docs.cmake checks the doc still quotes it verbatim and that it is valid C), and
// the rest of tracker_c.h.

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "aliasguard/tracker/tracker_c.h"
#include "aliasguard/tracker/violation.h"
#include "toy_buffer_example.h"

namespace {

// The 1-based line of `file` that contains `needle` (0 if none).
unsigned line_containing(const std::string& file, const std::string& needle) {
  std::ifstream in(file);
  std::string line;
  for (unsigned n = 1; std::getline(in, line); ++n)
    if (line.find(needle) != std::string::npos) return n;
  return 0;
}

class CApi : public ::testing::Test {
 protected:
  void SetUp() override { aliasguard::check::reset(); }
  void TearDown() override { aliasguard::check::reset(); }
};

TEST_F(CApi, ToyBufferExampleReportsTheStaleSnapshotAtTheUsersLines) {
  testing::internal::CaptureStdout();
  const uint64_t count = toy_example();
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "best sum: 4\n");
  EXPECT_EQ(count, 1u);
  const auto v = aliasguard::check::violations();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].kind, aliasguard::check::Kind::StaleSnapshotRead);
  const std::string file = v[0].observer.file;
  ASSERT_NE(file.find("toy_buffer_example.h"), std::string::npos) << file;
  EXPECT_EQ(v[0].observer.function, "toy_example");
  EXPECT_EQ(v[0].observer.line, line_containing(file, "toy_sum(best)"));
  EXPECT_EQ(v[0].observer.label, "weight");
  EXPECT_EQ(v[0].observer_created_file, file);
  EXPECT_EQ(v[0].observer_created_line, line_containing(file, "AG_OWNER_SNAPSHOT), \"weight\", TOY_AT"));
  EXPECT_EQ(v[0].write.file, file);
  EXPECT_EQ(v[0].write.function, "toy_example");
  EXPECT_EQ(v[0].write.line, line_containing(file, "toy_fill(param, 1.0f);"));
  EXPECT_EQ(v[0].write.end, 16u);
  EXPECT_EQ(v[0].storage_bytes, 16u);
}

TEST_F(CApi, ViewsResetAndIds) {
  ag_storage* a = ag_track_storage_create(64, 0, 0);
  ag_storage* b = ag_track_storage_create(64, 1, 0);
  ASSERT_NE(a, nullptr);
  EXPECT_LT(ag_track_storage_id(a), ag_track_storage_id(b));
  const uint32_t module = ag_track_new_owner(AG_OWNER_MODULE);
  ag_handle* param = ag_track_handle_create(a, 0, 64, AG_OWNER_MODULE, module, "w", "model.c", 10, "init");
  ag_handle* entry = ag_track_handle_create(a, 0, 64, AG_OWNER_SNAPSHOT, ag_track_new_owner(AG_OWNER_SNAPSHOT),
                                            nullptr, "model.c", 11, "save");
  ag_handle* entry_tail = ag_track_handle_view(entry, 32, 32, "model.c", 12, "save");
  ag_handle* param_head = ag_track_handle_view(param, 0, 16, "model.c", 13, "step");
  ASSERT_NE(entry_tail, nullptr);
  ag_track_write(param_head, "model.c", 20, "step");  // bytes [0, 16): not the tail
  ag_track_read(entry_tail, "model.c", 21, "eval");
  EXPECT_EQ(ag_track_violation_count(), 0u);
  ag_track_storage_reset(a);
  ag_track_write(param, "model.c", 22, "step");
  ag_track_read(entry_tail, "model.c", 23, "eval");
  ASSERT_EQ(ag_track_violation_count(), 1u);
  const auto v = aliasguard::check::violations()[0];
  EXPECT_EQ(v.observer.file, "model.c");
  EXPECT_EQ(v.observer.line, 23u);
  EXPECT_EQ(v.observer.function, "eval");
  EXPECT_EQ(v.observer.begin, 32u);
  EXPECT_EQ(v.observer_created_line, 12u);
  EXPECT_EQ(v.write.line, 22u);
  EXPECT_EQ(v.write.label, "w");
  ag_track_handle_destroy(param_head);
  ag_track_handle_destroy(entry_tail);
  ag_track_handle_destroy(entry);
  ag_track_handle_destroy(param);
  ag_track_storage_destroy(a);
  ag_track_storage_destroy(b);
}

TEST_F(CApi, WriteSitesOutliveTheCallersStrings) {
  ag_storage* s = ag_track_storage_create(8, 0, 0);
  ag_handle* param = ag_track_handle_create(s, 0, 8, AG_OWNER_MODULE, 0, "w", "m.c", 1, "f");
  ag_handle* entry = ag_track_handle_create(s, 0, 8, AG_OWNER_SNAPSHOT, ag_track_new_owner(AG_OWNER_SNAPSHOT), "w",
                                            "m.c", 2, "f");
  {
    std::string file = "generated_" + std::to_string(42) + ".c";
    std::string function = "step_" + std::to_string(7);
    ag_track_write(param, file.c_str(), 5, function.c_str());
    file.assign(file.size(), 'x');  // the caller reuses its buffers
    function.assign(function.size(), 'x');
  }
  ag_track_read(entry, "m.c", 6, "f");
  const auto v = aliasguard::check::violations();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].write.file, "generated_42.c");
  EXPECT_EQ(v[0].write.function, "step_7");
  ag_track_handle_destroy(entry);
  ag_track_handle_destroy(param);
  ag_track_storage_destroy(s);
}

TEST_F(CApi, BadArgumentsAreRejectedWithAMessage) {
  ag_storage* s = ag_track_storage_create(16, 0, 0);
  testing::internal::CaptureStderr();
  EXPECT_EQ(ag_track_handle_create(s, 8, 16, AG_OWNER_MODULE, 0, "w", "m.c", 1, "f"), nullptr);
  EXPECT_EQ(ag_track_handle_create(s, 0, 16, 7, 0, "w", "m.c", 1, "f"), nullptr);
  EXPECT_EQ(ag_track_handle_create(nullptr, 0, 16, AG_OWNER_MODULE, 0, "w", "m.c", 1, "f"), nullptr);
  EXPECT_EQ(ag_track_handle_view(nullptr, 0, 1, "m.c", 1, "f"), nullptr);
  EXPECT_EQ(ag_track_new_owner(-1), 0u);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("bytes [8, 24) lie outside storage #"), std::string::npos) << err;
  EXPECT_NE(err.find("owner kind 7 is not AG_OWNER_USER"), std::string::npos) << err;
  EXPECT_NE(err.find("storage is NULL"), std::string::npos) << err;
  EXPECT_NE(err.find("kind -1 is not"), std::string::npos) << err;
  ag_track_read(nullptr, "m.c", 1, "f");  // ignored, as free(NULL) is
  ag_track_write(nullptr, "m.c", 1, "f");
  ag_track_storage_destroy(s);
}

}  // namespace
