#!/usr/bin/env python3
"""Combines bench/gpu_bench.cpp's JSON (ours) and bench/gpu/pytorch_gpu.py's JSON (PyTorch)
into the markdown results table of bench/README.md ("GPU runs").

usage: table.py OURS.json [TORCH.json] > gpu_table.md

Bandwidth rows: ratio = ours / peer in GB/s (bytes read + written), higher is better.
Time rows: ratio = peer ms / ours ms, i.e. how many times faster ours is; above 1 is faster.
A missing or failed PyTorch run leaves its rows "not measured" rather than failing.
"""
import json
import sys

H200_GBPS = 4300.0  # about 4.3 TB/s counting read and write (the issue's figure)


def load(path):
    if not path:
        return None
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    ours = load(argv[1])
    torch = load(argv[2] if len(argv) > 2 else None)
    if ours is None:
        print(f"table.py: no results in {argv[1]}", file=sys.stderr)
        return 1
    r = ours["results"]
    t = torch["results"] if torch else {}

    rows = []

    def bandwidth(figure, mine, peer, target):
        if mine is None or peer is None:
            rows.append((figure, "—", "—", "—", f"≥ {target:.2f}" if target else "—", "not measured"))
            return
        ratio = mine / peer
        met = "—" if target is None else ("yes" if ratio >= target else "no")
        rows.append((figure, f"{mine:,.0f} GB/s", f"{peer:,.0f} GB/s", f"{ratio:.2f}",
                     f"≥ {target:.2f}" if target else "—", met))

    def speed(figure, mine_ms, peer_ms, target):
        if mine_ms is None or peer_ms is None:
            rows.append((figure, fmt_ms(mine_ms), fmt_ms(peer_ms), "—", f"> {target:.2f}×" if target else "—",
                         "not measured"))
            return
        ratio = peer_ms / mine_ms
        met = "—" if target is None else ("yes" if ratio > target else "no")
        rows.append((figure, fmt_ms(mine_ms), fmt_ms(peer_ms), f"{ratio:.2f}×",
                     f"> {target:.2f}×" if target else "—", met))

    def gb(results, key):
        return results[key]["gbps"] if key in results else None

    def ms(results, key):
        return results[key]["ms"] if key in results else None

    memcpy = gb(r, "memcpy_d2d")
    bandwidth("deep_copy(dict) vs cudaMemcpyAsync D2D", gb(r, "deep_copy_batched"), memcpy, 0.90)
    bandwidth("load_state_dict vs cudaMemcpyAsync D2D", gb(r, "load_batched"), memcpy, 0.90)
    speed("deep_copy(dict) vs PyTorch {k: v.clone()}", ms(r, "deep_copy_batched"), ms(t, "deep_copy_clone"), 1.0)
    speed("load_state_dict vs PyTorch load_state_dict", ms(r, "load_batched"), ms(t, "load_state_dict"), 1.0)
    # Context, no target.
    bandwidth("batched copy kernel alone vs cudaMemcpyAsync D2D", gb(r, "copy_many_kernel"), memcpy, None)
    speed("deep_copy: batched vs per-tensor path", ms(r, "deep_copy_batched"), ms(r, "deep_copy_per_tensor"), None)
    speed("load_state_dict: batched vs per-tensor path", ms(r, "load_batched"), ms(r, "load_per_tensor"), None)
    speed("deep_copy(dict) vs PyTorch copy.deepcopy", ms(r, "deep_copy_batched"), ms(t, "deep_copy_deepcopy"), None)
    speed("load_state_dict vs PyTorch p.copy_(s) loop", ms(r, "load_batched"), ms(t, "load_copy_loop"), None)
    speed("load_state_dict vs PyTorch _foreach_copy_", ms(r, "load_batched"), ms(t, "load_foreach_copy"), None)
    bandwidth("cudaMemcpyAsync D2D vs 4.3 TB/s (H200)", memcpy, H200_GBPS, None)
    bandwidth("cudaMemcpyAsync D2D: ours vs PyTorch's", memcpy, gb(t, "memcpy_d2d"), None)

    print(f"GPU: {ours.get('device', '?')}, {ours.get('tensors', '?')} tensors, "
          f"{ours.get('bytes', 0) / 1e6:.1f} MB; aliasguard verified: {ours.get('verified')}; "
          + (f"PyTorch {torch.get('torch')} (CUDA {torch.get('cuda')}) verified: {torch.get('verified')}"
             if torch else "PyTorch: not measured"))
    print()
    print("| figure | ours | peer | ratio | target | met? |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    issue = [f"{key} {r[key]['host_ms'] * 1000:,.0f} µs" for key in
             ("deep_copy_batched", "load_batched", "deep_copy_per_tensor", "load_per_tensor")
             if key in r and "host_ms" in r[key]]
    if issue:
        print("Host time to issue one call (ours; near the GPU time means host-bound): " + ", ".join(issue) + ".")
        print()
    print("GB/s count bytes read plus written. Bandwidth ratio = ours / peer; time ratio = peer ms / ours ms "
          "(times faster). Medians of cudaEvent / torch.cuda.Event intervals over back-to-back calls.")
    return 0


def fmt_ms(v):
    return "—" if v is None else f"{v * 1000:,.0f} µs"


if __name__ == "__main__":
    sys.exit(main(sys.argv))
