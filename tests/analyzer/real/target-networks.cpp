// REQUIRES: libtorch
// RUN: %check_aliasguard %s 'aliasguard-*' %t -- -I%torch_include
// Reinforcement-learning target networks, reduced from public LibTorch agents: a target
// network is refreshed from the online one by copying parameter values (hard update) or by
// Polyak averaging (soft update), with autograd off. Both write the target on purpose, from
// the live values of another module; none keeps a snapshot, so the checks stay silent.

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>
#include <torch/utils.h>

struct QNetImpl : torch::nn::Module {
  QNetImpl() : fc(register_module("fc", torch::nn::Linear(4, 2))) {}
  torch::Tensor forward(const torch::Tensor &x) { return fc->forward(x); }
  torch::nn::Linear fc;
};
TORCH_MODULE(QNet);

// Reduced from vermouth1992/hipc21, src/utils/rl_functional.cpp (hard_update: copy each
// source parameter into the target by index, under NoGradGuard; the target arrives as a
// const reference, and writes go through its parameters()).
void NegativeHardUpdateByIndex(const torch::nn::Module &target,
                               const torch::nn::Module &source) {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < target.parameters().size(); i++) {
    auto target_param = target.parameters()[i];
    auto param = source.parameters()[i];
    target_param.data().copy_(param.data().to(target_param.device()));
  }
}

// Reduced from vermouth1992/hipc21, src/utils/rl_functional.cpp (soft_update: Polyak
// averaging of the target towards the source).
void NegativeSoftUpdateByIndex(const torch::nn::Module &target,
                               const torch::nn::Module &source, float tau) {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < target.parameters().size(); i++) {
    auto target_param = target.parameters()[i];
    auto param = source.parameters()[i];
    target_param.data().copy_((1 - tau) * target_param.data() + tau * param.data());
  }
}

// Reduced from navneet-nmk/Pytorch-RL-CPP, Trainer.cpp (loadstatedict: copies the online
// network into the target by name, falling back to named_buffers(), with
// GradMode::set_enabled(false) around the copies).
void NegativeSyncByNameWithBuffers(torch::nn::Module &model, torch::nn::Module &target_model) {
  torch::autograd::GradMode::set_enabled(false);
  auto new_params = target_model.named_parameters();
  auto params = model.named_parameters(/*recurse=*/true);
  auto buffers = model.named_buffers(/*recurse=*/true);
  for (auto &val : new_params) {
    if (auto *t = params.find(val.key())) {
      t->copy_(val.value());
    } else if (auto *b = buffers.find(val.key())) {
      b->copy_(val.value());
    }
  }
  torch::autograd::GradMode::set_enabled(true);
}

// Reduced from navneet-nmk/Pytorch-RL-CPP, Trainer.cpp (train: optimizer steps on the
// online network, and every N frames the target is refreshed from it).
void NegativeTrainWithPeriodicTargetSync(QNet &network, QNet &target_network,
                                         const torch::Tensor &states, int frames) {
  torch::optim::Adam optimizer(network->parameters(), torch::optim::AdamOptions(1e-4));
  for (int frame = 1; frame <= frames; ++frame) {
    auto q = network->forward(states);
    auto target_q = target_network->forward(states).detach();
    optimizer.zero_grad();
    (q - target_q).pow(2).mean().backward();
    optimizer.step();
    if (frame % 1000 == 0) {
      torch::NoGradGuard no_grad;
      auto online = network->named_parameters();
      for (auto &item : target_network->named_parameters())
        item.value().copy_(online[item.key()]);
    }
  }
}

// The soft update above inlined after every optimizer step, as DDPG/SAC agents call it,
// with AutoGradMode(false) instead of NoGradGuard (target = tau * online + (1 - tau) *
// target).
void NegativePolyakAfterEveryStep(QNet &actor, QNet &actor_target, const torch::Tensor &s,
                                  int steps, double tau) {
  torch::optim::Adam optimizer(actor->parameters(), torch::optim::AdamOptions(1e-3));
  for (int step = 0; step < steps; ++step) {
    optimizer.zero_grad();
    actor->forward(s).sum().backward();
    optimizer.step();
    torch::AutoGradMode enable_grad(false);
    auto online = actor->parameters();
    auto target = actor_target->parameters();
    for (size_t i = 0; i < online.size(); ++i)
      target[i].copy_(tau * online[i] + (1 - tau) * target[i]);
  }
}
