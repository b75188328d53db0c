# Everyday training idioms that write a model's parameters or their gradients on purpose, and
# two that keep a state_dict() as if it were a copy. Each mode is written from the idea of a
# common upstream idiom (named in its function's comment); the intended ones must run as plain
# python3 does; the last two are bugs (write-copy is reported, save-stale is not yet caught).
#
#   idioms.py init|init-params|exact-init|grad-accumulation|freeze|checkpoint|swa|
#             checkpoint-average|grad-clip|perturb-deepcopy|optimizer-params-read|
#             reset-then-init|all-reduce|write-copy|save-stale
import copy
import os
import sys
import tempfile

import torch
import torch.distributed as dist

torch.manual_seed(0)
x, y = torch.randn(32, 8), torch.randn(32, 1)


def net():
    return torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))


def loss_of(model):
    return torch.nn.functional.mse_loss(model(x), y)


def train(model, opt, steps=3):
    for _ in range(steps):
        opt.zero_grad()
        loss_of(model).backward()
        opt.step()


def init():
    # torchvision's models (resnet.py): kaiming_normal_/constant_ over modules(); then, after
    # training, one layer re-initialised for fine-tuning (a new head).
    model = net()
    for m in model.modules():
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            torch.nn.init.constant_(m.bias, 0)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    train(model, opt)
    torch.nn.init.xavier_uniform_(model[2].weight)
    torch.nn.init.zeros_(model[2].bias)
    train(model, opt)
    print(f"loss {loss_of(model).item():.4f}")


def init_params():
    # Actor-critic code (e.g. pytorch-a2c-ppo): normal_/zero_ through parameters() under no_grad.
    model = net()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.1) if p.dim() > 1 else p.zero_()
    train(model, torch.optim.SGD(model.parameters(), lr=0.01))
    print(f"loss {loss_of(model).item():.4f}")


def exact_init():
    # A unit test setting exact initial values through named_parameters(), comparing live values.
    model = net()
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.full_like(p, 0.01 if name.endswith("weight") else 0.0))
    before = model[0].weight.detach().clone()
    train(model, torch.optim.SGD(model.parameters(), lr=0.1))
    print(f"moved {bool((model[0].weight != before).any())}, sum {model[0].weight.sum().item():.4f}")


def grad_accumulation():
    # Hugging Face's Trainer (gradient_accumulation_steps): one step() per several backward().
    model = net()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for i, (xb, yb) in enumerate(zip(x.split(8), y.split(8))):
        (torch.nn.functional.mse_loss(model(xb), yb) / 2).backward()
        if i % 2 == 1:
            opt.step()
            opt.zero_grad()
    print(f"loss {loss_of(model).item():.4f}")


def freeze():
    # Transfer learning (PyTorch's finetuning tutorial): freeze the backbone, train the head.
    model = net()
    model[0].requires_grad_(False)
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.05)
    train(model, opt)
    print(f"frozen layer trainable {model[0].weight.requires_grad}, loss {loss_of(model).item():.4f}")


def checkpoint():
    # PyTorch's "saving and loading a general checkpoint": save the live state, load to resume.
    model = net()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ckpt.pt")
        train(model, opt)
        torch.save({"model": model.state_dict(), "opt": opt.state_dict()}, path)
        train(model, opt)
        state = torch.load(path)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
    train(model, opt)
    print(f"resumed loss {loss_of(model).item():.4f}")


def swa():
    # torch.optim.swa_utils: an AveragedModel updated from the live model after each epoch.
    model = net()
    swa_model = torch.optim.swa_utils.AveragedModel(model)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(3):
        train(model, opt, steps=2)
        swa_model.update_parameters(model)
    with torch.no_grad():
        print(f"swa loss {loss_of(swa_model).item():.4f}, averaged {int(swa_model.n_averaged)}")


def checkpoint_average():
    # fairseq's average_checkpoints.py: average several checkpoints' state_dicts into one model.
    model = net()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    checkpoints = []
    for _ in range(2):
        train(model, opt)
        checkpoints.append(copy.deepcopy(model.state_dict()))
    averaged = {k: sum(c[k] for c in checkpoints) / len(checkpoints) for k in checkpoints[0]}
    final = net()
    final.load_state_dict(averaged)
    with torch.no_grad():
        print(f"averaged loss {loss_of(final).item():.4f}")


def grad_clip():
    # Data-parallel style: average gradients by hand over micro-batches, then clip_grad_norm_.
    model = net()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(3):
        opt.zero_grad()
        loss_of(model).backward()
        for p in model.parameters():
            p.grad /= 2
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
        opt.step()
    print(f"loss {loss_of(model).item():.4f}")


def perturb_deepcopy():
    # A test showing that copy.deepcopy(model) is distinct: perturb the original, compare.
    model = net()
    clone = copy.deepcopy(model)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    same = all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), clone.state_dict().values()))
    print(f"distinct {not same}")


def optimizer_params_read():
    # A training loop that logs from the parameter list it built its optimizer from (the list
    # is the live parameters, read after each step), with the starting point kept as a real copy.
    model = net()
    start = copy.deepcopy(model.state_dict())
    params = list(model.parameters())
    opt = torch.optim.SGD(params, lr=0.05)
    for _ in range(2):
        train(model, opt, steps=2)
        with torch.no_grad():
            sums = torch.stack([p.sum() for p in params])
            moved = sum(float((p - start[n]).norm()) for (n, _), p in zip(model.named_parameters(), params))
        print(f"sums {[round(float(s), 4) for s in sums]}, moved {moved:.4f}")


def reset_then_init():
    # k-fold cross-validation: each fold starts from a fresh model, reset_parameters() on every
    # module that has one, then the project's own init; the best fold is kept as a real copy.
    model = net()
    best, best_loss = None, float("inf")
    for _ in range(2):
        for m in model.modules():
            if hasattr(m, "reset_parameters"):
                m.reset_parameters()
        for m in model.modules():
            if isinstance(m, torch.nn.Linear):
                torch.nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
                torch.nn.init.zeros_(m.bias)
        train(model, torch.optim.SGD(model.parameters(), lr=0.05))
        loss = loss_of(model).item()
        if loss < best_loss:
            best, best_loss = copy.deepcopy(model.state_dict()), loss
    model.load_state_dict(best)
    print(f"best fold loss {best_loss:.4f}, restored {loss_of(model).item():.4f}")


def all_reduce():
    # Hand-written data parallelism (PyTorch's "Writing distributed applications" tutorial):
    # after each step, average the parameters over the ranks with all_reduce on p.data. One rank
    # over gloo; rank 0 keeps each epoch's weights as a real copy.
    model = net()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    with tempfile.TemporaryDirectory() as tmp:
        dist.init_process_group("gloo", init_method=f"file://{os.path.join(tmp, 'init')}", rank=0, world_size=1)
        try:
            world_size = dist.get_world_size()
            for _ in range(2):
                for _ in range(2):
                    train(model, opt, steps=1)
                    for p in model.parameters():
                        dist.all_reduce(p.data)
                        p.data /= world_size
                if dist.get_rank() == 0:
                    epoch_weights = copy.deepcopy(model.state_dict())
        finally:
            dist.destroy_process_group()
    print(f"averaged loss {loss_of(model).item():.4f}, kept {len(epoch_weights)} tensors")


def write_copy():
    # The bug: scaling a "copy" made with state_dict() scales the model.
    model = net()
    sd = model.state_dict()
    sd["0.weight"].mul_(0.5)  # write-copy
    with torch.no_grad():
        out = model(x)  # forward-after-write
    print(f"loss {torch.nn.functional.mse_loss(out, y).item():.4f}")


def save_stale():
    # The bug: a kept state_dict() as the best model, saved after training moved on. Missed:
    # torch.save copies each storage's bytes from its data pointer, not through an operator.
    model = net()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    train(model, opt)
    best = model.state_dict()  # snapshot-best
    train(model, opt)
    with tempfile.TemporaryDirectory() as tmp:
        torch.save(best, os.path.join(tmp, "best.pt"))  # save-stale
    print("saved")


{"init": init, "init-params": init_params, "exact-init": exact_init, "grad-accumulation": grad_accumulation,
 "freeze": freeze, "checkpoint": checkpoint, "swa": swa, "checkpoint-average": checkpoint_average,
 "grad-clip": grad_clip, "perturb-deepcopy": perturb_deepcopy, "optimizer-params-read": optimizer_params_read,
 "reset-then-init": reset_then_init, "all-reduce": all_reduce, "write-copy": write_copy,
 "save-stale": save_stale}[sys.argv[1]]()
