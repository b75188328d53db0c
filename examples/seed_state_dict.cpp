// A line-by-line port of the seed question (docs/seed.md): is state_dict() a deep or a
// shallow copy? Run with --shallow (no deep copy: halving the dict's entries halves the
// model) or --deep (a = deep_copy(a): the dict and the model part ways).
//
// The printed output is PyTorch's format, so it can be compared line by line with
// `python3 seed_reference.py shallow|deep` on real PyTorch.

#include <aliasguard/aliasguard.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>
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

namespace {

// The values real PyTorch 1.13 draws for `torch.manual_seed(0); torch.nn.Linear(2, 2)`, the
// seed script's first two lines, printed by PyTorch as exact float32 hex. Our generator is
// not PyTorch's, so by default the example starts from PyTorch's numbers; --random-init
// uses aliasguard's own generator instead.
const std::vector<float> kPyTorchSeed0Init = {-0x1.5af244p-8f, 0x1.846d38p-2f,  -0x1.29f962p-1f,
                                              -0x1.0a703ap-1f, -0x1.16e1acp-2f, 0x1.845556p-3f};

int usage(const char* argv0, const std::string& problem) {
  if (!problem.empty()) std::fprintf(stderr, "%s: %s\n", argv0, problem.c_str());
  std::fprintf(stderr,
               "usage: %s --shallow|--deep [--init=W00,W01,W10,W11,B0,B1 | --random-init]\n"
               "  --shallow       keep the state_dict as returned (it shares storage with the model)\n"
               "  --deep          replace it with aliasguard::deep_copy(a), as the seed's copy.deepcopy\n"
               "  --init=...      the six initial values of fc.weight (row-major) and fc.bias\n"
               "                  (default: what PyTorch draws after torch.manual_seed(0))\n"
               "  --random-init   draw the initial values from aliasguard's generator, seed 0\n",
               argv0);
  return 2;
}

std::vector<float> parse_init(const std::string& text) {
  std::vector<float> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::size_t used = 0;
    values.push_back(std::stof(item, &used));
    if (used != item.size()) throw std::invalid_argument(item);
  }
  if (values.size() != 6) throw std::invalid_argument("expected 6 values, got " + std::to_string(values.size()));
  return values;
}

}  // namespace

int main(int argc, char** argv) {
  int mode = -1;  // 0 shallow, 1 deep
  bool random_init = false;
  std::vector<float> init = kPyTorchSeed0Init;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--shallow" || arg == "shallow") mode = 0;
    else if (arg == "--deep" || arg == "deep") mode = 1;
    else if (arg == "--random-init") random_init = true;
    else if (arg.rfind("--init=", 0) == 0) {
      try {
        init = parse_init(arg.substr(7));
      } catch (const std::exception&) {
        return usage(argv[0], "--init needs six comma-separated numbers, got '" + arg.substr(7) + "'");
      }
    } else if (arg == "--help" || arg == "-h") return usage(argv[0], "");
    else return usage(argv[0], "unknown argument '" + arg + "'");
  }
  if (mode < 0) return usage(argv[0], "choose --shallow or --deep");
  const bool deep = mode == 1;

  try {
    ag::manual_seed(0);
    LogisticRegression m(2, 2);
    if (!random_init) {
      m.fc->weight.data().copy_(ag::tensor(std::vector<float>(init.begin(), init.begin() + 4), {2, 2}));
      m.fc->bias.data().copy_(ag::tensor(std::vector<float>(init.begin() + 4, init.end()), {2}));
    }

    // --- the seed, line by line --------------------------------------------------------
    ag::StateDict a = m.state_dict();
    std::cout << m.state_dict() << '\n' << a << '\n';
    for (const ag::Tensor& v : m.parameters()) v.data() -= 0.5 * v.data();
    std::cout << "state_dict() is shallow copy:\n";
    std::cout << m.state_dict() << '\n' << a << '\n';
    if (deep) a = ag::deep_copy(a);
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
