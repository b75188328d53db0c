# Training from a DataLoader with worker processes (fork, Linux's default start method) and
# its pin-memory thread: the workers are copies of the checked process, the loop goes on
# checked, and the stale restore is reported.
import torch
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
data = TensorDataset(torch.randn(64, 4), torch.randn(64, 1))
model = torch.nn.Linear(4, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
best = model.state_dict()
for epoch in range(2):
    for x, y in DataLoader(data, batch_size=16, num_workers=2, pin_memory=False):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
model.load_state_dict(best)  # restore-after-loader
print("trained")
