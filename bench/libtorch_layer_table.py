#!/usr/bin/env python3
"""Prints bench/libtorch_layer.sh's markdown table from the JSON (lt-<variant>-<round>.json)
and sanitizer logs (lt-<variant>-<round>.log) in a folder."""
import glob
import os
import statistics
import sys

from table import fmt, medians, ns

LARGE = "LibTorch MLP step 1024-4096-4096-1024 (25.2M float32 params, batch 16, MSE, autograd, SGD)"
SMALL = "LibTorch MLP step 32-64-64-8 (6,792 params, batch 8, MSE, autograd, Adam)"


def rounds(folder, variant):
    """The runs' median entries of one variant, one dict per round (empty when none ran)."""
    return [medians(p)[0] for p in sorted(glob.glob(os.path.join(folder, f"lt-{variant}-*.json")))]


def median_ns(runs, name):
    return statistics.median(ns(r[name]) for r in runs)


def entry(run, name):
    """`name`'s entry in one run, also when Google Benchmark appended "/min_time:..." to it."""
    if name in run:
        return run[name]
    return next(v for k, v in run.items() if k.startswith(name + "/min_time:"))


def counter(runs, name, key):
    return statistics.median(entry(r, name)[key] for r in runs)


def checked_unchecked(runs, name):
    """(checked, unchecked) ns per operation of one benchmark of libtorch_layer_bench, which
    times both in every iteration and reports them as counters."""
    return counter(runs, name, "checked_ns"), counter(runs, name, "unchecked_ns")


def tsan_reports(folder):
    total = 0
    for path in glob.glob(os.path.join(folder, "lt-tsan-*.log")):
        with open(path, errors="replace") as f:
            total += f.read().count("WARNING: ThreadSanitizer")
    return total


def failure(folder, variant):
    """The first lines of a failed sanitizer run's log, for the table's reason."""
    for path in sorted(glob.glob(os.path.join(folder, f"lt-{variant}-*.log"))):
        with open(path, errors="replace") as f:
            lines = [line.strip() for line in f if line.strip()]
        if lines:
            return lines[0][:160]
    return "no log"


def main(folder):
    layer = rounds(folder, "layer")
    rows = []
    # The ratios and differences are the medians of each repetition's own (checked beside
    # unchecked), not ratios of the medians: the pairing is what removes the machine's drift.
    for bench, label, target in (("BM_TorchStepLarge", LARGE, 1.10), ("BM_TorchStepSmall", SMALL, 1.5)):
        on, off = checked_unchecked(layer, bench)
        ratio = counter(layer, bench, "ratio")
        rows.append((f"checked / unchecked, {label}", fmt(on), fmt(off), ratio, f"≤ {target:.2f}", ratio <= target))
    for tracked, label in (("0", "a plain tensor"), ("1", "a watched module's parameter"),
                           ("2", "the same while a state_dict() of the module is alive")):
        name = f"BM_TorchAdd64/tracked:{tracked}"
        on, off = checked_unchecked(layer, name)
        extra = counter(layer, name, "extra_ns")
        rows.append((f"checked − unchecked, add_(t, alpha), 64 floats, {label}", fmt(on), fmt(off), extra,
                     "≤ +500 ns", extra <= 500))
    # No targets: what one run of the fallback costs on a call that touches no values and on one
    # that returns a view, and the small step's extra divided by its operator calls, to compare
    # them (where the time goes).
    on, off = checked_unchecked(layer, "BM_TorchMetadataCall")
    rows.append(("checked − unchecked, a call that touches no values (aten::size.int)", fmt(on), fmt(off),
                 counter(layer, "BM_TorchMetadataCall", "extra_ns"), "—", None))
    for tracked, label in (("0", "a plain tensor"), ("1", "a watched module's parameter")):
        name = f"BM_TorchView64/tracked:{tracked}"
        on, off = checked_unchecked(layer, name)
        rows.append((f"checked − unchecked, view({{8, 8}}) of 64 floats, {label}", fmt(on), fmt(off),
                     counter(layer, name, "extra_ns"), "—", None))
    on, off = checked_unchecked(layer, "BM_TorchStepSmall")
    calls = counter(layer, "BM_TorchStepSmall", "operator_calls")
    rows.append((f"checked − unchecked per operator call, small step ({calls:.0f} calls per step)",
                 fmt(on / calls), fmt(off / calls), counter(layer, "BM_TorchStepSmall", "extra_ns") / calls, "—", None))

    plain = rounds(folder, "plain")
    for variant, tool in (("asan", "ASan"), ("tsan", "TSan")):
        runs = rounds(folder, variant)
        for bench, label in (("BM_TorchStepLarge", LARGE), ("BM_TorchStepSmall", SMALL)):
            figure = f"{tool} / plain, {label} (only the benchmark program instrumented)"
            if not runs:
                rows.append((figure, "not measured", fmt(median_ns(plain, bench)), None, "—",
                             f"did not run: {failure(folder, variant)}"))
                continue
            san, base = median_ns(runs, bench), median_ns(plain, bench)
            rows.append((figure, fmt(san), fmt(base), san / base, "—", None))

    print("| figure | ours | peer | ratio (or Δ) | target | met? |")
    print("|---|---|---|---|---|---|")
    for figure, ours, peer, ratio, target, met in rows:
        if ratio is None:
            r = "—"
        elif target.startswith("≤ +") or "−" in figure:
            r = f"{ratio:+.1f} ns"
        else:
            r = f"{ratio:.2f}"
        verdict = met if isinstance(met, str) else ("—" if met is None else ("yes" if met else "NO"))
        print(f"| {figure} | {ours} | {peer} | {r} | {target} | {verdict} |")
    if rounds(folder, "tsan"):
        print(f"\nTSan reports in all runs' logs: {tsan_reports(folder)}")
    context = medians(sorted(glob.glob(os.path.join(folder, "lt-layer-*.json")))[0])[1]
    print(f"\n{context.get('num_cpus', '?')} cpus, {context.get('mhz_per_cpu', '?')} MHz; {context.get('date', '')}; "
          f"medians over {len(layer)} rounds of the repetitions' medians")


if __name__ == "__main__":
    main(sys.argv[1])
