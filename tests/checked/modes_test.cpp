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
