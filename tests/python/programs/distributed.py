# Two processes training one DistributedDataParallel model over gloo, each keeping a stale
# best-model snapshot: every process is checked and reports it. torch.multiprocessing.spawn
# starts fresh interpreters; `python3 -m aliasguard` makes them checked too.
#
#   distributed.py INIT_FILE
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel


def run(rank, world_size, init_file):
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world_size)
    torch.manual_seed(rank)
    model = DistributedDataParallel(torch.nn.Linear(4, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    best = model.state_dict()
    for _ in range(3):
        opt.zero_grad()
        model(torch.randn(8, 4)).pow(2).mean().backward()
        opt.step()
    model.load_state_dict(best)  # restore-rank
    dist.destroy_process_group()


if __name__ == "__main__":
    try:
        mp.spawn(run, args=(2, sys.argv[1]), nprocs=2)
    except mp.ProcessExitedException as e:
        sys.exit(e.exit_code)
