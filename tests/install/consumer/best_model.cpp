// The "best model" bug, built against an installed aliasguard: a snapshot taken with
// state_dict() shares storage with the parameters, so after an optimizer step "restoring" it
// restores nothing. Linked checked (Debug, or pkg-config's aliasguard-checked) the runtime
// reports a stale-snapshot-read and the program exits with status 23; linked unchecked it
// runs silently and exits 0.
#include <aliasguard/aliasguard.h>
#include <aliasguard/check.h>

#include <cstdio>
#include <memory>

namespace ag = aliasguard;

int main() {
  ag::manual_seed(0);
  auto model = std::make_shared<ag::nn::Linear>(2, 2);
  ag::StateDict best = model->state_dict();  // the bug: not ag::deep_copy(model->state_dict())

  ag::optim::SGD opt(model->parameters(), ag::optim::SGDOptions(0.1));
  model->weight.mutable_grad() = ag::ones({2, 2});
  model->bias.mutable_grad() = ag::ones({2});
  opt.step();  // writes the parameters, and so the "best" snapshot

  model->load_state_dict(best);  // "restore the best weights": reads the stale snapshot
  const float w = best["weight"].sum().item<float>();

  std::printf("checked=%d weight-sum=%.4f\n", ag::check::enabled() ? 1 : 0, static_cast<double>(w));
  return 0;
}
