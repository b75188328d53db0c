#include "torch_test_util.h"

namespace torch_layer_test {

const int kForwardLine = __LINE__ + 2;
torch::Tensor NetImpl::forward(const torch::Tensor& x) {
  return fc2->forward(torch::relu(bn->forward(fc1->forward(x))));
}

const int kStepLine = __LINE__ + 9;
void train_step(Net& model, torch::optim::Optimizer& optimizer) {
  static const torch::Tensor inputs = torch::linspace(-1, 1, 32).reshape({8, 4});
  static const torch::Tensor targets = torch::stack({inputs.sum(1), inputs.prod(1)}, 1);
  model->train();
  optimizer.zero_grad();
  torch::Tensor loss = torch::mse_loss(model->forward(inputs), targets);
  loss.backward();
  // Keep this line kStepLine.
  optimizer.step();
}

}  // namespace torch_layer_test
