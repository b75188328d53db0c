#!/usr/bin/env python3
"""Runs aliasguard-check on one test file and FileChecks its findings.

In the style of clang-tidy's check_clang_tidy.py:

  %check_aliasguard [--tool-arg=ARG]... FILE CHECK TEMP [-- COMPILER ARGS]

runs `aliasguard-check --checks=-*,CHECK FILE -- -std=c++17 COMPILER ARGS`, then
  - CHECK-MESSAGES: lines match warnings, and any other warning or error fails the test;
  - CHECK-NOTES: lines match warnings *and* notes, and any other one fails the test;
  - a file with neither must produce no finding at all.
The tool's exit status must agree: 1 when findings are expected, 0 when none are.
"""

import argparse
import re
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", required=True)
    parser.add_argument("--filecheck", required=True)
    parser.add_argument("--tool-arg", action="append", default=[])
    parser.add_argument("input")
    parser.add_argument("check")
    parser.add_argument("temp")
    parser.add_argument("compiler_args", nargs="*")
    args = parser.parse_args()

    compiler_args = list(args.compiler_args)
    if not any(a.startswith("-std=") for a in compiler_args):
        compiler_args.insert(0, "-std=c++17")
    with open(args.input, encoding="utf-8") as f:
        text = f.read()
    has_messages = re.search(r"^\s*// CHECK-MESSAGES:", text, re.M) is not None
    has_notes = re.search(r"^\s*// CHECK-NOTES:", text, re.M) is not None

    if has_messages and has_notes:
        sys.exit("use either CHECK-NOTES or CHECK-MESSAGES in one file, not both")
    command = [args.tool, "--checks=-*," + args.check, *args.tool_arg, args.input,
               "--", *compiler_args]
    run = subprocess.run(command, capture_output=True, text=True)
    output = run.stdout
    with open(args.temp + ".out", "w", encoding="utf-8") as f:
        f.write(output)
    print("command:", " ".join(command))
    print("------ aliasguard-check output (exit %d) ------" % run.returncode)
    print(output + run.stderr)

    expected_exit = 1 if (has_messages or has_notes) else 0
    if run.returncode != expected_exit:
        sys.exit("aliasguard-check exited with %d, expected %d"
                 % (run.returncode, expected_exit))
    if not (has_messages or has_notes):
        if re.search(r"(warning|error):", output):
            sys.exit("expected no findings")
        return
    for prefix, implicit in (("CHECK-MESSAGES", "{{warning|error}}:"),
                             ("CHECK-NOTES", "{{note|warning|error}}:")):
        if prefix == "CHECK-MESSAGES" and not has_messages:
            continue
        if prefix == "CHECK-NOTES" and not has_notes:
            continue
        subprocess.run([args.filecheck, "-input-file=" + args.temp + ".out", args.input,
                        "-check-prefix=" + prefix, "-implicit-check-not=" + implicit],
                       check=True)


if __name__ == "__main__":
    main()
