// What the checked runtime reports: each kind, with the owners, keys and the user's lines.

#include "checked_test_util.h"

#include <thread>

using ag::check::Kind;

namespace {

// The seed, step by step (examples/seed_state_dict.cpp); returns the lines of its writes.
struct SeedLines {
  unsigned module_write = 0;
  unsigned snapshot_write = 0;
  unsigned module_write_again = 0;
};

SeedLines run_seed(bool deep) {
  SeedLines lines;
  TwoByTwo m;
  ag::StateDict a = m.state_dict();
  lines.module_write = __LINE__ + 1;
  for (const ag::Tensor& v : m.parameters()) v.data() -= 0.5 * v.data();
  if (deep) a = ag::deep_copy(a);
  lines.snapshot_write = __LINE__ + 1;
  for (const std::string& k : a.keys()) a[k].data() -= 0.5 * a[k].data();
  lines.module_write_again = __LINE__ + 1;
  for (const ag::Tensor& p : m.parameters()) p.data() -= 0.5 * p.data();
  return lines;
}

}  // namespace

TEST_F(CheckedTest, SeedWithoutDeepCopyReportsBothKindsAtTheUsersLines) {
  const SeedLines lines = run_seed(/*deep=*/false);
  const auto stale = of_kind(Kind::StaleSnapshotRead);
  const auto through = of_kind(Kind::WriteThroughSnapshot);
  ASSERT_EQ(stale.size(), 1u) << "dedup keeps one report per (kind, read line, write line)";
  ASSERT_EQ(through.size(), 1u);

  // The snapshot entry, read while being halved, had seen the module halve it first.
  EXPECT_EQ(base_name(stale[0].observer.file), "reports_test.cpp");
  EXPECT_EQ(stale[0].observer.line, lines.snapshot_write);
  EXPECT_EQ(stale[0].write.line, lines.module_write);
  EXPECT_NE(stale[0].observer.owner.find("snapshot"), std::string::npos) << stale[0].observer.owner;
  EXPECT_EQ(stale[0].write.owner, "module");
  EXPECT_EQ(stale[0].observer.label, "fc.weight");
  EXPECT_EQ(stale[0].write.label, "fc.weight");
  EXPECT_TRUE(stale[0].write_known);
  EXPECT_FALSE(stale[0].may_overlap);
  EXPECT_EQ(stale[0].storage_bytes, 16u);
  EXPECT_EQ(stale[0].device, "cpu");

  // The module, read while being halved again, saw the write made through the snapshot.
  EXPECT_EQ(through[0].observer.line, lines.module_write_again);
  EXPECT_EQ(through[0].write.line, lines.snapshot_write);
  EXPECT_EQ(through[0].observer.owner, "module");
  EXPECT_NE(through[0].write.owner.find("snapshot"), std::string::npos);
}

TEST_F(CheckedTest, SeedWithDeepCopyReportsNothing) {
  run_seed(/*deep=*/true);
  EXPECT_TRUE(ag::check::violations().empty());
}

TEST_F(CheckedTest, SnapshotReadAfterAnOptimizerStepIsStale) {
  TwoByTwo m;
  ag::StateDict old = m.state_dict();
  ag::optim::SGD opt(m.parameters(), ag::optim::SGDOptions(0.1));
  for (const ag::Tensor& p : m.parameters()) p.mutable_grad() = ag::ones(p.sizes());
  const unsigned step_line = __LINE__ + 1;
  opt.step();
  const unsigned use_line = __LINE__ + 1;
  const ag::Tensor norm = old["fc.bias"].mul(old["fc.bias"]).sum();
  const auto stale = of_kind(Kind::StaleSnapshotRead);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].observer.line, use_line);
  EXPECT_EQ(stale[0].write.line, step_line);
  EXPECT_EQ(stale[0].observer.label, "fc.bias");
  EXPECT_EQ(stale[0].storage_bytes, 8u);
}

TEST_F(CheckedTest, RestoringAStaleBestModelIsReportedAtTheLoad) {
  TwoByTwo m;
  ag::StateDict best = m.state_dict();  // meant as a snapshot, but shares storage
  m.fc->weight.data().mul_(2);          // training goes on
  const unsigned load_line = __LINE__ + 1;
  m.load_state_dict(best);
  const auto stale = of_kind(Kind::StaleSnapshotRead);
  ASSERT_FALSE(stale.empty());
  EXPECT_EQ(stale[0].observer.line, load_line);
  EXPECT_EQ(stale[0].observer.label, "fc.weight");
}

// Best weights kept as detach()ed parameters (what state_dict() is built from) and restored
// after training: the copy onto the same bytes restores nothing. See Note [Kept handles].
TEST_F(CheckedTest, RestoringKeptDetachedParametersAfterAStepIsStaleKeptRead) {
  TwoByTwo m;
  std::vector<ag::Tensor> best;
  for (const ag::Tensor& p : m.parameters()) best.push_back(p.detach());
  ag::optim::SGD opt(m.parameters(), ag::optim::SGDOptions(0.1));
  for (const ag::Tensor& p : m.parameters()) p.mutable_grad() = ag::ones(p.sizes());
  const unsigned step_line = __LINE__ + 1;
  opt.step();
  const std::vector<ag::Tensor> params = m.parameters();
  const unsigned restore_line = __LINE__ + 1;
  for (std::size_t i = 0; i < params.size(); ++i) params[i].data().copy_(best[i]);
  const auto kept = of_kind(Kind::StaleKeptRead);
  ASSERT_EQ(kept.size(), 1u) << "one report per (kind, read line, write line)";
  EXPECT_EQ(kept[0].observer.line, restore_line);
  EXPECT_EQ(kept[0].write.line, step_line);
  EXPECT_EQ(ag::check::violations().size(), 1u);
}

// The best model kept on the main thread while training runs on another: the tracker's
// epochs and write log belong to the storage, not to a thread, so the restore after join()
// sees the worker's step, at the worker's line.
TEST_F(CheckedTest, SnapshotRestoredAfterTrainingOnAnotherThreadIsStale) {
  TwoByTwo m;
  const ag::StateDict best = m.state_dict();
  ag::optim::SGD opt(m.parameters(), ag::optim::SGDOptions(0.1));
  unsigned step_line = 0;
  std::thread trainer([&] {
    for (const ag::Tensor& p : m.parameters()) p.mutable_grad() = ag::ones(p.sizes());
    step_line = __LINE__ + 1;
    opt.step();
  });
  trainer.join();
  const unsigned load_line = __LINE__ + 1;
  m.load_state_dict(best);
  const auto stale = of_kind(Kind::StaleSnapshotRead);
  ASSERT_FALSE(stale.empty());
  EXPECT_EQ(stale.size(), ag::check::violations().size());
  for (const auto& v : stale) {
    EXPECT_EQ(base_name(v.observer.file), "reports_test.cpp");
    EXPECT_EQ(v.observer.line, load_line);
    EXPECT_EQ(v.write.line, step_line);
    EXPECT_EQ(v.write.owner, "module");
  }
}

// The converse: the main thread trains, and the snapshot is compared on another thread.
TEST_F(CheckedTest, SnapshotComparedOnAnotherThreadAfterTrainingIsStale) {
  TwoByTwo m;
  const ag::StateDict best = m.state_dict();
  ag::optim::SGD opt(m.parameters(), ag::optim::SGDOptions(0.1));
  for (const ag::Tensor& p : m.parameters()) p.mutable_grad() = ag::ones(p.sizes());
  const unsigned step_line = __LINE__ + 1;
  opt.step();
  unsigned compare_line = 0;
  bool same = false;
  std::thread evaluator([&] {
    compare_line = __LINE__ + 1;
    same = best.at("fc.weight").equal(m.fc->weight);
  });
  evaluator.join();
  EXPECT_TRUE(same) << "the snapshot shares the parameter's storage";
  const auto stale = of_kind(Kind::StaleSnapshotRead);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(ag::check::violations().size(), 1u);
  EXPECT_EQ(base_name(stale[0].observer.file), "reports_test.cpp");
  EXPECT_EQ(stale[0].observer.line, compare_line);
  EXPECT_EQ(stale[0].observer.label, "fc.weight");
  EXPECT_EQ(stale[0].write.line, step_line);
}

// Best weights kept as the list parameters() returns, restored after a step: a bug (the
// restore copies each parameter onto itself), but missed. The kept handles *are* the
// parameters: module-owned handles (Note [Owners] in aliasguard/tracker/tracker.h), the very
// ones the optimizer wrote through, and a handle observes its own writes (Note [Epochs] in
// runtime/tracker/tracker.cpp). The restore through data() does read them as a kept copy
// (Note [Kept handles], tracker.cpp), and finds no write they have not seen. Enabled, this
// test fails: it pins the report a fix must make.
TEST_F(CheckedTest, DISABLED_RestoringKeptParametersAfterAStepIsReported) {
  TwoByTwo m;
  const std::vector<ag::Tensor> best = m.parameters();
  ag::optim::SGD opt(m.parameters(), ag::optim::SGDOptions(0.1));
  for (const ag::Tensor& p : m.parameters()) p.mutable_grad() = ag::ones(p.sizes());
  opt.step();
  const std::vector<ag::Tensor> params = m.parameters();
  const unsigned restore_line = __LINE__ + 1;
  for (std::size_t i = 0; i < params.size(); ++i) params[i].data().copy_(best[i]);
  ASSERT_FALSE(ag::check::violations().empty());
  EXPECT_EQ(ag::check::violations()[0].observer.line, restore_line);
}

// The same with named_parameters(), compared and restored by name: missed for the same reason
// (the compare reads module handles, which never report). Enabled, this test fails.
TEST_F(CheckedTest, DISABLED_RestoringKeptNamedParametersAfterAStepIsReported) {
  TwoByTwo m;
  const auto best = m.named_parameters();
  ag::optim::SGD opt(m.parameters(), ag::optim::SGDOptions(0.1));
  for (const ag::Tensor& p : m.parameters()) p.mutable_grad() = ag::ones(p.sizes());
  opt.step();
  const unsigned compare_line = __LINE__ + 1;
  (void)best["fc.weight"].equal(m.fc->weight);
  ASSERT_FALSE(ag::check::violations().empty());
  EXPECT_EQ(ag::check::violations()[0].observer.line, compare_line);
  ag::check::reset();
  const unsigned restore_line = __LINE__ + 2;
  for (const auto& item : m.named_parameters()) {
    item.value().data().copy_(best[item.key()]);
  }
  ASSERT_FALSE(ag::check::violations().empty());
  EXPECT_EQ(ag::check::violations()[0].observer.line, restore_line);
}

TEST_F(CheckedTest, RestoringFreshOrClonedParametersIsSilent) {
  TwoByTwo m;
  // Taken after the last write: a copy onto the same bytes with nothing in between.
  m.fc->weight.data().mul_(2);
  const ag::Tensor fresh = m.fc->weight.detach();
  m.fc->weight.data().copy_(fresh);
  // Kept as clones: the restore copies real bytes.
  std::vector<ag::Tensor> best;
  for (const ag::Tensor& p : m.parameters()) best.push_back(p.detach().clone());
  m.fc->bias.data().add_(1);
  const std::vector<ag::Tensor> params = m.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) params[i].data().copy_(best[i]);
  EXPECT_TRUE(ag::check::violations().empty());
}

TEST_F(CheckedTest, DeepCopyIsTheFixNotAUse) {
  // The seed deep-copies a state_dict after the module changed it; the copy holds the bytes
  // as they are at the copy, and from then on nothing else can write them.
  TwoByTwo m;
  ag::StateDict sd = m.state_dict();
  m.fc->bias.data().add_(1);
  const ag::StateDict best = ag::deep_copy(sd);
  m.fc->bias.data().add_(1);
  (void)best.at("fc.bias").sum();
  EXPECT_TRUE(ag::check::violations().empty());
  EXPECT_FALSE(best.at("fc.bias").is_alias_of(m.fc->bias));
}

// Lottery-ticket rewinding written with a late deep copy restores the trained weights: the
// copy is made after training, so it holds what the stale snapshot shows by then. The restore
// is the use (Note [Late deep copies] in the tracker); other uses of the copy are not.
TEST_F(CheckedTest, AStaleSnapshotDeepCopiedLateThenLoadedIsReportedAtTheLoad) {
  TwoByTwo m;
  const unsigned snapshot_line = __LINE__ + 1;
  const ag::StateDict init = m.state_dict();
  const unsigned write_line = __LINE__ + 1;
  m.fc->weight.data().add_(1);
  const unsigned copy_line = __LINE__ + 1;
  const ag::StateDict late = ag::deep_copy(init);
  (void)late.at("fc.weight").sum();
  EXPECT_TRUE(ag::check::violations().empty());
  const unsigned load_line = __LINE__ + 1;
  m.load_state_dict(late);
  const auto stale = of_kind(Kind::StaleSnapshotRead);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(base_name(stale[0].observer.file), "reports_test.cpp");
  EXPECT_EQ(stale[0].observer.line, load_line);
  EXPECT_EQ(stale[0].observer.label, "fc.weight");
  EXPECT_EQ(stale[0].observer_created_line, snapshot_line);
  EXPECT_EQ(stale[0].write.line, write_line);
  EXPECT_EQ(stale[0].write.owner, "module");
  EXPECT_EQ(base_name(stale[0].copied_file), "reports_test.cpp");
  EXPECT_EQ(stale[0].copied_line, copy_line);
}

TEST_F(CheckedTest, AStaleSnapshotDeepCopiedInTheLoadOrCopiedIntoAParameterIsReported) {
  TwoByTwo m;
  const ag::StateDict init = m.state_dict();
  m.fc->bias.data().add_(1);
  const unsigned load_line = __LINE__ + 1;
  m.load_state_dict(ag::deep_copy(init));
  const ag::StateDict late = ag::deep_copy(init);
  const unsigned copy_line = __LINE__ + 1;
  m.fc->bias.data().copy_(late.at("fc.bias"));
  const auto stale = of_kind(Kind::StaleSnapshotRead);
  ASSERT_EQ(stale.size(), 2u);
  EXPECT_EQ(stale[0].observer.line, load_line);
  EXPECT_EQ(stale[0].copied_line, load_line);
  EXPECT_EQ(stale[1].observer.line, copy_line);
  EXPECT_EQ(stale[1].observer.label, "fc.bias");
}

TEST_F(CheckedTest, ADeepCopyTakenBeforeTheWriteOrOverwrittenSinceIsRestoredSilently) {
  TwoByTwo m;
  const ag::StateDict init = m.state_dict();
  const ag::StateDict early = ag::deep_copy(init);  // the rewind point, copied in time
  m.fc->weight.data().add_(1);
  m.load_state_dict(early);
  const ag::StateDict late = ag::deep_copy(init);
  for (const std::string& k : late.keys()) late[k].zero_();  // the copy's bytes are its own now
  m.load_state_dict(late);
  EXPECT_TRUE(ag::check::violations().empty());
}

// De-duplication keeps one report per kind and pair of lines, and names the other entries
// that made it: a stale dict loaded back is one report listing every entry.
TEST_F(CheckedTest, AStaleDictLoadedIsOneReportNamingEveryEntry) {
  TwoByTwo m;
  const ag::StateDict best = m.state_dict();
  for (const ag::Tensor& p : m.parameters()) p.data().add_(1);
  m.load_state_dict(best);
  const auto stale = of_kind(Kind::StaleSnapshotRead);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].observer.label, "fc.weight");
  EXPECT_EQ(stale[0].also_entries, std::vector<std::string>{"fc.bias"});
}

// A column of a 2x2 float weight is two runs of 4 bytes, 8 apart: the report says so rather
// than give the bounding range as if it were read whole.
TEST_F(CheckedTest, StridedViewsAreReportedRunByRun) {
  TwoByTwo m;
  const ag::StateDict sd = m.state_dict();
  m.fc->weight.data().narrow(1, 0, 1).add_(1);
  (void)sd.at("fc.weight").narrow(1, 0, 1).sum();
  const auto stale = of_kind(Kind::StaleSnapshotRead);
  ASSERT_EQ(stale.size(), 1u);
  for (const ag::check::Access& a : {stale[0].observer, stale[0].write}) {
    EXPECT_EQ(a.begin, 0u);
    EXPECT_EQ(a.end, 12u);
    EXPECT_EQ(a.runs, 2u);
    EXPECT_EQ(a.run_bytes, 4u);
    EXPECT_EQ(a.run_stride, 8u);
  }
}

TEST_F(CheckedTest, WritingThroughASnapshotIsSeenByTheModule) {
  TwoByTwo m;
  ag::StateDict sd = m.state_dict();
  const unsigned write_line = __LINE__ + 1;
  sd["fc.weight"] *= 0.5;
  const ag::Tensor y = m.fc->weight.sum();
  const auto through = of_kind(Kind::WriteThroughSnapshot);
  ASSERT_EQ(through.size(), 1u);
  EXPECT_EQ(through[0].write.line, write_line);
  EXPECT_EQ(through[0].write.label, "fc.weight");
  EXPECT_EQ(through[0].observer.owner, "module");
}

TEST_F(CheckedTest, AStaleSnapshotThatIsNeverUsedIsNotReported) {
  TwoByTwo m;
  { ag::StateDict unused = m.state_dict(); }
  ag::StateDict kept = m.state_dict();
  m.fc->weight.data().zero_();
  EXPECT_TRUE(ag::check::violations().empty()) << "detection is lazy: at the read that observes the write";
}

TEST_F(CheckedTest, PrintingIsNotAUseButComputingIs) {
  TwoByTwo m;
  ag::StateDict sd = m.state_dict();
  m.fc->weight.data().fill_(1);
  (void)ag::to_string(sd);
  EXPECT_TRUE(ag::check::violations().empty());
  (void)sd["fc.weight"].sum();
  EXPECT_EQ(of_kind(Kind::StaleSnapshotRead).size(), 1u);
}

TEST_F(CheckedTest, ValueAccessorsAreReads) {
  TwoByTwo m;
  ag::StateDict sd = m.state_dict();
  m.fc->bias.data().fill_(3);
  (void)sd["fc.bias"].to_vector<float>();
  ASSERT_EQ(of_kind(Kind::StaleSnapshotRead).size(), 1u);
  ag::check::reset();
  ag::StateDict sd2 = m.state_dict();
  m.fc->bias.data().fill_(4);
  (void)sd2["fc.bias"].equal(m.fc->bias);
  EXPECT_EQ(of_kind(Kind::StaleSnapshotRead).size(), 1u);
}

TEST_F(CheckedTest, MutableDataPtrCountsAsAWrite) {
  TwoByTwo m;
  ag::StateDict sd = m.state_dict();
  const unsigned write_line = __LINE__ + 1;
  float* w = m.fc->weight.mutable_data_ptr<float>();
  w[0] = 42.0f;
  (void)sd["fc.weight"].const_data_ptr<float>();
  const auto stale = of_kind(Kind::StaleSnapshotRead);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].write.line, write_line);
}

TEST_F(CheckedTest, DisjointSlicesOfOneFlatBufferNeverConflict) {
  // Weight and bias as views of one flat buffer (a common fused-parameter layout).
  struct Flat : ag::nn::Module {
    Flat() : Module("Flat") {
      flat = ag::zeros({6});
      w = register_parameter("w", flat.narrow(0, 0, 4).view({2, 2}));
      b = register_parameter("b", flat.narrow(0, 4, 2));
    }
    ag::Tensor flat, w, b;
  } m;
  ag::StateDict sd = m.state_dict();
  m.w.data().add_(1);                   // the module writes only the weight's bytes
  (void)sd["b"].sum();                  // the bias entry never saw a change
  EXPECT_TRUE(ag::check::violations().empty());
  (void)sd["w"].sum();
  EXPECT_EQ(of_kind(Kind::StaleSnapshotRead).size(), 1u);
}

TEST(CheckedExplain, SaysWhatIsSharedAndWhatIsNot) {
  const ag::Tensor flat = ag::zeros({6});
  const ag::Tensor w = flat.narrow(0, 0, 4);
  const ag::Tensor b = flat.narrow(0, 4, 2);
  EXPECT_NE(ag::explain(w, flat).find("bytes [0, 16): a write through either is visible"), std::string::npos)
      << ag::explain(w, flat);
  EXPECT_NE(ag::explain(w, b).find("but no byte"), std::string::npos) << ag::explain(w, b);
  EXPECT_NE(ag::explain(w, w.clone()).find("do not share storage"), std::string::npos);
  EXPECT_NE(ag::explain(w, w).find("same handle"), std::string::npos);
  const std::string s = ag::explain(flat, flat.view({2, 3}));
  EXPECT_NE(s.find("share storage #" + std::to_string(flat.storage_id()) + ", bytes [0, 24)"), std::string::npos) << s;
}

// The tracker runs on the host at op dispatch, so CUDA storage is tracked the same way.
TEST_F(CheckedTest, CudaSnapshotSeesAnOptimizerStepOnTheGpu) {
  if (!ag::cuda::is_available()) GTEST_SKIP() << "no usable CUDA device";
  TwoByTwo m;
  m.to(ag::Device::cuda(0));
  ag::StateDict old = m.state_dict();
  ag::StateDict best = ag::deep_copy(m.state_dict());
  ag::optim::SGD opt(m.parameters(), ag::optim::SGDOptions(0.1));
  for (const ag::Tensor& p : m.parameters()) p.mutable_grad() = ag::ones(p.sizes(), ag::Device::cuda(0));
  opt.step();
  (void)best.at("fc.weight").sum();
  EXPECT_TRUE(ag::check::violations().empty()) << "the deep copy lives in its own device memory";
  (void)old.at("fc.weight").sum();
  const auto stale = of_kind(Kind::StaleSnapshotRead);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].device, "cuda:0");
}

// A module read inside the runtime's own code (Linear::forward reads its weight through
// matmul(), whose Origin defaults to layers.cpp) is reported at the user's call of forward():
// the first frame outside the runtime library. See Note [Library sites] in the tracker.
TEST_F(CheckedTest, ModuleReadInsideTheRuntimeIsReportedAtTheUsersCall) {
  if (!can_name_callers_of_the_runtime()) GTEST_SKIP() << "no libdw.so.1: reports keep the runtime's own line";
  ag::nn::Linear lin(2, 2);
  ag::StateDict sd = lin.state_dict();
  const unsigned write_line = __LINE__ + 1;
  sd["weight"].data().mul_(0.5);
  const unsigned forward_line = __LINE__ + 1;
  (void)lin.forward(ag::ones({1, 2}));
  const auto through = of_kind(Kind::WriteThroughSnapshot);
  ASSERT_EQ(through.size(), 1u);
  EXPECT_EQ(base_name(through[0].observer.file), "reports_test.cpp");
  EXPECT_EQ(through[0].observer.line, forward_line);
  EXPECT_NE(through[0].observer.function.find("ModuleReadInsideTheRuntime"), std::string::npos)
      << through[0].observer.function;
  EXPECT_EQ(through[0].observer.label, "weight");
  EXPECT_EQ(through[0].write.line, write_line);
}

// The same through a model of the user's own (TwoByTwo::forward calls fc->forward): the first
// frame outside the runtime is the user's forward(), in the header that defines the model.
TEST_F(CheckedTest, ModuleReadInsideTheRuntimeUnderAUserModuleIsReportedInTheUsersForward) {
  if (!can_name_callers_of_the_runtime()) GTEST_SKIP() << "no libdw.so.1: reports keep the runtime's own line";
  TwoByTwo m;
  ag::StateDict sd = m.state_dict();
  sd["fc.weight"].data().mul_(0.5);
  (void)m.forward(ag::ones({1, 2}));
  const auto through = of_kind(Kind::WriteThroughSnapshot);
  ASSERT_EQ(through.size(), 1u);
  EXPECT_EQ(base_name(through[0].observer.file), "checked_test_util.h");
  EXPECT_NE(through[0].observer.function.find("TwoByTwo::forward"), std::string::npos) << through[0].observer.function;
}
