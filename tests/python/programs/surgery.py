# Editing a model through its own state_dict and loading the edited dict back: magnitude
# pruning (as torch.nn.utils.prune makes permanent, done here by hand on the dict, the way
# lottery-ticket and model-surgery code does) and re-initialising one layer. The writes
# through the dict are the model's new values once loaded back: silent, while the dict is
# still alive and read afterwards.
import torch

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
x = torch.randn(4, 8)
state = model.state_dict()
for key, value in state.items():
    if key.endswith("weight"):
        threshold = value.abs().flatten().kthvalue(value.numel() // 2).values
        value.mul_((value.abs() > threshold).to(value.dtype))
state["2.bias"].copy_(torch.zeros(2))
model.load_state_dict(state)
with torch.no_grad():
    print(f"pruned output {model(x).sum().item():.4f}, zeros {int((model[0].weight == 0).sum())}")
print(f"zeros in the dict {int((state['0.weight'] == 0).sum())}")  # the dict, still in use
