# A state_dict() kept as if it were a copy, then loaded after the model changed: both modes are
# bugs. `rewind` is lottery-ticket rewinding written with the deep copy at the load instead of
# at the snapshot, so it copies the trained weights. `reset` keeps the weights across
# reset_parameters() to restore them, and restores the fresh initialisation instead.
#
#   stale_snapshots.py rewind|reset
import copy
import sys

import torch

torch.manual_seed(0)
x, y = torch.randn(32, 8), torch.randn(32, 1)
model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))


def rewind():
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    init = model.state_dict()  # snapshot-init
    for _ in range(3):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
    with torch.no_grad():  # prune the smallest half of each weight, then rewind the rest
        masks = {n: p.abs() >= p.abs().median() for n, p in model.named_parameters() if n.endswith("weight")}
    model.load_state_dict(copy.deepcopy(init))  # load-rewound
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n in masks:
                p.mul_(masks[n])
    print(f"rewound: {float(model[0].weight.abs().sum()):.4f}")


def reset():
    sd = model.state_dict()  # snapshot-before-reset
    # A fresh head, tried and rejected: the old one is to come back.
    model[2].reset_parameters()  # reset-head
    model.load_state_dict(sd)  # load-after-reset
    print(f"restored head: {float(model[2].weight.sum()):.4f}")


{"rewind": rewind, "reset": reset}[sys.argv[1]]()
