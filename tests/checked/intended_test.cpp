// Intended updates are never reported: optimizer code, initialisation through parameters(),
// loading from another model or a deep copy, gradient averaging, target-network soft
// updates, snapshots made with clone() or deep_copy(), tied weights, self-loads, edited dicts
// loaded back, EMA through a dict that is not kept.

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
