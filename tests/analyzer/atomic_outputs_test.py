#!/usr/bin/env python3
"""aliasguard-check's outputs are whole or untouched (Note [Atomic outputs] in
analyzer/tool/FindingsOutput.cpp): on a full disk a --fix leaves the source as it was, a
--write-baseline leaves the old baseline, an --output leaves no partial file, and each is
exit status 2 naming the path and the reason. The full disk is a 64 KiB tmpfs, which needs
root and mount(8); without them the test is skipped (exit 77) with the reason. /dev/full
stands for a full device.

  atomic_outputs_test.py ALIASGUARD_CHECK INPUTS_DIR WORK_DIR
"""
import os
import shutil
import subprocess
import sys


FIX_ME = """#include "mock_torch.h"

void f(torch::nn::Module &m) {
  auto sd = m.state_dict();
  torch::Tensor w = sd["w"];
  w.add_(1.0);
}
"""


def expect(condition, message):
    if not condition:
        print(f"FAIL: {message}")
        sys.exit(1)


def run(tool, args, cwd):
    return subprocess.run([tool, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def fill(directory):
    """Leaves the file system of `directory` with no free block."""
    with open(os.path.join(directory, "filler"), "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 512)
        except OSError:
            pass


def main():
    tool, inputs, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    source = os.path.join(inputs, "write_through.cpp")
    compile_args = ["--", "-std=c++17", "-I" + inputs]

    # A full device: the findings cannot be written, and the tool says so.
    result = run(tool, ["--output=/dev/full", source, *compile_args], work)
    expect(result.returncode == 2, f"--output=/dev/full: exit {result.returncode}\n{result.stderr}")
    expect("cannot write '/dev/full': No space left on device" in result.stderr, result.stderr)
    with open("/dev/full", "w") as full:
        result = subprocess.run([tool, source, *compile_args], cwd=work, stdout=full, stderr=subprocess.PIPE,
                                text=True, timeout=300)
    expect(result.returncode == 2, f"stdout on /dev/full: exit {result.returncode}\n{result.stderr}")
    expect("cannot write the findings to standard output: No space left on device" in result.stderr,
           result.stderr)
    print("ok: a full device is exit 2 with the path and the reason")

    if os.geteuid() != 0 or shutil.which("mount") is None:
        print("SKIP: the full-disk cases need root and mount(8) for a small tmpfs")
        sys.exit(77)
    disk = os.path.join(work, "disk")
    os.makedirs(disk)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", disk], capture_output=True, text=True)
    if mounted.returncode != 0:
        print(f"SKIP: cannot mount a tmpfs here: {mounted.stderr.strip()}")
        sys.exit(77)
    try:
        # A finding with a fix-it (`.clone()`); the fix is applied on a free disk first.
        fixed = os.path.join(disk, "fix_me.cpp")
        with open(fixed, "w") as f:
            f.write(FIX_ME)
        trial = os.path.join(disk, "trial.cpp")
        shutil.copy(fixed, trial)
        result = run(tool, ["--fix", trial, *compile_args], disk)
        expect(result.returncode == 1 and "applied 1 fix" in result.stderr, f"--fix on a free disk:\n{result.stderr}")
        with open(trial) as f:
            expect('sd["w"].clone()' in f.read(), "the fix-it adds .clone()")
        os.remove(trial)
        baseline = os.path.join(disk, "baseline.json")
        result = run(tool, ["--write-baseline=" + baseline, fixed, *compile_args], disk)
        expect(result.returncode == 0, f"baseline on a free disk: exit {result.returncode}\n{result.stderr}")
        with open(fixed, "rb") as f:
            source_bytes = f.read()
        with open(baseline, "rb") as f:
            baseline_bytes = f.read()
        expect(b"fingerprint" in baseline_bytes, "the baseline holds the finding")
        fill(disk)

        result = run(tool, ["--fix", fixed, *compile_args], disk)
        expect(result.returncode == 2, f"--fix on a full disk: exit {result.returncode}\n{result.stderr}")
        expect("fix not applied: cannot write '" in result.stderr and "No space left on device" in result.stderr,
               result.stderr)
        expect("applied" not in result.stderr.replace("not applied", ""), f"claims a fix: {result.stderr}")
        with open(fixed, "rb") as f:
            expect(f.read() == source_bytes, "--fix on a full disk changed the source")
        print("ok: --fix on a full disk leaves the source byte for byte, exit 2")

        result = run(tool, ["--write-baseline=" + baseline, fixed, *compile_args], disk)
        expect(result.returncode == 2, f"--write-baseline on a full disk: exit {result.returncode}\n{result.stderr}")
        expect("baseline not written" in result.stderr, result.stderr)
        with open(baseline, "rb") as f:
            expect(f.read() == baseline_bytes, "a failed --write-baseline changed the old baseline")
        print("ok: --write-baseline on a full disk keeps the old baseline, exit 2")

        output = os.path.join(disk, "findings.sarif")
        result = run(tool, ["--format=sarif", "--output=" + output, fixed, *compile_args], disk)
        expect(result.returncode == 2, f"--output on a full disk: exit {result.returncode}\n{result.stderr}")
        expect(f"cannot write '{output}'" in result.stderr, result.stderr)
        expect(not os.path.exists(output), "a partial SARIF file was left")
        leftovers = [name for name in os.listdir(disk) if ".tmp-" in name]
        expect(not leftovers, f"temporary files left behind: {leftovers}")
        print("ok: --output on a full disk leaves no file and no temporary, exit 2")
    finally:
        subprocess.run(["umount", disk], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
