// Tests that run under another ALIASGUARD_OPTIONS mode (registered by tests/checked/CMakeLists.txt
// as checked.mode.*); in the default run they skip and say which ctest entry runs them.

#include "checked_test_util.h"

using ag::check::Kind;

TEST_F(CheckedTest, EagerModeIsOffByDefault) {
  if (mode_is("detect=write")) GTEST_SKIP() << "this run uses detect=write";
  TwoByTwo m;
  ag::StateDict sd = m.state_dict();
  m.fc->weight.data().add_(1);
  EXPECT_TRUE(ag::check::violations().empty()) << "lazy: nothing until the snapshot is read";
}

class EagerMode : public CheckedTest {
 protected:
  void SetUp() override {
    if (!mode_is("detect=write")) GTEST_SKIP() << "needs ALIASGUARD_OPTIONS=detect=write (ctest: checked.mode.detect_write)";
    CheckedTest::SetUp();
  }
};

TEST_F(EagerMode, ReportsAtTheWriteAgainstEveryLiveSnapshot) {
  TwoByTwo m;
  ag::StateDict first = m.state_dict();
  ag::StateDict second = m.state_dict();
  const unsigned write_line = __LINE__ + 1;
  m.fc->weight.data().add_(1);
  const auto stale = of_kind(Kind::StaleSnapshotRead);
  ASSERT_EQ(stale.size(), 1u) << "one report per (kind, site, site) with dedup on";
  EXPECT_EQ(stale[0].write.line, write_line);
  EXPECT_EQ(stale[0].observer.label, "fc.weight");
}

TEST_F(EagerMode, DisjointBytesStayQuiet) {
  TwoByTwo m;
  ag::StateDict sd = m.state_dict();
  const ag::Tensor only_bias = sd["fc.bias"];
  m.fc->weight.data().add_(1);  // the live bias entry does not overlap the weight
  EXPECT_EQ(of_kind(Kind::StaleSnapshotRead).size(), 1u) << "the weight entry is alive and sees it";
  EXPECT_EQ(of_kind(Kind::StaleSnapshotRead)[0].observer.label, "fc.weight");
}

// A write made inside the runtime's own code (Linear::reset_parameters draws with uniform_)
// is reported at the user's call, the first frame outside the runtime: with detect=write the
// write is on the stack when it is reported. See Note [Library sites] in the tracker.
TEST_F(EagerMode, WriteInsideTheRuntimeIsReportedAtTheUsersCall) {
  if (!can_name_callers_of_the_runtime()) GTEST_SKIP() << "no libdw.so.1: reports keep the runtime's own line";
  TwoByTwo m;
  ag::StateDict sd = m.state_dict();
  const unsigned reset_line = __LINE__ + 1;
  m.fc->reset_parameters();
  const auto stale = of_kind(Kind::StaleSnapshotRead);
  ASSERT_FALSE(stale.empty());
  for (const auto& v : stale) {
    EXPECT_EQ(base_name(v.write.file), "modes_test.cpp");
    EXPECT_EQ(v.write.line, reset_line);
  }
}

class StrictMode : public CheckedTest {
 protected:
  void SetUp() override {
    if (!mode_is("domains=handle")) GTEST_SKIP() << "needs ALIASGUARD_OPTIONS=domains=handle (ctest: checked.mode.domains_handle)";
    CheckedTest::SetUp();
  }
};

TEST_F(StrictMode, AnyWriteSeenThroughAnotherFamilyIsASharedWrite) {
  const ag::Tensor a = ag::zeros({4});
  const ag::Tensor d = a.detach();  // a family of its own
  const unsigned write_line = __LINE__ + 1;
  d.add_(1);
  (void)a.sum();
  const auto shared = of_kind(Kind::SharedWrite);
  ASSERT_EQ(shared.size(), 1u);
  EXPECT_EQ(shared[0].write.line, write_line);
}

TEST_F(StrictMode, ViewsOfOneAnotherAreOneFamily) {
  const ag::Tensor a = ag::zeros({4});
  const ag::Tensor v = a.view({2, 2});
  v.add_(1);
  (void)a.sum();
  EXPECT_TRUE(ag::check::violations().empty());
}
