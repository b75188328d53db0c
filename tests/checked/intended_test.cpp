// Intended updates are never reported: optimizer code, initialisation through parameters(),
// loading from another model or a deep copy, gradient averaging, target-network soft
// updates, snapshots made with clone() or deep_copy(), tied weights, self-loads, edited dicts
// loaded back, EMA through a dict that is not kept, freezing, gradient accumulation, exact
// initial values, reset_parameters(), SWA and checkpoint averaging. The last test is the bug
// those idioms must not be confused with: a snapshot kept across reset_parameters().

#include "checked_test_util.h"

TEST_F(CheckedTest, OptimizerStepsWithMomentumAndWeightDecay) {
  TwoByTwo m;
  ag::optim::SGD opt(m.parameters(), ag::optim::SGDOptions(0.1).momentum(0.9).weight_decay(1e-4));
  for (int step = 0; step < 3; ++step) {
    for (const ag::Tensor& p : m.parameters()) p.mutable_grad() = ag::full(p.sizes(), 0.25);
    opt.step();
    opt.zero_grad(/*set_to_none=*/false);
  }
  (void)m.forward(ag::ones({3, 2})).sum();
  EXPECT_TRUE(ag::check::violations().empty());
}

TEST_F(CheckedTest, InitialisationThroughParameters) {
  TwoByTwo m;
  for (const ag::Tensor& p : m.parameters()) p.data().uniform_(-0.1, 0.1);
  for (const ag::Tensor& p : m.parameters()) p.zero_();
  (void)m.forward(ag::ones({1, 2}));
  EXPECT_TRUE(ag::check::violations().empty());
}

TEST_F(CheckedTest, LoadFromAnotherModelAndFromADeepCopy) {
  TwoByTwo a, b;
  a.load_state_dict(b.state_dict());
  const ag::StateDict best = ag::deep_copy(a.state_dict());
  a.fc->weight.data().mul_(3);
  a.load_state_dict(best);
  (void)a.forward(ag::ones({1, 2}));
  (void)best.at("fc.weight").sum();
  EXPECT_TRUE(ag::check::violations().empty());
}

TEST_F(CheckedTest, LoadingTheModulesOwnFreshStateDictIsNotAViolation) {
  TwoByTwo m;
  m.load_state_dict(m.state_dict());
  EXPECT_TRUE(ag::check::violations().empty());
}

// Pruning or editing through the module's own state_dict, then loading that dict back: the
// module takes the edited values as its own, and the dict stays usable.
// See Note [Loading a dict back] in the tracker.
// The analyzer decides the same (Note [Dicts that are not kept] in AliasTransfer.cpp).
TEST_F(CheckedTest, EditedStateDictLoadedBackIntoItsModule) {
  TwoByTwo m;
  ag::StateDict sd = m.state_dict();
  sd["fc.weight"].mul_(0.5);
  sd["fc.bias"].zero_();
  m.load_state_dict(sd);
  (void)m.forward(ag::ones({1, 2}));
  (void)sd.at("fc.weight").sum();
  EXPECT_TRUE(ag::check::violations().empty());
  // An EMA of the EMA model through a dict it does not keep. See Note [Kept snapshots].
  TwoByTwo ema;
  for (int step = 0; step < 2; ++step) {
    for (auto& item : ema.state_dict()) item.value().mul_(0.9);
    (void)ema.forward(ag::ones({1, 2}));
  }
  EXPECT_TRUE(ag::check::violations().empty());
}

TEST_F(CheckedTest, SnapshotsMadeWithCloneStayPrivate) {
  TwoByTwo m;
  const ag::Tensor best_w = m.fc->weight.detach().clone();
  m.fc->weight.data().add_(1);
  m.fc->weight.data().copy_(best_w);
  (void)best_w.sum();
  EXPECT_TRUE(ag::check::violations().empty());
}

TEST_F(CheckedTest, GradientAveraging) {
  TwoByTwo m;
  for (const ag::Tensor& p : m.parameters()) p.mutable_grad() = ag::ones(p.sizes());
  const int n = 4;
  for (const ag::Tensor& p : m.parameters()) p.grad().data() = p.grad().data() / n;
  ag::optim::SGD(m.parameters(), ag::optim::SGDOptions(0.1)).step();
  EXPECT_TRUE(ag::check::violations().empty());
}

TEST_F(CheckedTest, TargetNetworkSoftUpdate) {
  TwoByTwo online, target;
  target.load_state_dict(online.state_dict());
  const double tau = 0.01;
  for (int i = 0; i < 3; ++i) {
    online.fc->weight.data().add_(0.1);
    const auto src = online.parameters();
    const auto dst = target.parameters();
    for (std::size_t k = 0; k < dst.size(); ++k) dst[k].data().mul_(1 - tau).add_(tau * src[k].data());
  }
  (void)target.forward(ag::ones({1, 2}));
  EXPECT_TRUE(ag::check::violations().empty());
}

TEST_F(CheckedTest, TiedWeightsAreOneOwner) {
  // One tensor registered under two names, as weight tying does.
  struct Tied : ag::nn::Module {
    Tied() : Module("Tied") {
      w = register_parameter("encoder_weight", ag::ones({2, 2}));
      register_parameter("decoder_weight", w);
    }
    ag::Tensor w;
  } m;
  ag::optim::SGD opt(m.parameters(), ag::optim::SGDOptions(0.1));
  m.w.mutable_grad() = ag::ones({2, 2});
  opt.step();
  (void)m.w.sum();
  const ag::StateDict copy = ag::deep_copy(m.state_dict());
  EXPECT_TRUE(copy.at("encoder_weight").is_alias_of(copy.at("decoder_weight")));
  (void)copy.at("decoder_weight").sum();
  EXPECT_TRUE(ag::check::violations().empty());
}

TEST_F(CheckedTest, UserTensorsSharingStorageAreNotOwnersConflicts) {
  // Only snapshot/module pairs are violations in the default owner domain; plain views of
  // a user tensor writing each other is ordinary tensor code.
  const ag::Tensor a = ag::zeros({4});
  const ag::Tensor v = a.view({2, 2});
  v.add_(1);
  (void)a.sum();
  EXPECT_TRUE(ag::check::violations().empty());
}

// Frozen parameters get no gradient, so the optimizer skips them; the others train. Both
// are the module's own handles writing the module.
TEST_F(CheckedTest, FreezingSomeParametersThenTraining) {
  TwoByTwo m;
  m.fc->bias.set_requires_grad(false);
  const ag::Tensor bias_before = ag::deep_copy(m.fc->bias);
  ag::optim::SGD opt(m.parameters(), ag::optim::SGDOptions(0.1));
  for (int step = 0; step < 3; ++step) {
    for (const ag::Tensor& p : m.parameters())
      if (p.requires_grad()) p.mutable_grad() = ag::full(p.sizes(), 0.5);
    opt.step();
    opt.zero_grad();
  }
  (void)m.forward(ag::ones({1, 2}));
  EXPECT_EQ(m.fc->bias.to_vector<float>(), bias_before.to_vector<float>());
  EXPECT_TRUE(ag::check::violations().empty());
}

// One step() per several backward passes: the gradients add up in their own slots (this
// runtime has no autograd, so each pass adds its gradient by hand).
TEST_F(CheckedTest, GradientAccumulation) {
  TwoByTwo m;
  ag::optim::SGD opt(m.parameters(), ag::optim::SGDOptions(0.1));
  const int micro_batches = 4;
  for (int step = 0; step < 2; ++step) {
    opt.zero_grad(/*set_to_none=*/false);
    for (int micro = 0; micro < micro_batches; ++micro) {
      (void)m.forward(ag::ones({1, 2}));
      for (const ag::Tensor& p : m.parameters()) {
        const ag::Tensor g = ag::full(p.sizes(), 0.25 / micro_batches);
        if (p.grad().defined()) {
          p.grad().add_(g);
        } else {
          p.mutable_grad() = g;
        }
      }
    }
    opt.step();
  }
  (void)m.forward(ag::ones({1, 2}));
  EXPECT_TRUE(ag::check::violations().empty());
}

// A test assigning exact initial values (through data(), and through the handle) and then
// comparing the live values after a step: every read is of the module's own parameters.
TEST_F(CheckedTest, ExactInitialValuesThenCompareLive) {
  TwoByTwo m;
  m.fc->weight.data().copy_(ag::full({2, 2}, 0.5));
  m.fc->bias.copy_(ag::zeros({2}));
  ag::optim::SGD opt(m.parameters(), ag::optim::SGDOptions(0.5));
  for (const ag::Tensor& p : m.parameters()) p.mutable_grad() = ag::ones(p.sizes());
  opt.step();
  const ag::Tensor expected_w = ag::full({2, 2}, 0.5).sub_(0.5);
  const ag::Tensor expected_b = ag::zeros({2}).sub_(0.5);
  EXPECT_EQ(m.fc->weight.to_vector<float>(), expected_w.to_vector<float>());
  auto named = m.named_parameters();
  EXPECT_EQ(named.at("fc.bias").to_vector<float>(), expected_b.to_vector<float>());
  EXPECT_TRUE(ag::check::violations().empty());
}

// Re-initialising a layer is the module writing itself; training afterwards reads what it
// wrote.
TEST_F(CheckedTest, ResetParametersThenTraining) {
  TwoByTwo m;
  ag::optim::SGD opt(m.parameters(), ag::optim::SGDOptions(0.1));
  for (const ag::Tensor& p : m.parameters()) p.mutable_grad() = ag::ones(p.sizes());
  opt.step();
  m.fc->reset_parameters();
  for (int step = 0; step < 2; ++step) {
    for (const ag::Tensor& p : m.parameters()) p.mutable_grad() = ag::full(p.sizes(), 0.1);
    opt.step();
  }
  (void)m.forward(ag::ones({1, 2}));
  EXPECT_TRUE(ag::check::violations().empty());
}

// timm's ModelEmaV2 blend: the EMA model's own state_dict, not kept, written with the live
// model's fresh values, then the EMA model's forward. See Note [Kept snapshots].
TEST_F(CheckedTest, EmaBlendThroughItsOwnStateDictThatIsNotKept) {
  TwoByTwo model, ema;
  ag::optim::SGD opt(model.parameters(), ag::optim::SGDOptions(0.1));
  const double decay = 0.9;
  for (int step = 0; step < 3; ++step) {
    for (const ag::Tensor& p : model.parameters()) p.mutable_grad() = ag::ones(p.sizes());
    opt.step();
    const ag::StateDict current = model.state_dict();
    for (auto& item : ema.state_dict()) item.value().mul_(decay).add_(current.at(item.key()), 1 - decay);
    (void)ema.forward(ag::ones({1, 2}));
  }
  EXPECT_TRUE(ag::check::violations().empty());
}

// Stochastic weight averaging into a separate model: the average is written from the
// model's parameters each step (copy_ first, then a running mean); neither model keeps a
// handle on the other's storage.
TEST_F(CheckedTest, SwaAveragingIntoASeparateModel) {
  TwoByTwo model, swa;
  ag::optim::SGD opt(model.parameters(), ag::optim::SGDOptions(0.1));
  for (int n = 0; n < 4; ++n) {
    for (const ag::Tensor& p : model.parameters()) p.mutable_grad() = ag::ones(p.sizes());
    opt.step();
    const auto src = model.parameters();
    const auto dst = swa.parameters();
    for (std::size_t k = 0; k < dst.size(); ++k) {
      if (n == 0) {
        dst[k].data().copy_(src[k].data());
      } else {
        dst[k].data().mul_(static_cast<double>(n) / (n + 1)).add_(src[k].data(), 1.0 / (n + 1));
      }
    }
  }
  (void)swa.forward(ag::ones({1, 2}));
  (void)model.forward(ag::ones({1, 2}));
  EXPECT_TRUE(ag::check::violations().empty());
}

// Checkpoint averaging: two deep-copied checkpoints of one training run, averaged into a
// third dict and loaded into another module. Deep copies own their storage.
TEST_F(CheckedTest, CheckpointAveragingIntoAThirdModule) {
  TwoByTwo model, averaged;
  ag::optim::SGD opt(model.parameters(), ag::optim::SGDOptions(0.1));
  for (const ag::Tensor& p : model.parameters()) p.mutable_grad() = ag::ones(p.sizes());
  opt.step();
  const ag::StateDict first = ag::deep_copy(model.state_dict());
  opt.step();
  const ag::StateDict second = ag::deep_copy(model.state_dict());
  opt.step();
  ag::StateDict mean = ag::deep_copy(first);
  for (auto& item : mean) item.value().add_(second.at(item.key())).div_(2);
  averaged.load_state_dict(mean);
  (void)averaged.forward(ag::ones({1, 2}));
  (void)model.forward(ag::ones({1, 2}));
  EXPECT_TRUE(ag::check::violations().empty());
}

// The bug next to the reset_parameters() idiom: a state_dict kept across the reset shares
// the parameters' storage, so "restoring" it copies the new values onto themselves.
TEST_F(CheckedTest, SnapshotKeptAcrossResetParametersThenRestoredIsStaleSnapshotRead) {
  TwoByTwo m;
  const ag::StateDict before = m.state_dict();
  m.fc->reset_parameters();
  const unsigned load_line = __LINE__ + 1;
  m.load_state_dict(before);
  const auto stale = of_kind(ag::check::Kind::StaleSnapshotRead);
  ASSERT_FALSE(stale.empty());
  EXPECT_EQ(stale.size(), ag::check::violations().size());
  for (const auto& v : stale) {
    EXPECT_EQ(base_name(v.observer.file), "intended_test.cpp");
    EXPECT_EQ(v.observer.line, load_line);
    EXPECT_EQ(v.write.owner, "module");
  }
}

// The list of parameters an optimizer was built from is the module's own handles, not a
// snapshot: reading it after steps reads the values the steps made. The same reads of a
// state_dict() taken before the steps are uses of a stale snapshot, so the reads below are
// checked ones.
TEST_F(CheckedTest, LiveParameterListOfAnOptimizerReadAfterSteps) {
  TwoByTwo m;
  const std::vector<ag::Tensor> params = m.parameters();
  const ag::StateDict before = m.state_dict();
  ag::optim::SGD opt(params, ag::optim::SGDOptions(0.1));
  for (int step = 0; step < 2; ++step) {
    for (const ag::Tensor& p : params) p.mutable_grad() = ag::ones(p.sizes());
    opt.step();
  }
  double norm = 0;
  for (const ag::Tensor& p : params) norm += p.mul(p).sum().item<double>();
  EXPECT_GT(norm, 0.0);
  EXPECT_TRUE(params[0].equal(m.fc->weight));
  (void)m.forward(ag::ones({1, 2}));
  EXPECT_TRUE(ag::check::violations().empty());
  (void)before.at("fc.weight").sum();
  EXPECT_EQ(of_kind(ag::check::Kind::StaleSnapshotRead).size(), 1u);
}
