#!/usr/bin/env python3
"""Checks a LibTorch example (examples/libtorch) built both ways, plain and checked.

  torch_example_check.py --plain EXE --checked EXE --source FILE --mode shallow|deep
      --expect KIND[,KIND...]   (with --mode shallow: the kinds the checked build reports)

The two builds must print the same stdout; the plain one exits 0 and writes nothing to
stderr. With --mode deep the checked build is silent and exits 0. With --mode shallow it
exits 23 and reports exactly the expected kinds, each SUMMARY naming a line of the
example's own source file (FILE), the location a user needs.
"""
import argparse
import os
import re
import subprocess
import sys


def run(exe, mode):
    env = dict(os.environ)
    env.pop("ALIASGUARD_OPTIONS", None)
    return subprocess.run([exe, "--" + mode], capture_output=True, text=True, env=env, timeout=300)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--plain", required=True)
    p.add_argument("--checked", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--mode", required=True, choices=["shallow", "deep"])
    p.add_argument("--expect", default="")
    a = p.parse_args()

    plain = run(a.plain, a.mode)
    checked = run(a.checked, a.mode)
    problems = []
    if plain.returncode != 0 or plain.stderr:
        problems.append(f"plain build: exit {plain.returncode}, stderr:\n{plain.stderr}")
    if plain.stdout != checked.stdout:
        problems.append("plain and checked builds printed different output")
    summaries = re.findall(r"^SUMMARY: AliasGuard: (\S+) (\S+):(\d+)", checked.stderr, re.M)
    if a.mode == "deep":
        if checked.returncode != 0 or summaries:
            problems.append(f"--deep must be silent: exit {checked.returncode}, stderr:\n{checked.stderr}")
    else:
        if checked.returncode != 23:
            problems.append(f"--shallow must exit 23, got {checked.returncode}")
        kinds = sorted({kind for kind, _, _ in summaries})
        expected = sorted(k for k in a.expect.split(",") if k)
        if kinds != expected:
            problems.append(f"reported kinds {kinds}, expected {expected}")
        source = os.path.basename(a.source)
        lines = open(a.source, encoding="utf-8").read().splitlines()
        for kind, path, line in summaries:
            if os.path.basename(path) != source or not 1 <= int(line) <= len(lines):
                problems.append(f"{kind} is reported at {path}:{line}, not at a line of {source}")
    if problems:
        print("\n".join(problems))
        print("--- checked stderr ---\n" + checked.stderr)
        return 1
    print(f"ok: {len(summaries)} report(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
