#!/usr/bin/env python3
"""End-to-end test of aliasguard-check's CI gating on a throw-away git repository.

    gate_test.py ALIASGUARD_CHECK MOCK_HEADER WORK_DIR

Builds a small CMake project (compile_commands.json from CMake itself) in a fresh git
repository under WORK_DIR and checks, in order:
  1. the whole project (-p, no files) with one finding exits 1;
  2. --write-baseline records it (exit 0), and --baseline then accepts it (exit 0);
  3. a new finding in another commit fails the baseline run (exit 1) and only it is reported;
  4. --diff-base HEAD~1 ignores the old finding and catches the new one; so does a unified
     diff on stdin (--diff-base -); a shift of the old finding's lines keeps the baseline
     valid (fingerprints survive line shifts);
  5. shards 1/2 and 2/2 together report exactly what the whole run reports;
  6. a file that does not compile is reported with its name, the others are still analysed,
     and the exit status is 2;
  7. --filter restricts the files.
Prints each command and its exit status; fails with the first mismatch.
"""

import json
import os
import shutil
import subprocess
import sys

TOOL, MOCK, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
REPO = os.path.join(WORK, "repo")
BUILD = os.path.join(REPO, "build")

CMAKELISTS = """cmake_minimum_required(VERSION 3.20)
project(gate_demo CXX)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
set(CMAKE_CXX_STANDARD 17)
add_library(demo OBJECT {sources})
target_include_directories(demo PRIVATE ${{CMAKE_CURRENT_SOURCE_DIR}})
"""

OLD = """#include "mock_torch.h"
// An old finding, accepted by the baseline.
void halve_weights(torch::nn::Module &m) {
  auto sd = m.state_dict();
  sd["fc.weight"].mul_(0.5);
}
"""

CLEAN = """#include "mock_torch.h"
void clean(torch::nn::Module &m) {
  auto best = torch::deep_copy(m.state_dict());
  best["fc.bias"].zero_();
}
"""

NEW = """#include "mock_torch.h"
// A new finding, introduced by the pull request.
void restore(torch::nn::Module &m, torch::optim::SGD &opt) {
  auto best = m.state_dict();
  opt.step();
  m.load_state_dict(best);
}
"""

BROKEN = """#include "mock_torch.h"
void broken() { int x = ; }
"""


def run(args, expect, stdin=None):
    print("$", " ".join(args), flush=True)
    proc = subprocess.run(args, cwd=REPO, input=stdin, capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    sys.stdout.write(proc.stderr)
    print("-> exit", proc.returncode, flush=True)
    allowed = expect if isinstance(expect, tuple) else (expect,)
    if proc.returncode not in allowed:
        sys.exit("FAIL: expected exit %s, got %d" % (" or ".join(map(str, allowed)),
                                                      proc.returncode))
    return proc


def git(*args):
    subprocess.run(["git", "-c", "user.name=gate", "-c", "user.email=gate@example.com", *args],
                   cwd=REPO, check=True, capture_output=True)


def write(name, text):
    with open(os.path.join(REPO, name), "w", encoding="utf-8") as f:
        f.write(text)


def configure(sources):
    write("CMakeLists.txt", CMAKELISTS.format(sources=" ".join(sources)))
    subprocess.run(["cmake", "-S", REPO, "-B", BUILD, "-G", "Ninja"], check=True,
                   capture_output=True)


def findings(args, expect):
    """(check, file, line) of each finding of a JSON run."""
    proc = run([TOOL, "-p", BUILD, "--format=json", "-j", "2", *args], expect)
    return sorted((d["check"], os.path.basename(d["file"]), d["line"])
                  for d in json.loads(proc.stdout)["diagnostics"])


def expect_equal(what, got, want):
    if got != want:
        sys.exit("FAIL: %s: got %s, want %s" % (what, got, want))
    print("ok:", what, flush=True)


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(REPO)
    shutil.copy(MOCK, os.path.join(REPO, "mock_torch.h"))
    write(".gitignore", "build/\n")
    write("old.cpp", OLD)
    write("clean.cpp", CLEAN)
    configure(["old.cpp", "clean.cpp"])
    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "old code with one finding")

    # 1. Whole project: one finding.
    expect_equal("whole project", findings([], 1),
                 [("aliasguard-state-dict-mutation", "old.cpp", 5)])

    # 2. Baseline it.
    baseline = os.path.join(REPO, "aliasguard-baseline.json")
    run([TOOL, "-p", BUILD, "--write-baseline", baseline], 0)
    with open(baseline, encoding="utf-8") as f:
        recorded = json.load(f)["findings"]
    expect_equal("baseline entries", [(e["rule"], e["file"], e["line"]) for e in recorded],
                 [("aliasguard-state-dict-mutation", "old.cpp", 5)])
    expect_equal("baselined run", findings(["--baseline", baseline], 0), [])
    git("add", baseline)
    git("commit", "-q", "-m", "accept the old finding")

    # 3. A new finding (and the old one moved down by two lines).
    write("old.cpp", OLD.replace("// An old finding", "// Moved.\n//\n// An old finding"))
    write("new.cpp", NEW)
    configure(["old.cpp", "clean.cpp", "new.cpp"])
    git("add", ".")
    git("commit", "-q", "-m", "a pull request with a new finding")
    expect_equal("baseline run after the change", findings(["--baseline", baseline], 1),
                 [("aliasguard-stale-snapshot", "new.cpp", 6)])

    # 4. Changed lines only: against the previous commit, and from a diff on stdin.
    expect_equal("--diff-base HEAD~1", findings(["--diff-base", "HEAD~1"], 1),
                 [("aliasguard-stale-snapshot", "new.cpp", 6)])
    diff = subprocess.run(["git", "diff", "-U0", "HEAD~1"], cwd=REPO, check=True,
                          capture_output=True, text=True).stdout
    proc = run([TOOL, "-p", BUILD, "--format=json", "--diff-base", "-"], 1, stdin=diff)
    expect_equal("--diff-base - (stdin)",
                 [os.path.basename(d["file"]) for d in json.loads(proc.stdout)["diagnostics"]],
                 ["new.cpp"])
    expect_equal("--diff-base HEAD (nothing changed since)",
                 findings(["--diff-base", "HEAD"], 0), [])
    # An empty or unparsable diff on stdin is an error, not "nothing changed"; a revision is
    # never read by git as an option.
    for name, text in (("empty", ""), ("garbage", "not a diff\nat all\n")):
        proc = run([TOOL, "-p", BUILD, "--diff-base", "-"], 2, stdin=text)
        if "--diff-base -: standard input is" not in proc.stderr:
            sys.exit(f"FAIL: --diff-base - with {name} input: {proc.stderr}")
    planted = os.path.join(REPO, "planted.txt")
    proc = run([TOOL, "-p", BUILD, "--diff-base=--output=" + planted], 2)
    if os.path.exists(planted) or "git diff" not in proc.stderr:
        sys.exit(f"FAIL: --diff-base=--output=FILE reached git as an option: {proc.stderr}")
    print("ok: bad --diff-base input and option-like revisions are errors")

    # 5. Shards partition the run.
    whole = findings([], 1)
    first = findings(["--shard", "1/2"], (0, 1))
    second = findings(["--shard", "2/2"], (0, 1))
    expect_equal("shards 1/2 + 2/2 == whole run", sorted(first + second), whole)
    if not first or not second:
        sys.exit("FAIL: a shard is empty; the test needs findings in both")

    # 6. A file that does not compile: named, the others still analysed, exit 2.
    write("broken.cpp", BROKEN)
    configure(["old.cpp", "clean.cpp", "new.cpp", "broken.cpp"])
    proc = run([TOOL, "-p", BUILD, "--format=json"], 2)
    checks = sorted(d["check"] for d in json.loads(proc.stdout)["diagnostics"])
    expect_equal("findings next to a broken file", checks,
                 ["aliasguard-stale-snapshot", "aliasguard-state-dict-mutation",
                  "clang-diagnostic-error"])
    if "broken.cpp: compilation failed" not in proc.stderr:
        sys.exit("FAIL: the broken file is not named on stderr")
    print("ok: the broken file is named", flush=True)

    # 7. --filter.
    expect_equal("--filter new", findings(["--filter", "new\\.cpp$"], 1),
                 [("aliasguard-stale-snapshot", "new.cpp", 6)])
    print("PASS")


if __name__ == "__main__":
    main()
