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

void PositiveRangeFor(Net &m) {
  for (auto &item : m.state_dict())
    item.value().detach().fill_(0);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: in-place 'fill_' on a tensor from 'm.state_dict()'
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

void PositiveFreeInPlaceFunction(Net &m) {
  auto sd = m.state_dict();
  torch::nn::init::normal_(sd["fc.weight"]);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'normal_' on entry 'fc.weight' from 'm.state_dict()'
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
