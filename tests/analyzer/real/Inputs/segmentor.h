// Reduced from AllentDan/LibtorchSegmentation, src/Segmentor.h (a class template over the
// model type whose Train() freezes the encoder for the first epochs by walking
// named_parameters(), trains, and saves the model with torch::save whenever validation
// improves; LoadWeight() reads it back with torch::load). All intended.
#ifndef REAL_INPUTS_SEGMENTOR_H
#define REAL_INPUTS_SEGMENTOR_H

#include <torch/nn/module.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include <string>

template <class Model> class Segmentor {
public:
  explicit Segmentor(Model model) : model(std::move(model)) {}
  void Train(float learning_rate, int epochs, int freeze_epochs, const torch::Tensor &x,
             const std::string &save_path);
  void LoadWeight(const std::string &weight_path) {
    torch::load(model, weight_path);
    model->eval();
  }

private:
  Model model{nullptr};
};

template <class Model>
void Segmentor<Model>::Train(float learning_rate, int epochs, int freeze_epochs,
                             const torch::Tensor &x, const std::string &save_path) {
  float best_loss = 1e10;
  for (int epoch = 0; epoch < epochs; epoch++) {
    torch::optim::Adam optimizer(model->parameters(), learning_rate);
    for (auto mm : model->named_parameters())
      mm.value().set_requires_grad(epoch >= freeze_epochs ||
                                   mm.key().find("encoder") == std::string::npos);
    model->train();
    optimizer.zero_grad();
    auto loss = model->forward(x).mean();
    loss.backward();
    optimizer.step();
    model->eval();
    float loss_val = model->forward(x).mean().template item<float>();
    if (loss_val < best_loss) {
      torch::save(model, save_path);
      best_loss = loss_val;
    }
  }
}

#endif
