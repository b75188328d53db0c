// REQUIRES: libtorch
// RUN: %check_aliasguard %s aliasguard-state-dict-mutation %t -- -I%torch_include
// The real LibTorch headers (Debian's libtorch-dev). LibTorch's Module has no
// state_dict(); projects write one, usually collecting detach()ed parameters, which share
// storage all the same. The check follows that helper through its summary.

#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/nn/init.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/utils.h>

using Dict = torch::OrderedDict<std::string, torch::Tensor>;

Dict state_dict(const torch::nn::Module &m) {
  Dict out;
  for (const auto &item : m.named_parameters())
    out.insert(item.key(), item.value().detach());
  return out;
}

void PositiveUserStateDict(torch::nn::Linear &model) {
  Dict sd = state_dict(*model);
  sd["weight"].mul_(0.5);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'mul_' on entry 'weight' from 'state_dict(*model)' also writes the module's storage; deep-copy it first (clone(), deep_copy()) [aliasguard-state-dict-mutation]
}

void PositiveOutVariantButNotInit(torch::nn::Linear &model, const torch::Tensor &x) {
  Dict sd = state_dict(*model);
  torch::add_out(sd["bias"], x, x);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: in-place 'add_out' on entry 'bias' from 'state_dict(*model)'
  torch::nn::init::normal_(sd["weight"]); // an intended initialisation (UpdateFunctions)
}

// Over the call itself: no variable keeps the dict, so the write updates the module on
// purpose (an EMA written through the EMA model's own dict).
void NegativeRangeForOverTheCall(torch::nn::Linear &model) {
  for (auto &item : state_dict(*model))
    item.value() *= 0.9;
}

void PositiveRangeForOverItems(torch::nn::Linear &model) {
  Dict sd = state_dict(*model);
  for (auto &item : sd)
    item.value() *= 0.9; // const operator*= on the handle: writes the parameter
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: in-place 'operator*=' on a tensor from 'state_dict(*model)'
}

void NegativeClonedEntries(torch::nn::Linear &model) {
  Dict sd = state_dict(*model);
  torch::Tensor w = sd["weight"].clone();
  w.mul_(0.5);
  torch::Tensor b = sd["bias"].detach().clone();
  b.zero_();
}

void NegativeInitUnderNoGrad(torch::nn::Linear &model) {
  torch::NoGradGuard no_grad;
  for (auto &p : model->parameters())
    torch::nn::init::uniform_(p, -0.1, 0.1);
  Dict sd = state_dict(*model);
  sd["bias"].zero_();
}

// A target network's soft update reads the online network on purpose.
void NegativeSoftUpdate(torch::nn::Linear &target, torch::nn::Linear &online, double tau) {
  Dict t = state_dict(*target);
  Dict s = state_dict(*online);
  for (auto &item : t)
    item.value().mul_(1 - tau).add_(tau * s[item.key()]);
}

// Distributed parameter averaging: each parameter, or each entry of a dict not kept, summed
// across ranks in place and divided by their number. The module is what is meant to change.
void NegativeAllReduceAveraging(torch::nn::Linear &model, c10d::ProcessGroup &pg) {
  const int world = pg.getSize();
  for (auto &item : state_dict(*model)) {
    std::vector<torch::Tensor> one{item.value()};
    pg.allreduce(one)->wait();
    item.value().div_(world);
  }
  torch::NoGradGuard no_grad;
  for (auto &p : model->parameters()) {
    std::vector<torch::Tensor> one{p};
    pg.allreduce(one)->wait();
    p.div_(world);
  }
}
