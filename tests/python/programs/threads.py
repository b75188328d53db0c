# Training in a threading.Thread: the thread's operator calls are checked too, and the report
# names the thread's own line.
import threading

import torch

torch.manual_seed(0)
model = torch.nn.Linear(4, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(16, 4), torch.randn(16, 1)


def train():
    best = model.state_dict()
    for _ in range(3):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
    model.load_state_dict(best)  # restore-in-thread


worker = threading.Thread(target=train, name="trainer")
worker.start()
worker.join()
print("trained")
