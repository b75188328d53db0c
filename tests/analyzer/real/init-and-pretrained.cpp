// REQUIRES: libtorch
// RUN: %check_aliasguard %s 'aliasguard-*' %t -- -I%torch_include
// Weight initialisation and pretrained-weight loading, reduced from public LibTorch code.
// All of these write a module's parameters on purpose, through handles from
// named_parameters()/parameters()/named_buffers() or the module's own members, with
// autograd off; nothing is kept as a snapshot, so the checks stay silent.

#include <torch/nn/init.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/serialize.h>
#include <torch/utils.h>

#include <map>
#include <string>

// Reduced from Omegastick/pytorch-cpp-rl, src/model/model_utils.cpp (init_weights takes
// the OrderedDict from named_parameters() by value and initialises each entry in place:
// orthogonal_ for weights, constant_ for biases).
void init_weights(torch::OrderedDict<std::string, torch::Tensor> parameters,
                  double weight_gain, double bias_gain) {
  for (const auto &parameter : parameters) {
    if (parameter.value().size(0) == 0)
      continue;
    if (parameter.key().find("bias") != std::string::npos)
      torch::nn::init::constant_(parameter.value(), bias_gain);
    else if (parameter.key().find("weight") != std::string::npos)
      torch::nn::init::orthogonal_(parameter.value(), weight_gain);
  }
}

// Reduced from Omegastick/pytorch-cpp-rl, src/model/model_utils.cpp (its test: initialise
// a Sequential, then read the biases back through named_parameters()).
bool NegativeInitWeightsThenReadBack() {
  torch::nn::Sequential module(torch::nn::Linear(5, 10), torch::nn::Linear(10, 8));
  init_weights(module->named_parameters(), 1, 0);
  for (const auto &parameter : module->named_parameters())
    if (parameter.key().find("bias") != std::string::npos &&
        parameter.value()[0].item<double>() != 0)
      return false;
  return true;
}

// Reduced from mhubii/ppo_libtorch, Models.h (ActorCritic::normal and ::zero: every
// parameter is drawn from a normal distribution or zeroed, under NoGradGuard).
struct ActorCritic : torch::nn::Module {
  ActorCritic() : lin(register_module("lin", torch::nn::Linear(4, 2))) {}
  void NegativeNormalInit(double mu, double std) {
    torch::NoGradGuard no_grad;
    for (auto &p : this->parameters())
      p.normal_(mu, std);
  }
  void NegativeZeroInit() {
    torch::NoGradGuard no_grad;
    for (auto &p : this->parameters())
      p.zero_();
  }
  torch::nn::Linear lin;
};

// Reduced from zachoines/HomeMonitor, QNetwork.cpp (the critic's constructor draws its
// layers' weights and biases in place between GradMode::set_enabled(false) and (true));
// plus xavier_/zeros_ through torch::nn::init on the module's own members.
struct CriticImpl : torch::nn::Module {
  explicit CriticImpl(double init_w)
      : l1(register_module("l1", torch::nn::Linear(6, 8))),
        l2(register_module("l2", torch::nn::Linear(8, 1))) {
    torch::autograd::GradMode::set_enabled(false);
    l2->weight.uniform_(-init_w, init_w);
    l2->bias.uniform_(-init_w, init_w);
    torch::autograd::GradMode::set_enabled(true);
    torch::nn::init::xavier_uniform_(l1->weight);
    torch::nn::init::zeros_(l1->bias);
  }
  torch::nn::Linear l1, l2;
};
TORCH_MODULE(Critic);

Critic NegativeMakeCritic() { return Critic(3e-3); }

// A GoogLeNet port's define_weight (public LibTorch code; its repository was not
// identified): walk the submodules, reset_parameters() each Linear, then re-draw its
// weight with kaiming_normal_ and zero its bias.
void NegativeResetThenKaiming(torch::nn::Module &net) {
  for (auto &m : net.modules(/*include_self=*/false))
    if (auto *lin = m->as<torch::nn::Linear>()) {
      lin->reset_parameters();
      torch::nn::init::kaiming_normal_(lin->weight, 0.0, torch::kFanOut, torch::kReLU);
      torch::nn::init::constant_(lin->bias, 0);
    }
}

// Reduced from AllentDan/LibtorchSegmentation, src/backbones/ResNet.cpp
// (ResNetImpl::load_pretrained: load an ImageNet model with torch::load, overwrite the
// *handles* in this model's named_parameters() dict with the pretrained ones, skipping the
// classifier, then copy every entry into the model's parameters or, failing that, buffers,
// with GradMode off). `model_dict[key] = value` rebinds a handle in the dict; it writes no
// tensor.
struct BackboneImpl : torch::nn::Module {
  BackboneImpl()
      : body(register_module("body", torch::nn::Linear(4, 4))),
        fc(register_module("fc", torch::nn::Linear(4, 2))) {}
  void NegativeLoadPretrained(const std::string &path);
  torch::nn::Linear body, fc;
};
TORCH_MODULE(Backbone);

void BackboneImpl::NegativeLoadPretrained(const std::string &path) {
  Backbone net_pretrained;
  torch::load(net_pretrained, path);
  torch::OrderedDict<std::string, torch::Tensor> pretrained_dict = net_pretrained->named_parameters();
  torch::OrderedDict<std::string, torch::Tensor> model_dict = this->named_parameters();
  for (auto n = pretrained_dict.begin(); n != pretrained_dict.end(); ++n) {
    if (n->key().rfind("fc.", 0) == 0)
      continue;
    model_dict[n->key()] = n->value();
  }
  torch::autograd::GradMode::set_enabled(false);
  auto params = this->named_parameters(/*recurse=*/true);
  auto buffers = this->named_buffers(/*recurse=*/true);
  for (auto &val : model_dict) {
    if (auto *t = params.find(val.key()))
      t->copy_(val.value());
    else if (auto *b = buffers.find(val.key()))
      b->copy_(val.value());
  }
  torch::autograd::GradMode::set_enabled(true);
}
