// The seed question (docs/seed.md) with the deep copy always made: seed_state_dict.cpp's
// --deep path as straight-line code, line by line. aliasguard-check reports nothing here,
// while seed_state_dict.cpp, where the copy is made on one path only, gets one finding (see
// scripts/demo.sh). Prints exactly what `seed_state_dict --deep` prints (a test compares).

#include <aliasguard/aliasguard.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace ag = aliasguard;

/// The seed's model: one Linear layer named "fc".
struct LogisticRegression : ag::nn::Module {
  LogisticRegression(std::int64_t in_channels, std::int64_t class_num)
      : Module("LogisticRegression"), fc(register_module("fc", std::make_shared<ag::nn::Linear>(in_channels, class_num))) {}
  ag::Tensor forward(const ag::Tensor& x) override { return fc->forward(x); }
  std::shared_ptr<ag::nn::Linear> fc;
};

int main(int /*argc*/, char** argv) {
  try {
    // What real PyTorch 1.13 draws for `torch.manual_seed(0); torch.nn.Linear(2, 2)` (as
    // in seed_state_dict.cpp, whose --init option this example does not have).
    ag::manual_seed(0);
    LogisticRegression m(2, 2);
    m.fc->weight.data().copy_(ag::tensor(std::vector<float>{-0x1.5af244p-8f, 0x1.846d38p-2f, -0x1.29f962p-1f, -0x1.0a703ap-1f}, {2, 2}));
    m.fc->bias.data().copy_(ag::tensor(std::vector<float>{-0x1.16e1acp-2f, 0x1.845556p-3f}, {2}));

    // --- the seed, line by line, with the deep copy --------------------------------------
    ag::StateDict a = m.state_dict();
    std::cout << m.state_dict() << '\n' << a << '\n';
    for (const ag::Tensor& v : m.parameters()) v.data() -= 0.5 * v.data();
    std::cout << "state_dict() is shallow copy:\n";
    std::cout << m.state_dict() << '\n' << a << '\n';
    a = ag::deep_copy(a);
    for (const std::string& k : a.keys()) a[k].data() -= 0.5 * a[k].data();
    std::cout << "load_state_dict() is ? copy:\n";
    std::cout << m.state_dict() << '\n' << a << '\n';
    for (const ag::Tensor& p : m.parameters()) p.data() -= 0.5 * p.data();
    std::cout << "load_state_dict() is ? copy:\n";
    std::cout << m.state_dict() << '\n' << a << '\n';
  } catch (const ag::Error& e) {
    std::fprintf(stderr, "%s: error: %s\n", argv[0], e.what());
    return 1;
  }
  return 0;
}
