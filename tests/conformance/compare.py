#!/usr/bin/env python3
"""Runs one scenario on PyTorch (run_pytorch.py) and on aliasguard (the C++ driver) and
compares their outputs line by line.

    compare.py --driver PATH/aliasguard_conformance_driver scenarios/NN_name.scn

Exit 0 only when both drivers succeed and print identical output (and, when the scenario
names a `golden` file, when the print/echo output of both equals that file; golden files are
read from the project's ../shared folder and that check is skipped, with a note, in a clone
that has none). Otherwise prints
a unified diff (PyTorch's lines are "expected") and exits 1. Exits 77 (CTest's skip code
here) when `import torch` fails under the Python used for PyTorch.
"""

import argparse
import difflib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77


def run(cmd, timeout):
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return 124, "", f"timed out after {timeout}s: {' '.join(cmd)}\n"
    except OSError as exc:
        return 127, "", f"cannot run {cmd[0]}: {exc}\n"
    return proc.returncode, proc.stdout, proc.stderr


def golden_name(scenario):
    with open(scenario, encoding="utf-8") as f:
        for line in f:
            tokens = line.split("#", 1)[0].split()
            if tokens[:1] == ["golden"] and len(tokens) == 2:
                return tokens[1]
    return None


def printed_lines(output):
    """The lines that `print` and `echo` statements wrote, without the `>>>` echoes."""
    keep, out = False, []
    for line in output.splitlines():
        if line.startswith(">>> "):
            keep = line.split()[1] in ("print", "echo")
            continue
        if keep:
            out.append(line)
    return out


def show_diff(expected, actual, from_name, to_name):
    diff = list(difflib.unified_diff(expected, actual, from_name, to_name, lineterm=""))
    if diff:
        print("\n".join(diff))
    return bool(diff)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--driver", required=True, help="path to aliasguard_conformance_driver")
    parser.add_argument("--python", default=sys.executable,
                        help="Python that has PyTorch (default: the one running this script)")
    parser.add_argument("--shared-dir", default=os.path.join(HERE, "..", "..", "..", "shared"),
                        help="the project's shared folder, where `golden` files live (absent in users' clones)")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per driver")
    parser.add_argument("scenario")
    args = parser.parse_args()

    # run_pytorch.py exits 77 when it cannot import torch: no separate check (an import of torch
    # costs more CPU than most scenarios).
    name = os.path.basename(args.scenario)
    py_rc, py_out, py_err = run([args.python, os.path.join(HERE, "run_pytorch.py"), args.scenario],
                                args.timeout)
    if py_rc == SKIP:
        print(f"SKIP: under {args.python}: {py_err.strip()}")
        return SKIP
    ag_rc, ag_out, ag_err = run([args.driver, args.scenario], args.timeout)

    failed = False
    if py_rc != 0:
        print(f"FAIL: run_pytorch.py exited {py_rc} (the scenario does not hold on PyTorch):")
        print(py_err.rstrip())
        failed = True
    if ag_rc != 0:
        print(f"FAIL: aliasguard driver exited {ag_rc}:")
        print(ag_err.rstrip())
        failed = True
    expected, actual = py_out.splitlines(), ag_out.splitlines()
    if show_diff(expected, actual, f"pytorch/{name}", f"aliasguard/{name}"):
        print(f"FAIL: outputs differ ({sum(1 for a, b in zip(expected, actual) if a != b)} "
              f"differing line pairs, {len(expected)} vs {len(actual)} lines)")
        failed = True

    golden = golden_name(args.scenario)
    golden_path = os.path.join(args.shared_dir, golden) if golden is not None else None
    if golden_path is not None and not os.path.exists(golden_path):
        print(f"note: {golden_path} is absent (no ../shared in this clone); compared with live PyTorch only")
    elif golden_path is not None:
        with open(golden_path, encoding="utf-8") as f:
            want = f.read().splitlines()
        for who, out in (("pytorch", py_out), ("aliasguard", ag_out)):
            if show_diff(want, printed_lines(out), golden, f"{who}/{name}"):
                print(f"FAIL: {who}'s print/echo output differs from {golden_path}")
                failed = True

    if failed:
        return 1
    print(f"PASS: {name}: {len(expected)} lines identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
