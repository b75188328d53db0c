#!/usr/bin/env python3
"""Runs one of aliasguard's front ends on one test file and FileChecks its findings.

In the style of clang-tidy's check_clang_tidy.py:

  %check_aliasguard [--config-file=FILE] [--run-only] FILE CHECK TEMP [-- COMPILER ARGS]

runs the checks CHECK (a glob, after -*) on FILE, compiled with -std=c++17 (unless the
arguments name a standard) and COMPILER ARGS, through the front end that lit.cfg.py passes
as --frontend:

  tool    aliasguard-check --checks=-*,CHECK FILE -- ARGS
  tidy    clang-tidy-19 --load=AliasGuardTidyPlugin.so -checks=-*,CHECK --header-filter=.*
                        FILE -- ARGS (findings in the project's headers shown, as the
                        other two front ends show them)
  plugin  clang++-19 -fsyntax-only -fplugin=AliasGuardClangPlugin.so
                     -fplugin-arg-aliasguard-checks=-*,CHECK ARGS FILE
  agree   all three; their findings (file:line:col, level, message and check id, every
          note) must be identical, then the tool's output is checked as under `tool`.

Then
  - CHECK-MESSAGES: lines match warnings, and any other warning or error fails the test;
  - CHECK-NOTES: lines match warnings *and* notes, and any other one fails the test;
  - a file with neither must produce no finding at all;
  - CHECK-FIXES: lines match the file after the front end applied its fixes
    (aliasguard-check --fix, clang-tidy --fix, clang++ -Xclang -fixit). Each front end
    then works on its own copy of FILE, with the CHECK lines blanked out (so they cannot
    match themselves), and its findings are reported against FILE's name.
FileCheck reads the diagnostic lines only (clang-tidy and clang++ also print source
snippets and fix-it lines, which may quote a CHECK comment).
The exit status must agree: aliasguard-check exits 1 when findings are expected and 0 when
none are; clang-tidy and clang++ exit 0 either way (findings are warnings), and anything
else (a compile error, a crash while loading a plugin) fails the test.

--run-only skips the FileCheck step and prints the front end's output on stdout (the log
goes to stderr), for .test files that check it themselves; the exit status must still be
that of a successful run.
"""

import argparse
import os
import re
import subprocess
import sys

FRONTENDS = ("tool", "tidy", "plugin")

# file:line:col: level: message -- what all three front ends print for a finding or note.
DIAGNOSTIC = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): "
                        r"(?P<level>warning|error|note|remark): (?P<message>.*)$")


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--frontend", choices=FRONTENDS + ("agree",), default="tool")
    parser.add_argument("--tool", required=True)
    parser.add_argument("--clang-tidy")
    parser.add_argument("--tidy-plugin")
    parser.add_argument("--clangxx")
    parser.add_argument("--clang-plugin")
    parser.add_argument("--filecheck", required=True)
    parser.add_argument("--config-file")
    parser.add_argument("--run-only", action="store_true")
    parser.add_argument("input")
    parser.add_argument("check")
    parser.add_argument("temp")
    parser.add_argument("compiler_args", nargs="*")
    args = parser.parse_args()
    needed = {"tidy": ("clang_tidy", "tidy_plugin"), "plugin": ("clangxx", "clang_plugin")}
    frontends = FRONTENDS if args.frontend == "agree" else (args.frontend,)
    for frontend in frontends:
        for name in needed.get(frontend, ()):
            if not getattr(args, name):
                parser.error("--frontend=%s needs --%s" % (frontend, name.replace("_", "-")))
    return args


def command_for(frontend, args, compiler_args, source, fix):
    checks = "-*," + args.check
    if frontend == "tool":
        config = ["--config-file=" + args.config_file] if args.config_file else []
        fixing = ["--fix"] if fix else []
        return [args.tool, "--checks=" + checks, *config, *fixing, source, "--",
                *compiler_args]
    if frontend == "tidy":
        config = ["--config-file=" + args.config_file] if args.config_file else []
        fixing = ["--fix"] if fix else []
        return [args.clang_tidy, "--quiet", "--load=" + args.tidy_plugin, "-checks=" + checks,
                "--header-filter=.*", *config, *fixing, source, "--", *compiler_args]
    config = (["-fplugin-arg-aliasguard-config-file=" + args.config_file]
              if args.config_file else [])
    fixing = ["-Xclang", "-fixit"] if fix else []
    return [args.clangxx, "-fsyntax-only", *fixing, "-fplugin=" + args.clang_plugin,
            "-fplugin-arg-aliasguard-checks=" + checks, *config, *compiler_args, source]


def fix_copy(args, frontend, text):
    """The file a front end fixes: FILE with its CHECK comments blanked, line for line."""
    path = "%s.%s.cpp" % (args.temp, frontend)
    with open(path, "w", encoding="utf-8") as f:
        f.write(re.sub(r"// *CHECK-[A-Z0-9-]*:[^\r\n]*", "//", text))
    return path


def run_frontend(frontend, args, compiler_args, expect_findings, source=None):
    """Runs one front end, on `source` (a copy to fix) or FILE; returns its output."""
    fix = source is not None
    command = command_for(frontend, args, compiler_args, source or args.input, fix)
    run = subprocess.run(command, capture_output=True, text=True)
    # aliasguard-check prints findings on stdout and its own errors on stderr; clang-tidy
    # prints findings on stdout and compiler errors on stderr; clang++ prints all on stderr.
    output = run.stdout if frontend == "tool" else run.stdout + run.stderr
    if fix:
        # clang++ -fixit notes each diagnostic whose fixes it applied; not a finding.
        output = "".join(line + "\n" for line in output.replace(source, args.input).splitlines()
                         if "note: FIX-IT applied suggested code changes" not in line)
    # The log goes to stderr: under --run-only, stdout is the output alone.
    print("command:", " ".join(command), file=sys.stderr)
    print("------ %s output (exit %d) ------" % (frontend, run.returncode), file=sys.stderr)
    print(output + (run.stderr if frontend == "tool" else ""), file=sys.stderr)
    if frontend == "tool":
        allowed = (0, 1) if expect_findings is None else (1 if expect_findings else 0,)
    else:
        allowed = (0,)
    if run.returncode not in allowed:
        sys.exit("%s exited with %d, expected %s" % (frontend, run.returncode,
                                                      " or ".join(map(str, allowed))))
    return output


def findings(output):
    """The diagnostics in a front end's output, as (file, line, col, level, message)."""
    result = []
    for text in output.splitlines():
        m = DIAGNOSTIC.match(text)
        if m:
            result.append((os.path.realpath(m["file"]), int(m["line"]), int(m["col"]),
                           m["level"], m["message"]))
    return result


def check_agreement(outputs, temp):
    reference = findings(outputs["tool"])
    for frontend in FRONTENDS:
        with open("%s.%s.findings" % (temp, frontend), "w", encoding="utf-8") as f:
            f.writelines("%s:%d:%d: %s: %s\n" % d for d in findings(outputs[frontend]))
    for frontend in FRONTENDS[1:]:
        theirs = findings(outputs[frontend])
        if theirs != reference:
            only_tool = [d for d in reference if d not in theirs]
            only_them = [d for d in theirs if d not in reference]
            sys.exit("the tool and the %s front end disagree (order or content)\n"
                     "  only from the tool: %s\n  only from %s: %s"
                     % (frontend, only_tool, frontend, only_them))
    print("all front ends agree on %d diagnostics" % len(reference), file=sys.stderr)
    return reference


def main():
    args = parse_args()
    compiler_args = list(args.compiler_args)
    if not any(a.startswith("-std=") for a in compiler_args):
        compiler_args.insert(0, "-std=c++17")
    with open(args.input, encoding="utf-8") as f:
        text = f.read()
    has_messages = re.search(r"^\s*// CHECK-MESSAGES:", text, re.M) is not None
    has_notes = re.search(r"^\s*// CHECK-NOTES:", text, re.M) is not None
    has_fixes = re.search(r"^\s*// CHECK-FIXES:", text, re.M) is not None
    if has_messages and has_notes:
        sys.exit("use either CHECK-NOTES or CHECK-MESSAGES in one file, not both")
    expect_findings = None if args.run_only else (has_messages or has_notes)

    frontends = FRONTENDS if args.frontend == "agree" else (args.frontend,)
    copies = {f: fix_copy(args, f, text) if has_fixes else None for f in frontends}
    if args.frontend == "agree":
        outputs = {f: run_frontend(f, args, compiler_args, expect_findings, copies[f])
                   for f in FRONTENDS}
        agreed = check_agreement(outputs, args.temp)
        if expect_findings and not agreed:
            sys.exit("the file expects findings, but no front end reported any")
        output = outputs["tool"]
    else:
        output = run_frontend(args.frontend, args, compiler_args, expect_findings,
                              copies[args.frontend])
    if not args.run_only:
        output = "".join(line + "\n" for line in output.splitlines()
                         if DIAGNOSTIC.match(line))
    with open(args.temp + ".out", "w", encoding="utf-8") as f:
        f.write(output)

    if args.run_only:
        sys.stdout.write(output)
        return
    if not expect_findings:
        if re.search(r"(warning|error|note):", output):
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
    for frontend, copy in copies.items():
        if copy:
            print("checking the fixes of the %s front end" % frontend, file=sys.stderr)
            subprocess.run([args.filecheck, "-input-file=" + copy, args.input,
                            "-check-prefix=CHECK-FIXES", "-strict-whitespace"], check=True)


if __name__ == "__main__":
    main()
