// The detector under the default options (detect=read, domains=owner): who sees whose
// writes, what a report says, and what it costs. Eager and strict modes run as subprocesses
// (tracker_modes.cmake), since options are fixed at start-up.

#include <gtest/gtest.h>

#include <source_location>
#include <stdexcept>
#include <string>
#include <vector>

#include "aliasguard/tracker/tracker.h"
#include "aliasguard/tracker/violation.h"
#include "registry.h"

namespace {

using namespace aliasguard::tracker;
using aliasguard::check::Kind;
using aliasguard::check::Violation;

std::source_location here(std::source_location at = std::source_location::current()) { return at; }

Extent bytes(std::uint64_t begin, std::uint32_t length) { return Extent{begin, length, 1, length, true}; }

class Tracker : public ::testing::Test {
 protected:
  void SetUp() override { aliasguard::check::reset(); }
  // Leaves nothing for the at-exit summary, which would fail the test binary.
  void TearDown() override { aliasguard::check::reset(); }

  static std::vector<Violation> found() { return aliasguard::check::violations(); }

  const Owner module_ = new_owner(OwnerKind::Module);
  const Owner snapshot_ = new_owner(OwnerKind::Snapshot);
  Storage storage_{64};
};

TEST_F(Tracker, SnapshotReadAfterModuleWriteIsStaleSnapshotRead) {
  const auto made = here();
  Handle param(storage_, bytes(0, 64), module_, intern_label("fc.weight"), here());
  Handle entry(storage_, bytes(0, 64), snapshot_, intern_label("fc.weight"), made);
  const auto step = here();
  param.write(step);
  const auto use = here();
  entry.read(use);

  const auto v = found();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].kind, Kind::StaleSnapshotRead);
  EXPECT_EQ(v[0].observer.owner, "snapshot #" + std::to_string(snapshot_.id));
  EXPECT_EQ(v[0].observer.label, "fc.weight");
  EXPECT_EQ(v[0].observer.line, use.line());
  EXPECT_EQ(v[0].observer.file, use.file_name());
  EXPECT_EQ(v[0].observer.function, use.function_name());
  EXPECT_EQ(v[0].observer.begin, 0u);
  EXPECT_EQ(v[0].observer.end, 64u);
  EXPECT_EQ(v[0].observer.epoch, 1u);
  EXPECT_EQ(v[0].observer_created_line, made.line());
  EXPECT_EQ(v[0].write.owner, detail::owner_name(module_));
  EXPECT_EQ(v[0].write.line, step.line());
  EXPECT_EQ(v[0].write.epoch, 1u);
  EXPECT_TRUE(v[0].write_known);
  EXPECT_FALSE(v[0].may_overlap);
  EXPECT_EQ(v[0].storage_id, storage_.id());
  EXPECT_EQ(v[0].device, "cpu");
  EXPECT_EQ(v[0].storage_bytes, 64u);
}

TEST_F(Tracker, ModuleReadAfterSnapshotWriteIsWriteThroughSnapshot) {
  Handle param(storage_, bytes(0, 64), module_, intern_label("fc.bias"), here());
  Handle entry(storage_, bytes(0, 64), snapshot_, intern_label("fc.bias"), here());
  const auto edit = here();
  entry.write(edit);  // sd["fc.bias"] -= ...
  param.read(here());
  const auto v = found();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].kind, Kind::WriteThroughSnapshot);
  EXPECT_EQ(v[0].write.line, edit.line());
  EXPECT_EQ(v[0].observer.owner, detail::owner_name(module_));
}

// See Note [Kept snapshots]. A write through a snapshot no tensor of which is alive any more is
// the model's update (EMA through a temporary state_dict), not a kept copy changed by mistake.
TEST_F(Tracker, WriteThroughASnapshotNoLongerAliveIsNotReported) {
  Handle param(storage_, bytes(0, 64), module_, 0, here());
  {
    Handle entry(storage_, bytes(0, 64), snapshot_, 0, here());
    entry.write(here());  // for (auto& v : ema.state_dict()) v.mul_(d)
  }
  param.read(here());
  EXPECT_TRUE(found().empty());
  // Another snapshot, kept while the module reads, is reported.
  Handle kept(storage_, bytes(0, 64), new_owner(OwnerKind::Snapshot), 0, here());
  Handle view(kept, storage_, bytes(0, 16), here());
  kept.set_owner(module_, 0);  // the snapshot lives on through its view alone
  view.write(here());
  param.read(here());
  ASSERT_EQ(found().size(), 1u);
  EXPECT_EQ(found()[0].kind, Kind::WriteThroughSnapshot);
}

// See Note [Loading a dict back].
TEST_F(Tracker, AModuleThatAcceptsItsBytesSeesNoEarlierWrite) {
  Handle param(storage_, bytes(0, 64), module_, 0, here());
  Handle entry(storage_, bytes(0, 64), snapshot_, 0, here());
  entry.write(here());   // sd["w"].mul_(mask)
  entry.read(here());    // m.load_state_dict(sd) reads the entry...
  param.observe_now();   // ...and the module takes the bytes as they are
  param.read(here());
  entry.read(here());    // the dict stays usable: nothing was written since
  EXPECT_TRUE(found().empty());
  entry.write(here());   // edited again, not loaded back: the module sees it
  param.read(here());
  ASSERT_EQ(found().size(), 1u);
  EXPECT_EQ(found()[0].kind, Kind::WriteThroughSnapshot);
}

TEST_F(Tracker, AnotherSnapshotsWriteIsStaleForThisSnapshot) {
  Handle mine(storage_, bytes(0, 64), snapshot_, 0, here());
  Handle theirs(storage_, bytes(0, 64), new_owner(OwnerKind::Snapshot), 0, here());
  theirs.write(here());
  mine.read(here());
  ASSERT_EQ(found().size(), 1u);
  EXPECT_EQ(found()[0].kind, Kind::StaleSnapshotRead);
}

TEST_F(Tracker, SnapshotNeverReadAgainIsNotReported) {
  Handle param(storage_, bytes(0, 64), module_, 0, here());
  Handle entry(storage_, bytes(0, 64), snapshot_, 0, here());
  param.write(here());
  param.write(here());
  param.read(here());
  EXPECT_TRUE(found().empty());
}

TEST_F(Tracker, SameOwnerNeverReports) {
  Handle param(storage_, bytes(0, 64), module_, intern_label("w"), here());
  Handle param_view(param, storage_, bytes(16, 16), here());
  param.write(here());
  param_view.read(here());
  Handle entry(storage_, bytes(0, 64), snapshot_, 0, here());
  Handle entry_view(entry, storage_, bytes(0, 8), here());
  entry_view.write(here());
  entry.read(here());
  EXPECT_TRUE(found().empty());
}

TEST_F(Tracker, TiedWeightsOneOwnerTwoLabelsNeverReport) {
  Handle encoder(storage_, bytes(0, 64), module_, intern_label("encoder.weight"), here());
  Handle decoder(storage_, bytes(0, 64), module_, intern_label("decoder.weight"), here());
  encoder.write(here());
  decoder.read(here());
  decoder.write(here());
  encoder.read(here());
  EXPECT_TRUE(found().empty());
}

TEST_F(Tracker, UserOwnedHandlesNeverConflictByOwner) {
  Handle user(storage_, bytes(0, 64), new_owner(OwnerKind::User), 0, here());
  Handle entry(storage_, bytes(0, 64), snapshot_, 0, here());
  user.write(here());
  entry.read(here());
  entry.write(here());
  user.read(here());
  EXPECT_TRUE(found().empty());
}

TEST_F(Tracker, DisjointBytesOfOneStorageNeverConflict) {
  Handle first_half(storage_, bytes(0, 32), module_, 0, here());
  Handle second_entry(storage_, bytes(32, 32), snapshot_, 0, here());
  first_half.write(here());
  second_entry.read(here());
  EXPECT_TRUE(found().empty());
  Handle straddle(storage_, bytes(24, 16), module_, 0, here());
  straddle.write(here());
  second_entry.read(here());
  EXPECT_EQ(found().size(), 1u);
}

TEST_F(Tracker, InexactExtentsReportMayOverlap) {
  Handle param(storage_, Extent{0, 16, 2, 12, false}, module_, 0, here());
  Handle entry(storage_, bytes(8, 8), snapshot_, 0, here());
  param.write(here());
  entry.read(here());
  ASSERT_EQ(found().size(), 1u);
  EXPECT_TRUE(found()[0].may_overlap);
  EXPECT_TRUE(found()[0].write_known);
}

TEST_F(Tracker, OneReportPerReadNamingTheLatestWrite) {
  Handle param(storage_, bytes(0, 64), module_, 0, here());
  Handle entry(storage_, bytes(0, 64), snapshot_, 0, here());
  param.write(here());
  const auto second = here();
  param.write(second);
  entry.read(here());
  entry.read(here());  // caught up: nothing new
  const auto v = found();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].write.line, second.line());
  EXPECT_EQ(v[0].write.epoch, 2u);
}

TEST_F(Tracker, UnchangedReadIsTheFastPath) {
  Handle param(storage_, bytes(0, 64), module_, 0, here());
  Handle entry(storage_, bytes(0, 64), snapshot_, 0, here());
  EXPECT_EQ(entry.observed_epoch(), 0u);
  for (int i = 0; i < 1000; ++i) entry.read(here());
  EXPECT_EQ(entry.observed_epoch(), 0u);  // nothing written: never left the O(1) check
  param.write(here());
  EXPECT_EQ(param.observed_epoch(), 1u);  // its own write does not make it stale
  EXPECT_EQ(entry.observed_epoch(), 0u);
  entry.read(here());
  EXPECT_EQ(entry.observed_epoch(), 1u);
}

TEST_F(Tracker, WriteFromBehindDoesNotHideEarlierWrites) {
  Handle param(storage_, bytes(0, 64), module_, 0, here());
  Handle entry(storage_, bytes(0, 64), snapshot_, 0, here());
  param.write(here());   // epoch 1: the snapshot has not seen it
  entry.write(here());   // epoch 2: entry stays at 0, so epoch 1 is still checked
  EXPECT_EQ(entry.observed_epoch(), 0u);
  entry.read(here());
  ASSERT_EQ(found().size(), 1u);
  EXPECT_EQ(found()[0].write.epoch, 1u);
}

/// One flat storage holding two module parameters, layer0 at [0, 64) and layer1 at [64, 128),
/// and a snapshot entry of layer0.
struct TwoLayers {
  TwoLayers(Owner module, Owner snapshot)
      : layer0(flat, bytes(0, 64), module, intern_label("layer0"), here()),
        layer1(flat, bytes(64, 64), module, intern_label("layer1"), here()),
        entry0(flat, bytes(0, 64), snapshot, intern_label("layer0"), here()) {}
  Storage flat{4096};
  Handle layer0;
  Handle layer1;
  Handle entry0;
};

TEST_F(Tracker, WritesThatFellOutOfTheLogAreStillReportedConservatively) {
  TwoLayers m(module_, snapshot_);
  const auto step = here();
  m.layer0.write(step);
  // 100 writes from two sites, so none repeats the one before it (Note [Repeated writes]):
  // they push layer0's write out of the ring.
  const auto a = here();
  const auto b = here();
  for (int i = 0; i < 100; ++i) m.layer1.write(i % 2 == 0 ? a : b);
  m.entry0.read(here());
  const auto v = found();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].kind, Kind::StaleSnapshotRead);
  EXPECT_FALSE(v[0].write_known);
  EXPECT_TRUE(v[0].may_overlap);
  EXPECT_EQ(v[0].write.line, step.line());
  EXPECT_EQ(v[0].write.epoch, 1u);
  EXPECT_EQ(v[0].write.label, "layer0");
}

TEST_F(Tracker, ARepeatedWriteIsReportedWithItsLatestEpoch) {
  Handle param(storage_, bytes(0, 64), module_, intern_label("fc.weight"), here());
  Handle entry(storage_, bytes(0, 64), snapshot_, 0, here());
  const auto step = here();
  for (int i = 0; i < 40; ++i) param.write(step);  // one training loop's update, 40 steps
  EXPECT_EQ(param.observed_epoch(), 40u);
  entry.read(here());
  const auto v = found();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].write.line, step.line());
  EXPECT_EQ(v[0].write.epoch, 40u);
  EXPECT_EQ(v[0].write.label, "fc.weight");
  EXPECT_TRUE(v[0].write_known);
  EXPECT_FALSE(v[0].may_overlap);
}

TEST_F(Tracker, RepeatedWritesKeepAnOlderWriteExact) {
  // Without Note [Repeated writes], layer1's 100 writes would push layer0's out of the ring
  // and the read would know it only from the summary (write_known = false, may overlap).
  TwoLayers m(module_, snapshot_);
  const auto step = here();
  m.layer0.write(step);
  const auto loop = here();
  for (int i = 0; i < 100; ++i) m.layer1.write(loop);
  m.entry0.read(here());
  const auto v = found();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_TRUE(v[0].write_known);
  EXPECT_FALSE(v[0].may_overlap);
  EXPECT_EQ(v[0].write.line, step.line());
  EXPECT_EQ(v[0].write.epoch, 1u);
}

TEST_F(Tracker, WritesThatDifferInFamilyOrBytesDoNotRepeat) {
  // Alternating writes from one site that differ only in family, or only in bytes, each take
  // a slot: 100 of them push an older write out of the ring (compare the test above).
  for (const bool differ_in_bytes : {false, true}) {
    SCOPED_TRACE(differ_in_bytes ? "bytes" : "family");
    aliasguard::check::reset();
    Storage flat(4096);
    Handle layer0(flat, bytes(0, 64), module_, 0, here());
    Handle entry0(flat, bytes(0, 64), snapshot_, 0, here());
    Handle first(flat, bytes(64, 64), module_, 0, here());
    Handle second_family(flat, bytes(64, 64), module_, 0, here());  // a family of its own
    Handle second_bytes(first, flat, bytes(128, 64), here());        // first's family, other bytes
    Handle& second = differ_in_bytes ? second_bytes : second_family;
    layer0.write(here());
    const auto loop = here();
    for (int i = 0; i < 100; ++i) (i % 2 == 0 ? first : second).write(loop);
    entry0.read(here());
    const auto v = found();
    ASSERT_EQ(v.size(), 1u);
    EXPECT_FALSE(v[0].write_known);
  }
}

TEST_F(Tracker, DroppedWritesOfDisjointViewsStayDisjoint) {
  Storage flat(8 * 64);
  std::vector<std::unique_ptr<Handle>> layers;
  for (std::uint64_t k = 0; k < 8; ++k)
    layers.push_back(std::make_unique<Handle>(flat, bytes(k * 64, 64), module_, 0, here()));
  Handle entry3(flat, bytes(3 * 64, 64), snapshot_, 0, here());
  layers[3]->write(here());
  entry3.observe_now();
  for (int round = 0; round < 50; ++round)
    for (std::size_t k = 0; k < 8; ++k)
      if (k != 3) layers[k]->write(here());
  entry3.read(here());
  EXPECT_TRUE(found().empty());
}

TEST_F(Tracker, ResetForgetsHistory) {
  Handle param(storage_, bytes(0, 64), module_, 0, here());
  Handle entry(storage_, bytes(0, 64), snapshot_, 0, here());
  param.write(here());
  const std::uint32_t generation = storage_.generation();
  storage_.reset();
  EXPECT_EQ(storage_.generation(), generation + 1);
  entry.read(here());
  EXPECT_TRUE(found().empty());
  param.write(here());  // history starts again
  entry.read(here());
  EXPECT_EQ(found().size(), 1u);
}

TEST_F(Tracker, ScopedUntrackedSkipsReadsOnThisThreadOnly) {
  Handle param(storage_, bytes(0, 64), module_, 0, here());
  Handle entry(storage_, bytes(0, 64), snapshot_, 0, here());
  param.write(here());
  {
    ScopedUntracked printing;
    entry.read(here());
    {
      ScopedUntracked nested;
    }
    entry.read(here());  // still untracked after the nested scope ends
  }
  EXPECT_TRUE(found().empty());
  EXPECT_EQ(entry.observed_epoch(), 0u);
  entry.read(here());
  EXPECT_EQ(found().size(), 1u);
}

TEST_F(Tracker, ViewsInheritOwnerLabelFamilyAndWhatTheSourceObserved) {
  Handle param(storage_, bytes(0, 64), module_, 0, here());
  Handle entry(storage_, bytes(0, 64), snapshot_, intern_label("k"), here());
  param.write(here());
  Handle view(entry, storage_, bytes(8, 8), here());
  EXPECT_EQ(view.owner().kind, OwnerKind::Snapshot);
  EXPECT_EQ(view.owner().id, snapshot_.id);
  EXPECT_EQ(view.label(), entry.label());
  EXPECT_EQ(view.family(), entry.family());
  EXPECT_EQ(view.observed_epoch(), 0u);
  view.read(here());
  ASSERT_EQ(found().size(), 1u);
  EXPECT_EQ(found()[0].observer.label, "k");
  EXPECT_EQ(found()[0].observer.begin, 8u);
}

TEST_F(Tracker, ObserveNowStartFamilyAndSetOwner) {
  Handle param(storage_, bytes(0, 64), module_, 0, here());
  Handle tensor(storage_, bytes(0, 64), new_owner(OwnerKind::User), 0, here());
  param.write(here());
  // state_dict(): a detached handle re-tagged as a snapshot entry that sees the bytes now.
  const std::uint32_t family = tensor.family();
  tensor.set_owner(snapshot_, intern_label("fc.weight"));
  tensor.start_family();
  tensor.observe_now();
  EXPECT_NE(tensor.family(), family);
  EXPECT_EQ(tensor.owner().kind, OwnerKind::Snapshot);
  tensor.read(here());
  EXPECT_TRUE(found().empty());
  param.write(here());
  tensor.read(here());
  EXPECT_EQ(found().size(), 1u);
}

TEST_F(Tracker, RebindMovesToAnotherStorageCaughtUp) {
  Storage other(128);
  Handle param(storage_, bytes(0, 64), module_, 0, here());
  Handle writer(other, bytes(0, 128), module_, 0, here());
  writer.write(here());
  writer.write(here());
  param.rebind(other, bytes(64, 64));
  EXPECT_EQ(&param.storage(), &other);
  EXPECT_EQ(param.observed_epoch(), 2u);
  EXPECT_EQ(param.extent().begin, 64u);
}

TEST_F(Tracker, WritesToOtherStoragesAreInvisible) {
  Storage other(64);
  Handle param(other, bytes(0, 64), module_, 0, here());
  Handle entry(storage_, bytes(0, 64), snapshot_, 0, here());
  param.write(here());
  entry.read(here());
  EXPECT_TRUE(found().empty());
  EXPECT_EQ(entry.observed_epoch(), 0u);
}

TEST_F(Tracker, ExtentOutsideTheStorageIsAnError) {
  try {
    Handle h(storage_, bytes(32, 64), module_, 0, here());
    FAIL() << "expected std::out_of_range";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("[32, 96) lie outside storage #"), std::string::npos) << e.what();
  }
}

TEST(TrackerIds, StoragesOwnersFamiliesAndLabels) {
  Storage a(1), b(1);
  EXPECT_LT(a.id(), b.id());
  const Owner s1 = new_owner(OwnerKind::Snapshot);
  const Owner s2 = new_owner(OwnerKind::Snapshot);
  EXPECT_NE(s1.id, s2.id);
  EXPECT_EQ(detail::owner_name(s1), "snapshot #" + std::to_string(s1.id));
  EXPECT_EQ(detail::owner_name(Owner{OwnerKind::Module, 0}), "module");
  EXPECT_EQ(detail::owner_name(Owner{OwnerKind::User, 5}), "user #5");
  EXPECT_EQ(intern_label(""), 0u);
  EXPECT_EQ(label_name(0), "");
  const std::uint32_t l = intern_label("encoder.layers.0.weight");
  EXPECT_EQ(intern_label("encoder.layers.0.weight"), l);
  EXPECT_NE(intern_label("encoder.layers.1.weight"), l);
  EXPECT_EQ(label_name(l), "encoder.layers.0.weight");
  EXPECT_EQ(detail::device_name(0, 0), "cpu");
  EXPECT_EQ(detail::device_name(1, 2), "cuda:2");
}

TEST(TrackerRegistry, ListsLiveStoragesWithTheirDevice) {
  Storage gpu(32, 1, 3);
  bool seen = false;
  detail::for_each_storage([&](const Storage& s, int type, int index, const std::vector<const Handle*>& handles) {
    if (&s != &gpu) return;
    seen = true;
    EXPECT_EQ(type, 1);
    EXPECT_EQ(index, 3);
    EXPECT_TRUE(handles.empty());  // default options keep no live-handle lists
  });
  EXPECT_TRUE(seen);
  EXPECT_FALSE(detail::keeps_live_handles());
}

}  // namespace
