#!/usr/bin/env python3
"""Checks examples/seed_state_dict against PyTorch's output for the seed question.

  seed_check.py --exe PATH --mode shallow|deep --against shared [--shared-dir DIR]
      compare with the recorded PyTorch output in ../shared/seed/pytorch_output_<mode>.txt
      (exit 77 with a reason when that folder is absent, as in a user's clone)
  seed_check.py --exe PATH --mode shallow|deep --against live
      run the seed's steps on real PyTorch (the interpreter running this script, with torch), starting
      from the same weights, and compare (exit 77 with a reason when torch is missing)

  seed_check.py --exe PATH --mode deep --against program --other-exe PATH2
      PATH2 (run without arguments, e.g. seed_state_dict_deep) prints what PATH --mode prints

  seed_check.py --exe PATH_TO_CHECKED --mode shallow|deep --against reports
      run the example linked with aliasguard::runtime_checked: --shallow must report both
      kinds with the example's own lines as origins and exit 23; --deep must report nothing

Every printed line must be identical.
"""
import re
import argparse
import difflib
import os
import subprocess
import sys

SKIP = 77


def run_example(exe, mode, extra=()):
    out = subprocess.run([exe, "--" + mode, *extra], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{exe} --{mode} exited {out.returncode}:\n{out.stderr}")
    return out.stdout


# The seed's steps, written against torch; {init} is replaced by the six starting values.
LIVE_PROGRAM = r"""
import copy, sys, torch
torch.set_num_threads(1)
class LogisticRegression(torch.nn.Module):
    def __init__(self, i, c):
        super().__init__(); self.fc = torch.nn.Linear(i, c)
deep = sys.argv[1] == "deep"
m = LogisticRegression(2, 2)
init = [float.fromhex(x) for x in sys.argv[2].split(",")]
with torch.no_grad():
    m.fc.weight.copy_(torch.tensor(init[:4]).view(2, 2)); m.fc.bias.copy_(torch.tensor(init[4:]))
a = m.state_dict()
print(m.state_dict()); print(a)
for v in m.parameters(): v.data -= 0.5 * v.data
print("state_dict() is shallow copy:")
print(m.state_dict()); print(a)
if deep: a = copy.deepcopy(a)
for k in a: a[k].data -= 0.5 * a[k].data
print("load_state_dict() is ? copy:")
print(m.state_dict()); print(a)
for p in m.parameters(): p.data -= 0.5 * p.data
print("load_state_dict() is ? copy:")
print(m.state_dict()); print(a)
"""


def diff_or_pass(expected, actual, what):
    if expected == actual:
        print(f"PASS: identical to {what} ({len(actual.splitlines())} lines)")
        return 0
    sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), what, "aliasguard"))
    return 1


def check_reports(exe, mode):
    out = subprocess.run([exe, "--" + mode], capture_output=True, text=True)
    err = out.stderr
    if mode == "deep":
        if out.returncode != 0 or "AliasGuard" in err:
            print(f"FAIL: --deep must report nothing and exit 0; exit {out.returncode}, stderr:\n{err}")
            return 1
        print("PASS: --deep reported nothing")
        return 0
    problems = []
    if out.returncode != 23:
        problems.append(f"exit status {out.returncode}, expected 23 (the checked runtime's default exitcode)")
    for kind in ("stale-snapshot-read", "write-through-snapshot"):
        summary = re.search(r"^SUMMARY: AliasGuard: " + kind + r" (\S*seed_state_dict\.cpp):(\d+) in ", err, re.M)
        if not summary:
            problems.append(f"no SUMMARY line for {kind} at a line of seed_state_dict.cpp")
    if not re.search(r"^AliasGuard: reported 2 violations$", err, re.M):
        problems.append("no 'AliasGuard: reported 2 violations' line")
    if problems:
        print("FAIL:\n  " + "\n  ".join(problems) + "\nstderr was:\n" + err)
        return 1
    print("PASS: --shallow reported stale-snapshot-read and write-through-snapshot at the example's lines")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exe", required=True)
    ap.add_argument("--mode", choices=["shallow", "deep"], required=True)
    ap.add_argument("--against", choices=["shared", "live", "reports", "program"], required=True)
    ap.add_argument("--other-exe", help="with --against program: the program to compare")
    ap.add_argument("--shared-dir", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))
    args = ap.parse_args()

    if args.against == "reports":
        return check_reports(args.exe, args.mode)
    if args.against == "program":
        other = subprocess.run([args.other_exe], capture_output=True, text=True)
        if other.returncode != 0:
            sys.exit(f"{args.other_exe} exited {other.returncode}:\n{other.stderr}")
        return diff_or_pass(run_example(args.exe, args.mode), other.stdout,
                            f"{os.path.basename(args.exe)} --{args.mode}")
    if args.against == "shared":
        path = os.path.join(args.shared_dir, "seed", f"pytorch_output_{args.mode}.txt")
        if not os.path.exists(path):
            print(f"SKIP: {path} not found (../shared is only present in the project's workspace)")
            return SKIP
        with open(path) as f:
            expected = f.read()
        return diff_or_pass(expected, run_example(args.exe, args.mode), path)

    probe = subprocess.run([sys.executable, "-c", "import torch"], capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"SKIP: real PyTorch is not importable by {sys.executable} (apt-get install python3-torch): "
              + probe.stderr.strip().splitlines()[-1])
        return SKIP
    # Start both from the same non-round values (exact in float32), so every digit is compared.
    init = [-0.3125, 0.0078125, 0.59375, -0.46875, 0.140625, -0.0546875]
    init_arg = ",".join(float(x).hex() for x in init)
    ours = run_example(args.exe, args.mode, [f"--init={','.join(repr(x) for x in init)}"])
    live = subprocess.run([sys.executable, "-c", LIVE_PROGRAM, args.mode, init_arg], capture_output=True, text=True)
    if live.returncode != 0:
        sys.exit("PyTorch side failed:\n" + live.stderr)
    return diff_or_pass(live.stdout, ours, f"PyTorch {args.mode}")


if __name__ == "__main__":
    sys.exit(main())
