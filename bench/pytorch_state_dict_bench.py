#!/usr/bin/python3
"""What the Python package adds to a Module.state_dict() call: marking the entries as one
snapshot and the parameters and buffers as the model's. EMA code (timm's ModelEmaV2, YOLOv5's
ModelEMA) takes two state_dicts every training step, so this is paid per step there.

    PYTHONPATH=<build>/python /usr/bin/python3 bench/pytorch_state_dict_bench.py [--rounds N] [--calls N]

One process, a model of 60 Conv2d+BatchNorm2d blocks (420 entries: the size of a small
detector's dict). The package is imported and checking enabled; each round times a block of `--calls` calls
with Module.state_dict as PyTorch defines it (the package's wrapper taken off for the block:
state_dict recurses into submodules through the attribute) and a block with the wrapper, so
both sides share the round's machine load. Prints ms per call (medians over rounds) and their
ratio.
"""

import argparse
import statistics
import sys
import time

import torch


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=7, help="rounds (default 7)")
    p.add_argument("--calls", type=int, default=20, help="state_dict() calls per timed block (default 20)")
    args = p.parse_args()
    if args.rounds < 1 or args.calls < 1:
        p.error("--rounds and --calls must be at least 1")
    model = torch.nn.Sequential(*[torch.nn.Sequential(torch.nn.Conv2d(8, 8, 3), torch.nn.BatchNorm2d(8))
                                  for _ in range(60)])
    unwrapped = torch.nn.Module.state_dict
    try:
        import aliasguard
        aliasguard.enable()
    except ImportError as e:
        sys.exit(f"pytorch_state_dict_bench: cannot import aliasguard ({e}); run it with "
                 f"PYTHONPATH=<build>/python /usr/bin/python3")
    if torch.nn.Module.state_dict is unwrapped:
        sys.exit("pytorch_state_dict_bench: aliasguard did not wrap Module.state_dict")

    wrapped = torch.nn.Module.state_dict

    def block(method):
        torch.nn.Module.state_dict = method
        try:
            start = time.thread_time_ns()
            for _ in range(args.calls):
                model.state_dict()
            return (time.thread_time_ns() - start) / args.calls / 1e6
        finally:
            torch.nn.Module.state_dict = wrapped

    plain, checked = [], []
    for r in range(args.rounds):
        plain.append(block(unwrapped))
        checked.append(block(wrapped))
        print(f"pytorch_state_dict_bench: round {r + 1}/{args.rounds}: plain {plain[-1]:.2f} ms, "
              f"checked {checked[-1]:.2f} ms", file=sys.stderr, flush=True)
    entries = len(model.state_dict())
    p_ms, c_ms = statistics.median(plain), statistics.median(checked)
    print(f"| state_dict() of {entries} entries | plain {p_ms:.2f} ms | with aliasguard {c_ms:.2f} ms "
          f"| ratio {c_ms / p_ms:.2f} | +{(c_ms - p_ms) * 1e3 / entries:.1f} us an entry |")
    if aliasguard.violation_count() != 0:
        sys.exit("pytorch_state_dict_bench: a violation was reported")


if __name__ == "__main__":
    main()
