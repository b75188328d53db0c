#!/usr/bin/python3
"""What the Python package `aliasguard` costs a PyTorch training loop, against the loop alone
and against the Python-level alternative, a TorchDispatchMode that does nothing.

    PYTHONPATH=<build>/python /usr/bin/python3 bench/pytorch_step_bench.py [--rounds N] [--json FILE]

Method. Two training steps, those of bench/libtorch_steps.h written in Python (zero_grad,
forward, MSE loss, autograd backward, the optimizer's step, loss.item()):
  large  MLP 1024-4096-4096-1024, batch 16, SGD: time goes into the matrix products;
  small  MLP 32-64-64-8, batch 8, Adam: tiny kernels, so dispatching each operator call is
         much of the step, the case where a per-call cost shows most.
Each step runs in four variants, in one process:
  plain     the package loaded, no checking: operator calls do not reach the layer;
  checked   inside `with aliasguard.checking():`;
  snapshot  checked, while a state_dict() of the model is alive (held, never read), so the
            parameters' storages are tracked and the optimizer's updates of them are writes
            whose sites are recorded: the cost of a loop that keeps its "best model";
  dispatch  inside a TorchDispatchMode whose __torch_dispatch__ only calls the operator.
Each variant trains its own copy of the model (same seed, same data): once snapshotted, the
parameters' storages stay tracked by the layer (Note [Handle table] in
plugins/libtorch/src/handles.cpp), so the variants cannot share parameters. Every round runs one
timed block of steps per variant and model, the variants in a random order, after warm-up
steps of each. A block's time is the main thread's CPU time (time.thread_time_ns; this is a
shared machine, and another job's bursts inflate wall time, which is kept in the JSON too)
divided by its steps; PyTorch runs one intra-op thread by default here (--threads), and the
CPU autograd engine runs backward on the calling thread, so the step's work is on it. Ratios
are taken within a round (a variant against the plain block of the same round) and the
table shows their medians over the rounds, and the medians of the per-step times.
The checked variants must report no violation: the script exits 1 if one did (and the layer
itself makes the process exit 23 after a report).
"""

import argparse
import contextlib
import json
import os
import platform
import random
import statistics
import sys
import time

GOALS = {"large": 1.2, "small": 2.0}  # checked / plain, per model
VARIANTS = ("plain", "checked", "snapshot", "dispatch")


def fail_import(what, error):
    sys.exit(f"pytorch_step_bench: cannot import {what} ({error}).\n"
             f"Run it with the Python whose PyTorch aliasguard was built against, and put the "
             f"build's package on PYTHONPATH:\n"
             f"  PYTHONPATH=<build>/python /usr/bin/python3 {sys.argv[0]}\n"
             f"(this is {sys.executable}, PYTHONPATH={os.environ.get('PYTHONPATH', '(unset)')})")


try:
    import torch
    import torch.nn.functional as F
    from torch.utils._python_dispatch import TorchDispatchMode
except ImportError as e:
    fail_import("torch", e)
try:
    import aliasguard
    aliasguard.violation_count()  # loads the layer into this PyTorch
except ImportError as e:
    fail_import("aliasguard", e)


class PassThroughMode(TorchDispatchMode):
    """Sees every operator call below autograd and runs it unchanged: the least a checker
    written in Python at this level costs."""

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        return func(*args, **(kwargs or {}))


class CountingMode(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.calls += 1
        return func(*args, **(kwargs or {}))


def mlp(widths):
    layers = []
    for i in range(len(widths) - 1):
        if i > 0:
            layers.append(torch.nn.ReLU())
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
    return torch.nn.Sequential(*layers)


MODELS = {
    # name: (widths, batch, optimizer, description)
    "large": ((1024, 4096, 4096, 1024), 16, "SGD", "MLP 1024-4096-4096-1024, batch 16, SGD"),
    "small": ((32, 64, 64, 8), 8, "Adam", "MLP 32-64-64-8, batch 8, Adam"),
}


class TrainStep:
    """One model, its optimizer and a fixed batch, as bench::TrainStep in libtorch_steps.h."""

    def __init__(self, model):
        widths, batch, optimizer, _ = MODELS[model]
        torch.manual_seed(0)
        self.net = mlp(widths)
        params = self.net.parameters()
        self.optimizer = torch.optim.SGD(params, lr=1e-3) if optimizer == "SGD" else torch.optim.Adam(params, lr=1e-3)
        self.x = torch.randn(batch, widths[0])
        self.target = torch.randn(batch, widths[-1])
        self.snapshot = None

    def step(self):
        self.optimizer.zero_grad()
        loss = F.mse_loss(self.net(self.x), self.target)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def parameters(self):
        return sum(p.numel() for p in self.net.parameters())


def context(variant):
    if variant == "plain":
        return contextlib.nullcontext()
    if variant == "dispatch":
        return PassThroughMode()
    return aliasguard.checking()


def run_block(work, variant, steps):
    """(CPU ns, wall ns) per step over `steps` steps of `work` under `variant`."""
    with context(variant):
        if variant in ("checked", "snapshot") and not aliasguard.enabled():
            sys.exit("pytorch_step_bench: aliasguard.checking() did not turn checking on")
        cpu0, wall0 = time.thread_time_ns(), time.perf_counter_ns()
        for _ in range(steps):
            work.step()
        cpu1, wall1 = time.thread_time_ns(), time.perf_counter_ns()
    return (cpu1 - cpu0) / steps, (wall1 - wall0) / steps


def log(*args):
    print("pytorch_step_bench:", *args, file=sys.stderr, flush=True)


def parse_args():
    p = argparse.ArgumentParser(
        description="Times a PyTorch training step plain, checked by aliasguard (with and without a live "
        "state_dict() snapshot), and under a do-nothing TorchDispatchMode, interleaved in one process; "
        "prints a markdown table of ms/step and ratios to plain on stdout, progress on stderr. "
        "Run with PYTHONPATH=<build>/python /usr/bin/python3.")
    p.add_argument("--rounds", type=int, default=5, help="rounds; each times one block per variant and model, "
                   "in random order (default 5)")
    p.add_argument("--steps", type=int, default=100, help="steps per timed block of the small model (default 100)")
    p.add_argument("--large-steps", type=int, default=2,
                   help="steps per timed block of the large model (default 2; a step takes ~1 s here)")
    p.add_argument("--warmup", type=int, default=20,
                   help="untimed steps of each variant before the rounds, small model (default 20; the large "
                   "model gets a tenth of it, at least 1 unless 0)")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    p.add_argument("--models", default="large,small", help="comma-separated subset of large,small (default both)")
    p.add_argument("--seed", type=int, default=0, help="seed of the blocks' random order (default 0)")
    p.add_argument("--json", metavar="FILE", help="also write the raw per-block times and the settings to FILE")
    args = p.parse_args()
    args.models = [m for m in args.models.split(",") if m]
    for m in args.models:
        if m not in MODELS:
            p.error(f"--models: unknown model {m!r} (known: large, small)")
    if min(args.rounds, args.steps, args.large_steps, args.threads) < 1 or args.warmup < 0:
        p.error("--rounds, --steps, --large-steps and --threads must be at least 1, --warmup at least 0")
    return args


def ratio_median(blocks, variant, clock):
    return statistics.median(b[variant][clock] / b["plain"][clock] for b in blocks)


def ms(ns_value):
    return f"{ns_value / 1e6:,.3f}" if ns_value < 1e8 else f"{ns_value / 1e6:,.1f}"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def table(results, args):
    lines = [
        "| step | plain ms | checked ms | snapshot ms | dispatch-mode ms | checked / plain | snapshot / plain "
        "| dispatch-mode / plain | goal (checked / plain) | met? |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for model, r in results.items():
        med = {v: statistics.median(b[v]["cpu_ns"] for b in r["blocks"]) for v in VARIANTS}
        ratio = {v: ratio_median(r["blocks"], v, "cpu_ns") for v in VARIANTS[1:]}
        goal = GOALS[model]
        met = "yes" if ratio["checked"] <= goal else "**no**"
        if ratio["snapshot"] > goal:
            met += f" (snapshot: **no**)"
        lines.append(f"| {r['description']} ({r['parameters']:,} params, {r['ops_per_step']} ops/step) "
                     f"| {ms(med['plain'])} | {ms(med['checked'])} | {ms(med['snapshot'])} | {ms(med['dispatch'])} "
                     f"| {ratio['checked']:.2f} | {ratio['snapshot']:.2f} | {ratio['dispatch']:.2f} "
                     f"| ≤ {goal:g} | {met} |")
    lines.append("")
    for model, r in results.items():
        per_round = ", ".join("/".join(f"{b[v]['cpu_ns'] / b['plain']['cpu_ns']:.2f}" for v in VARIANTS[1:])
                              for b in r["blocks"])
        wall = "/".join(f"{ratio_median(r['blocks'], v, 'wall_ns'):.2f}" for v in VARIANTS[1:])
        lines.append(f"{model}: checked/snapshot/dispatch-mode ÷ plain by round (CPU time): {per_round}; "
                     f"medians in wall time: {wall}")
    lines.append("")
    lines.append(f"PyTorch {torch.__version__}, torch.set_num_threads({torch.get_num_threads()}), "
                 f"{os.cpu_count()} cpus, {cpu_model()}; "
                 f"{time.strftime('%Y-%m-%dT%H:%M:%S%z')}; medians over {args.rounds} rounds "
                 f"(blocks of {args.large_steps} large / {args.steps} small steps), main thread's CPU time; "
                 f"ops/step: operator calls a TorchDispatchMode sees in one step")
    return "\n".join(lines)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    log(f"torch {torch.__version__}, torch.set_num_threads({torch.get_num_threads()}), "
        f"rounds {args.rounds}, steps per block: large {args.large_steps}, small {args.steps}")
    rng = random.Random(args.seed)
    work = {}
    results = {}
    for model in args.models:
        work[model] = {v: TrainStep(model) for v in VARIANTS}
        # Held, never read (a read after the optimizer's update would be a violation).
        work[model]["snapshot"].snapshot = work[model]["snapshot"].net.state_dict()
        warmup = args.warmup if model == "small" else min(args.warmup, max(1, args.warmup // 10))
        for v in VARIANTS:
            log(f"{model}: warm-up, {warmup} steps {v}")
            run_block(work[model][v], v, warmup)
        counter = CountingMode()  # after warm-up: the first step also creates the optimizer's state
        with counter:
            work[model]["plain"].step()
        results[model] = {"description": MODELS[model][3], "parameters": work[model]["plain"].parameters(),
                          "ops_per_step": counter.calls, "blocks": []}
    for r in range(args.rounds):
        for model in args.models:
            steps = args.steps if model == "small" else args.large_steps
            order = list(VARIANTS)
            rng.shuffle(order)
            block = {}
            for v in order:
                cpu, wall = run_block(work[model][v], v, steps)
                block[v] = {"cpu_ns": cpu, "wall_ns": wall, "position": order.index(v)}
            results[model]["blocks"].append(block)
            log(f"round {r + 1}/{args.rounds} {model}: " +
                ", ".join(f"{v} {block[v]['cpu_ns'] / 1e6:.3f} ms" for v in VARIANTS))
    violations = aliasguard.violation_count()
    print(table(results, args))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "rounds": args.rounds,
                       "steps": {"large": args.large_steps, "small": args.steps}, "warmup": args.warmup,
                       "seed": args.seed, "cpus": os.cpu_count(), "cpu": cpu_model(), "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                       "violations": violations, "results": results}, f, indent=1)
    if violations:
        log(f"{violations} violation(s) reported: the benchmark must make none")
        return 1
    log("no violation reported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
