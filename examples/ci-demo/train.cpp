// A small training program with the "best model" bug, for docs/ci.md: `best` is taken with
// state_dict(), which shares storage with the model, so every later step changes it and
// "restoring the best weights" restores the last ones.
#include <aliasguard/aliasguard.h>

#include <cstdio>

namespace ag = aliasguard;

ag::StateDict train(ag::nn::Linear &model, int epochs) {
  ag::optim::SGD opt(model.parameters(), ag::optim::SGDOptions(0.1));
  ag::StateDict best;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    model.weight.mutable_grad() = ag::ones({2, 2});
    model.bias.mutable_grad() = ag::ones({2});
    opt.step();
    if (epoch == 0)
      best = model.state_dict(); // the bug: not ag::deep_copy(model.state_dict())
  }
  return best;
}

int main() {
  ag::manual_seed(0);
  ag::nn::Linear model(2, 2);
  const ag::StateDict best = train(model, 3);
  model.load_state_dict(best);
  std::printf("restored weight sum %.4f\n", static_cast<double>(model.weight.sum().item<float>()));
  return 0;
}
