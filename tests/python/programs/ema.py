# Exponential moving averages of a model's weights, updated through the EMA model's own
# state_dict every step and evaluated now and then: the intended update, never a finding.
#
#   ema.py timm|yolo
#
# `timm` follows timm's ModelEmaV2 (timm/utils/model_ema.py: zip the two state_dicts' values
# under no_grad, copy_ the blend into the EMA entry); `yolo` follows YOLOv5's ModelEMA
# (utils/torch_utils.py: a decay ramp, `v *= d; v += (1 - d) * msd[k].detach()` on the
# floating-point entries, BatchNorm counters skipped). Both written here from their idea.
import copy
import math
import sys

import torch


class EmaZip:
    def __init__(self, model, decay=0.99):
        self.module = copy.deepcopy(model).eval()
        self.decay = decay

    def update(self, model):
        with torch.no_grad():
            for ema_v, model_v in zip(self.module.state_dict().values(), model.state_dict().values()):
                ema_v.copy_(self.decay * ema_v + (1.0 - self.decay) * model_v)


class EmaRamp:
    def __init__(self, model, decay=0.999, tau=20):
        self.module = copy.deepcopy(model).eval()
        self.updates = 0
        self.decay = lambda n: decay * (1 - math.exp(-n / tau))
        for p in self.module.parameters():
            p.requires_grad_(False)

    def update(self, model):
        self.updates += 1
        d = self.decay(self.updates)
        msd = model.state_dict()
        for k, v in self.module.state_dict().items():
            if v.dtype.is_floating_point:
                v *= d
                v += (1 - d) * msd[k].detach()


torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.BatchNorm1d(16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
ema = (EmaZip if sys.argv[1] == "timm" else EmaRamp)(model)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
x, y = torch.randn(64, 8), torch.randn(64, 1)
for step in range(12):
    opt.zero_grad()
    torch.nn.functional.mse_loss(model(x), y).backward()
    opt.step()
    ema.update(model)
    if step % 4 == 3:
        with torch.no_grad():
            print(f"step {step}: ema loss {torch.nn.functional.mse_loss(ema.module(x), y).item():.4f}")
