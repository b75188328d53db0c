# Keep the best model's weights during training, restore them at the end: the most common
# way to meet the bug. `keep` keeps model.state_dict() (and opt.state_dict()) themselves, which
# training then overwrites; `deepcopy` keeps copy.deepcopy of them, as PyTorch's tutorials do.
#
#   best_model.py sgd|adam keep|deepcopy
import copy
import sys

import torch

torch.manual_seed(0)
optimizer_name, mode = sys.argv[1], sys.argv[2]
model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
if optimizer_name == "sgd":
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
else:
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
x, y = torch.randn(64, 8), torch.randn(64, 1)


def train_step():
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()


def keep(state):
    return state if mode == "keep" else copy.deepcopy(state)


def restore_best(best, best_opt):
    model.load_state_dict(best)  # restore-model
    opt.load_state_dict(best_opt)  # restore-optimizer


best = best_opt = None
for epoch in range(6):
    loss = train_step()
    if epoch == 2:  # the epoch with the best validation score, say
        best = keep(model.state_dict())  # snapshot-model
        best_opt = keep(opt.state_dict())  # snapshot-optimizer
restore_best(best, best_opt)
print(f"restored the weights of epoch 2: {float(model[0].weight.sum()):.4f}")
