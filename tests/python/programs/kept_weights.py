# The best weights kept without a copy, through handles that are the model's own tensors: a
# parameters() list, a named_parameters() dict, detach() or .data handles (a list, or a
# project's state_dict() helper), a shallow copy.copy(model). Training moves them with the
# model, so the restore at the end restores nothing: every mode is a bug. The run time sees
# tensors, not variables; a detach() or .data handle restored onto its parameter is told apart
# (stale-kept-read) when the model's storages were tracked, by a state_dict() call, before the
# handle was taken. `tracked` saves an initial checkpoint first, `tracked-late` right after
# keeping the weights, `untracked` never.
#
#   kept_weights.py parameters|named-parameters|detach|detach-no-grad|helper|data|data-no-grad|copy-module
#                   tracked|tracked-late|untracked
import copy
import io
import sys

import torch

torch.manual_seed(0)
x, y = torch.randn(32, 8), torch.randn(32, 1)
mode, tracking = sys.argv[1], sys.argv[2]
model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.05)


def train(steps=3):
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()  # step


def checkpoint():
    torch.save(model.state_dict(), io.BytesIO())


def state_dict(module):
    # A project's own "state_dict" that detaches instead of copying.
    return {name: p.detach() for name, p in module.named_parameters()}


def keep():
    if mode == "parameters":
        return list(model.parameters())
    if mode == "named-parameters":
        return dict(model.named_parameters())
    if mode in ("detach", "detach-no-grad"):
        return [p.detach() for p in model.parameters()]
    if mode == "helper":
        return state_dict(model)
    if mode in ("data", "data-no-grad"):
        return [p.data for p in model.parameters()]
    return copy.copy(model)  # copy-module


def restore(best):
    if mode in ("detach", "data"):
        for p, b in zip(model.parameters(), best):
            p.data.copy_(b)  # restore-data
    elif mode in ("parameters", "detach-no-grad", "data-no-grad"):
        with torch.no_grad():
            for p, b in zip(model.parameters(), best):
                p.copy_(b)  # restore-no-grad
    elif mode in ("named-parameters", "helper"):
        model.load_state_dict(best)  # restore-dict
    else:
        model.load_state_dict(best.state_dict())  # restore-module


if tracking == "tracked":
    checkpoint()
best = keep()  # keep-best
if tracking == "tracked-late":
    checkpoint()
train()
restore(best)
print(f"restored: {float(model[0].weight.sum()):.4f}")
