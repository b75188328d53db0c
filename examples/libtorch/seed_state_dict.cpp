// The seed question (docs/seed.md) in LibTorch: is a state_dict a deep or a shallow copy?
// The same steps as seed_reference.py, with aliasguard::torch::state_dict standing in for
// PyTorch's Module.state_dict() (LibTorch has none). Run with --shallow (halving the dict's
// entries halves the model: checked builds report it) or --deep (a = deep_copy(a): silent).
// Its output is the same whether AliasGuard::torch or AliasGuard::torch_checked is linked;
// reports go to stderr.

#include <aliasguard/torch.h>
#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <string>

namespace ag = aliasguard::torch;

/// The seed's model: one Linear layer named "fc".
struct LogisticRegressionImpl : torch::nn::Module {
  LogisticRegressionImpl(std::int64_t in, std::int64_t classes) : fc(register_module("fc", torch::nn::Linear(in, classes))) {}
  torch::Tensor forward(const torch::Tensor& x) { return fc->forward(x); }
  torch::nn::Linear fc;
};
TORCH_MODULE(LogisticRegression);

namespace {

void print(const ag::StateDict& dict) {
  for (const auto& item : dict) std::cout << item.key() << ":\n" << item.value() << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 2 ? argv[1] : "";
  if (mode != "--shallow" && mode != "--deep") {
    std::fprintf(stderr, "usage: %s --shallow|--deep\n", argv[0]);
    return 2;
  }
  torch::manual_seed(0);
  LogisticRegression m(2, 2);
  torch::NoGradGuard no_grad;  // as Python's `v.data -= ...`: updates outside autograd

  ag::StateDict a = ag::state_dict(*m);
  print(ag::state_dict(*m));
  print(a);
  for (auto& v : m->parameters()) v -= 0.5 * v;
  std::cout << "state_dict() is shallow copy:\n";
  print(ag::state_dict(*m));
  print(a);
  if (mode == "--deep") a = ag::deep_copy(a);
  for (auto& item : a) item.value() -= 0.5 * item.value();
  std::cout << "load_state_dict() is ? copy:\n";
  print(ag::state_dict(*m));
  print(a);
  for (auto& p : m->parameters()) p -= 0.5 * p;
  std::cout << "load_state_dict() is ? copy:\n";
  print(ag::state_dict(*m));
  print(a);
  return 0;
}
