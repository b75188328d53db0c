# Run by the pytest plugin's test (pytest -p aliasguard.pytest plugin_cases.py): two tests keep
# a stale snapshot and must fail with the report, the other deep-copies and must pass.
import copy

import torch


def make():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    return model, torch.optim.SGD(model.parameters(), lr=0.1)


def step(model, opt):
    opt.zero_grad()
    model(torch.ones(2, 3)).sum().backward()
    opt.step()


def restore_stale():
    model, opt = make()
    best = model.state_dict()
    step(model, opt)
    model.load_state_dict(best)  # stale-in-test


def test_keeps_stale_snapshot():
    restore_stale()


def test_keeps_stale_snapshot_again():  # the same lines: reported for this test too
    restore_stale()


def test_deep_copies():
    model, opt = make()
    best = copy.deepcopy(model.state_dict())
    step(model, opt)
    model.load_state_dict(best)
