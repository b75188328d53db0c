#!/usr/bin/env python3
"""The PyTorch side of the GPU benchmark (bench/gpu_bench.cpp does the aliasguard side):
the same ResNet-50-shaped dict (161 float32 tensors, 25,557,032 floats) on cuda:0.

  memcpy_d2d         dst.copy_(src) of one flat buffer of the dict's bytes (one cudaMemcpyAsync)
  deep_copy_clone    {k: v.clone() for k, v in sd.items()}
  deep_copy_deepcopy copy.deepcopy(sd)
  load_state_dict    model.load_state_dict(saved)
  load_copy_loop     p.copy_(s) for each tensor, under no_grad (what load_state_dict does inside)
  load_foreach_copy  torch._foreach_copy_(params, saved) (PyTorch's own multi-tensor copy), when present

Times are torch.cuda.Event intervals on the current stream around `iters` back-to-back calls,
median of `reps`; GB/s count bytes read plus written. Prints one JSON object (and writes it
to --out). Run with /usr/bin/python3 where torch is installed (the GPU machine).
"""
import argparse
import copy
import json
import statistics
import sys


def resnet50_parameter_shapes():
    """bench/resnet50_shapes.h, in Python: torchvision's ResNet-50 parameters in order."""
    out = []

    def conv(name, o, i, k):
        out.append((name + ".weight", (o, i, k, k)))

    def bn(name, c):
        out.append((name + ".weight", (c,)))
        out.append((name + ".bias", (c,)))

    conv("conv1", 64, 3, 7)
    bn("bn1", 64)
    inp = 64
    for layer, blocks in enumerate((3, 4, 6, 3)):
        width = 64 << layer
        for b in range(blocks):
            p = f"layer{layer + 1}.{b}"
            conv(p + ".conv1", width, inp, 1)
            bn(p + ".bn1", width)
            conv(p + ".conv2", width, width, 3)
            bn(p + ".bn2", width)
            conv(p + ".conv3", width * 4, width, 1)
            bn(p + ".bn3", width * 4)
            if b == 0:
                conv(p + ".downsample.0", width * 4, inp, 1)
                bn(p + ".downsample.1", width * 4)
            inp = width * 4
    out.append(("fc.weight", (1000, 2048)))
    out.append(("fc.bias", (1000,)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iters", type=int, default=50, metavar="N",
                    help="back-to-back calls between one pair of CUDA events (default 50)")
    ap.add_argument("--reps", type=int, default=7, metavar="N",
                    help="timed repetitions; the median is reported (default 7)")
    ap.add_argument("--warmup", type=int, default=5, metavar="N",
                    help="untimed calls before the first repetition (default 5)")
    ap.add_argument("--out", metavar="FILE", help="also write the results as JSON here (bench/gpu/table.py reads it)")
    args = ap.parse_args()
    try:
        import torch
    except ImportError as e:
        print(f"pytorch_gpu: torch is not importable here ({e})", file=sys.stderr)
        return 3
    if not torch.cuda.is_available():
        print("pytorch_gpu: torch sees no usable CUDA device; nothing measured", file=sys.stderr)
        return 3
    dev = torch.device("cuda", 0)
    torch.manual_seed(0)

    shapes = resnet50_parameter_shapes()
    flat = [(name.replace(".", "_"), shape) for name, shape in shapes]

    class Params(torch.nn.Module):
        def __init__(self):
            super().__init__()
            for name, shape in flat:
                self.register_parameter(name, torch.nn.Parameter(torch.randn(shape, device=dev), requires_grad=False))

    model = Params()
    saved = {k: v.clone() for k, v in model.state_dict().items()}
    nbytes = sum(v.numel() * v.element_size() for v in saved.values())
    src = torch.empty(nbytes, dtype=torch.uint8, device=dev)
    dst = torch.empty_like(src)
    params = list(model.parameters())
    saved_values = [saved[name] for name, _ in flat]
    torch.cuda.synchronize()

    def time_calls(body):
        for _ in range(args.warmup):
            body()
        torch.cuda.synchronize()
        per_call = []
        for _ in range(args.reps):
            start = torch.cuda.Event(enable_timing=True)
            stop = torch.cuda.Event(enable_timing=True)
            start.record()
            for _ in range(args.iters):
                body()
            stop.record()
            stop.synchronize()
            per_call.append(start.elapsed_time(stop) / args.iters)
        return {"ms": statistics.median(per_call), "ms_min": min(per_call),
                "gbps": 2.0 * nbytes / (statistics.median(per_call) * 1e-3) / 1e9}

    def copy_loop():
        with torch.no_grad():
            for p, s in zip(params, saved_values):
                p.copy_(s)

    results = {}
    results["memcpy_d2d"] = time_calls(lambda: dst.copy_(src))
    results["deep_copy_clone"] = time_calls(lambda: {k: v.clone() for k, v in saved.items()})
    results["deep_copy_deepcopy"] = time_calls(lambda: copy.deepcopy(saved))
    results["load_state_dict"] = time_calls(lambda: model.load_state_dict(saved))
    results["load_copy_loop"] = time_calls(copy_loop)
    if hasattr(torch, "_foreach_copy_"):
        def foreach_copy():
            with torch.no_grad():
                torch._foreach_copy_(params, saved_values)
        try:
            results["load_foreach_copy"] = time_calls(foreach_copy)
        except RuntimeError as e:  # present but not implemented for this build
            print(f"pytorch_gpu: _foreach_copy_ skipped: {e}", file=sys.stderr)

    # The copies must be right, or the times mean nothing.
    model.load_state_dict(saved)
    verified = all(torch.equal(p, s) for p, s in zip(params, saved_values))
    clone = {k: v.clone() for k, v in saved.items()}
    verified = verified and all(torch.equal(clone[k], v) for k, v in saved.items())

    report = {
        "tool": "pytorch_gpu",
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "device": torch.cuda.get_device_name(0),
        "tensors": len(flat),
        "bytes": nbytes,
        "iters": args.iters,
        "reps": args.reps,
        "verified": verified,
        "results": results,
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    return 0 if verified else 1


if __name__ == "__main__":
    sys.exit(main())
