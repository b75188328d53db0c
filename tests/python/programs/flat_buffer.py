# Parameters that are disjoint views of one flat buffer (as apex/DeepSpeed flatten them for
# fused updates). A snapshot of the whole state_dict shares that one storage, but an update of
# one parameter writes bytes that another entry does not cover: reading that entry is silent.
# `control` also reads the entry whose bytes were written, which is reported.
import sys

import torch

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Linear(8, 2))
flat = torch.zeros(sum(p.numel() for p in model.parameters()))
offset = 0
for p in model.parameters():
    view = flat[offset:offset + p.numel()].view_as(p)
    view.copy_(p.data)
    p.data = view
    offset += p.numel()
snapshot = model.state_dict()
with torch.no_grad():
    model[1].weight.mul_(0.5)  # writes only the bytes of '1.weight'
print(f"first layer: {float(snapshot['0.weight'].sum()):.4f}")  # read-disjoint
if sys.argv[1:] == ["control"]:
    print(f"second layer: {float(snapshot['1.weight'].sum()):.4f}")  # read-overlapping
