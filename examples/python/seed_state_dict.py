# The seed question (docs/seed.md) in PyTorch: is a state_dict a deep or a shallow copy?
#
#   python3 -m aliasguard examples/python/seed_state_dict.py shallow   # reports, exits 23
#   python3 -m aliasguard examples/python/seed_state_dict.py deep      # as plain python3, exit 0
#
# `a = m.state_dict()` shares storage with the model. With `shallow`, halving the entries of
# `a` halves the model (aliasguard reports the `a[k].data -= ...` line: it reads a snapshot the
# model had changed, and writes the model through it); with `deep`, `a` is first replaced by
# copy.deepcopy(a), a copy of its own, and the model is untouched.
import copy
import sys

import torch

torch.manual_seed(0)


class LogisticRegression(torch.nn.Module):
    def __init__(self, i, c):
        super().__init__()
        self.fc = torch.nn.Linear(i, c)

    def forward(self, x):
        return self.fc(x)


if len(sys.argv) != 2 or sys.argv[1] not in ("shallow", "deep"):
    sys.exit(f"usage: {sys.argv[0]} shallow|deep")
deep = sys.argv[1] == "deep"
m = LogisticRegression(2, 2)
a = m.state_dict()
print(m.state_dict()); print(a)
for v in m.parameters(): v.data -= 0.5 * v.data
print("state_dict() is shallow copy:")
print(m.state_dict()); print(a)
if deep: a = copy.deepcopy(a)
for k in a: a[k].data -= 0.5 * a[k].data
print("load_state_dict() is ? copy:")
print(m.state_dict()); print(a)
for p in m.parameters(): p.data -= 0.5 * p.data
print("load_state_dict() is ? copy:")
print(m.state_dict()); print(a)
