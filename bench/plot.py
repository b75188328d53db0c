#!/usr/bin/env python3
"""Draws bench/run.sh's two plots from the Google Benchmark JSON files table.py reads.

  plot.py FOLDER OUTDIR   writes OUTDIR/write-cost-vs-views.png and OUTDIR/overhead-vs-size.png
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")  # no display on a build machine
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

from table import medians, ns, ops  # noqa: E402


def series(results, prefix):
    """[(arg, median ns)] of the benchmarks named prefix/ARG, by increasing ARG."""
    points = [(int(k.split("/")[1]), ns(b) if isinstance(b, dict) else b)
              for k, b in results.items() if k.startswith(prefix + "/")]
    return sorted(points)


def write_cost_vs_views(folder, path):
    tracker, _ = medians(os.path.join(folder, "tracker.json"))
    fig, ax = plt.subplots(figsize=(6, 4))
    for prefix, label, marker in (("BM_WriteWithLiveViews", "write (logged, never visits views)", "o"),
                                  ("BM_ReadUnchanged", "read of an unchanged handle", "s")):
        xs, ys = zip(*series(tracker, prefix))
        ax.plot(xs, ys, marker=marker, label=label)
    ax.set_xscale("log")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("live views of the storage")
    ax.set_ylabel("ns per operation (median)")
    ax.set_title("Tracker cost against live views")
    finish(fig, ax, path)


def finish(fig, ax, path):
    """Grid, legend and the PNG, as both plots want them."""
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def overhead_vs_size(folder, path):
    plain, checked = ops(folder, "plain"), ops(folder, "checked")
    fig, ax = plt.subplots(figsize=(6, 4))
    for prefix, label, marker in (("BM_AddInPlace", "add_(t, alpha)", "o"),
                                  ("BM_MulScalarInPlace", "mul_(scalar)", "s")):
        pts = [(n, checked[f"{prefix}/{n}"] / t) for n, t in series(plain, prefix)]
        xs, ys = zip(*pts)
        ax.plot(xs, ys, marker=marker, label=label)
    ax.axhline(1.03, color="red", linestyle="--", linewidth=1, label="target ≤ 1.03 (large tensors)")
    ax.axhline(1.0, color="gray", linewidth=0.8)
    ax.set_xscale("log", base=2)
    ax.set_xticks(xs, [f"{n >> 20}M" if n >= 1 << 20 else f"{n >> 10}K" if n >= 1024 else str(n) for n in xs])
    ax.set_xlabel("float32 elements")
    ax.set_ylabel("checked / unchecked time (median)")
    ax.set_title("Tracking overhead against tensor size")
    finish(fig, ax, path)


def main(folder, outdir):
    write_cost_vs_views(folder, os.path.join(outdir, "write-cost-vs-views.png"))
    overhead_vs_size(folder, os.path.join(outdir, "overhead-vs-size.png"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
