// RUN: %check_aliasguard %s aliasguard-state-dict-mutation %t -- -I%S/Inputs

#include "mock_torch.h"

using Dict = torch::OrderedDict<std::string, torch::Tensor>;

struct Net : torch::nn::Module {
  torch::nn::Linear fc{2, 2};
};

void PositiveConstantKey(Net &m) {
  Dict sd = m.state_dict();
  sd["fc.weight"].mul_(0.5);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'mul_' on entry 'fc.weight' from 'm.state_dict()' also writes the module's storage; deep-copy it first (clone(), deep_copy()) [aliasguard-state-dict-mutation]
}

void PositiveCopyOfTheDict(Net &m) {
  Dict sd = m.state_dict();
  Dict copy = sd; // copies handles, not storage
  copy.at("fc.bias").zero_();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'zero_' on entry 'fc.bias' from 'm.state_dict()'
}

// The seed's line: halving the dict's entries halves the model.
void PositiveSeedLoop(Net &m) {
  Dict a = m.state_dict();
  for (const std::string &k : a.keys())
    a[k].data() -= 0.5 * a[k].data();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: in-place 'operator-=' on a tensor from 'm.state_dict()'
}

// A dict no variable keeps is never used as a copy: writing through it updates the module
// on purpose (Note [Dicts that are not kept]; EMA through `ema.state_dict()`).
void NegativeRangeForOverTheCall(Net &m) {
  for (auto &item : m.state_dict())
    item.value().detach().fill_(0);
}

void PositiveRangeForOverAKeptDict(Net &m) {
  auto sd = m.state_dict();
  for (auto &item : sd)
    item.value().detach().fill_(0);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: in-place 'fill_' on a tensor from 'm.state_dict()'
}

// Pruning through the module's own dict, loaded back into it: an update of the module.
void NegativeEditedThenLoadedBack(Net &m) {
  auto sd = m.state_dict();
  sd["fc.weight"].mul_(0.5);
  m.load_state_dict(sd);
}

void PositiveEditedThenLoadedIntoAnotherModule(Net &m, Net &other) {
  auto sd = m.state_dict();
  sd["fc.weight"].mul_(0.5);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'mul_' on entry 'fc.weight' from 'm.state_dict()'
  other.load_state_dict(sd);
}

void PositiveHolderArrowAndView(torch::nn::Linear &lin) {
  auto sd = lin->state_dict();
  torch::Tensor w = sd["weight"].view(-1);
  w += w;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'operator+=' on entry 'weight' from 'lin->state_dict()'
}

void PositiveAssignThroughData(Net &m, const torch::Tensor &src) {
  auto sd = m.state_dict();
  sd["fc.weight"].data() = src; // operator= on a temporary copies values
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'operator=' on entry 'fc.weight' from 'm.state_dict()'
}

// torch::nn::init::* (UpdateFunctions) initialises the module through whatever handle it
// is given: re-initialising through the dict means to change the model.
void NegativeInitFunctionThroughTheDict(Net &m) {
  auto sd = m.state_dict();
  torch::nn::init::normal_(sd["fc.weight"]);
}

void PositiveChainReportsOnce(Net &m) {
  auto sd = m.state_dict();
  sd["fc.bias"].mul_(2).add_(1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'mul_' on entry 'fc.bias' from 'm.state_dict()'
}

void PositiveLaterLoopIteration(Net &m, int n) {
  Dict sd;
  torch::Tensor w;
  for (int i = 0; i < n; ++i) {
    if (i > 0)
      w.add_(1.0); // on the second iteration, w is the entry taken below
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: in-place 'add_' on entry 'fc.weight' from 'm.state_dict()'
    sd = m.state_dict();
    w = sd["fc.weight"];
  }
}

void PositiveOnOnePath(Net &m, bool deep) {
  Dict a = m.state_dict();
  if (deep)
    a = torch::deep_copy(a);
  a["fc.weight"].add_(1.0); // the !deep path writes the model
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'add_' on entry 'fc.weight' from 'm.state_dict()'
}

void NegativeDeepCopy(Net &m) {
  Dict a = m.state_dict();
  a = torch::deep_copy(a);
  a["fc.weight"].add_(1.0);
  for (auto &item : a)
    item.value().zero_();
}

void NegativeClone(Net &m, const torch::TensorOptions &opts) {
  auto sd = m.state_dict();
  torch::Tensor w = sd["fc.weight"].clone();
  w.mul_(0.5);
  torch::Tensor b = sd["fc.bias"].to(opts, false, /*copy=*/true);
  b.zero_();
}

void NegativeReadsOnly(Net &m) {
  auto sd = m.state_dict();
  double s = sd["fc.weight"].item();
  torch::Tensor twice = sd["fc.weight"] * 2.0; // new storage
  twice.mul_(s);
  std::cout << sd["fc.bias"];
}

void NegativeRebindEntry(Net &m, const torch::Tensor &t) {
  auto sd = m.state_dict();
  sd["fc.weight"] = t; // rebinds the dict's handle; the module is untouched
}

// Initialisation and updates are written through parameters(): intended.
void NegativeParametersUnderNoGrad(Net &m) {
  torch::NoGradGuard no_grad;
  for (auto &p : m.parameters())
    p.normal_();
  for (auto &item : m.named_parameters())
    item.value().zero_();
}

void NegativeStateDictUnderNoGrad(Net &m) {
  torch::NoGradGuard no_grad;
  auto sd = m.state_dict();
  sd["fc.weight"].fill_(0.0);
}

// A target network's soft update copies another module's values on purpose.
void NegativeSoftUpdate(Net &target, Net &online, double tau) {
  Dict t = target.state_dict();
  Dict s = online.state_dict();
  for (auto &item : t)
    item.value().mul_(1 - tau).add_(tau * s[item.key()]);
  t["fc.bias"].copy_(online.fc->bias);
}

void NegativeRequiresGradFlag(Net &m) {
  auto sd = m.state_dict();
  sd["fc.weight"].requires_grad_(false); // a flag on the detached handle only
}

// Helpers of the same file are followed through summaries: one that returns module
// storage (a user-written state_dict(), as LibTorch has none), one that returns its
// argument, and one that writes its argument in place.
Dict state_dict(const torch::nn::Module &m) {
  Dict out;
  for (auto &item : m.named_parameters())
    out[item.key()] = item.value().detach();
  return out;
}
torch::Tensor &weight_of(Dict &sd) { return sd["fc.weight"]; }
void halve(const torch::Tensor &t) { t.mul_(0.5); }
double norm(const torch::Tensor &t) { return t.item(); }

void PositiveUserWrittenStateDict(Net &m) {
  Dict sd = state_dict(m);
  sd["fc.bias"].zero_();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'zero_' on entry 'fc.bias' from 'state_dict(m)'
}

void PositiveHelperReturnsItsArgument(Net &m) {
  Dict sd = m.state_dict();
  weight_of(sd).add_(1.0);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'add_' on entry 'fc.weight' from 'm.state_dict()'
}

void PositiveHelperWritesItsArgument(Net &m) {
  Dict sd = m.state_dict();
  halve(sd["fc.weight"]);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'halve' on entry 'fc.weight' from 'm.state_dict()'
}

void PositiveLambdaWritesItsArgument(Net &m) {
  auto scale = [](const torch::Tensor &t, double f) { t.mul_(f); };
  Dict sd = m.state_dict();
  scale(sd["fc.bias"], 2.0);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'scale' on entry 'fc.bias' from 'm.state_dict()'
}

// ATen's out= variants write their `out` argument: first in `*_out`, last in `*_outf`.
namespace torch {
Tensor &add_out(Tensor &out, const Tensor &a, const Tensor &b);
Tensor &mul_outf(const Tensor &a, const Tensor &b, Tensor &out);
} // namespace torch

void PositiveOutVariants(Net &m, const torch::Tensor &x) {
  Dict sd = m.state_dict();
  torch::add_out(sd["fc.weight"], x, x);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'add_out' on entry 'fc.weight' from 'm.state_dict()'
  torch::mul_outf(x, x, sd["fc.bias"]);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'mul_outf' on entry 'fc.bias' from 'm.state_dict()'
}

void NegativeOutVariantIntoNewStorage(Net &m, torch::Tensor &out) {
  Dict sd = m.state_dict();
  torch::add_out(out, sd["fc.weight"], sd["fc.bias"]); // reads the dict, writes `out`
}

Dict cloned_state(const torch::nn::Module &m) {
  Dict out;
  for (auto &item : m.named_parameters())
    out[item.key()] = item.value().detach().clone();
  return out;
}
void init_under_no_grad(const torch::Tensor &t) {
  torch::NoGradGuard no_grad;
  t.normal_();
}
int recurse(Dict &sd, int n) { return n > 0 ? recurse(sd, n - 1) : 0; }

void NegativeHelpers(Net &m) {
  Dict copy = cloned_state(m);
  copy["fc.weight"].zero_();
  Dict sd = m.state_dict();
  (void)norm(sd["fc.weight"]);
  init_under_no_grad(sd["fc.bias"]); // an intended update, as under a guard here
  (void)recurse(sd, 3);
  halve(copy["fc.bias"]);
}

// Storage taken through parameters() is not state_dict() storage: writing it is how
// parameters are updated, and a helper collecting it is not an alias source here.
std::vector<torch::Tensor> params_of(const torch::nn::Module &m) {
  std::vector<torch::Tensor> v;
  for (auto &p : m.parameters())
    v.push_back(p.detach());
  return v;
}
void NegativeParametersThroughHelper(Net &m) {
  for (auto &p : params_of(m))
    p.mul_(0.9);
}

// The CFG of a template with a discarded `if constexpr` branch and a throwing switch has
// edges that lead nowhere; the analysis must walk it (it once crashed here).
template <class T> double NegativeIfConstexprTemplate(Net &m, int op) {
  if constexpr (sizeof(T) == 4) {
    switch (op) {
    case 0: return m.state_dict()["fc.weight"].item();
    case 1: return 1.0;
    }
  } else {
    switch (op) {
    case 0: return 0.0;
    default: throw 1;
    }
  }
  return 0.0;
}
double instantiate(Net &m) { return NegativeIfConstexprTemplate<float>(m, 0); }
