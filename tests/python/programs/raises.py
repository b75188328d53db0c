# A program that fails: under aliasguard its traceback and exit status are plain python3's.
import torch


def load_batch(index):
    raise ValueError(f"batch {index} is corrupt")


def train():
    model = torch.nn.Linear(2, 1)
    for index in range(3):
        model(torch.ones(1, 2))
        if index == 1:
            load_batch(index)


train()
