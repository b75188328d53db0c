#!/usr/bin/env python3
"""Runs report_probe under ALIASGUARD_OPTIONS and checks what a user would see.

usage: run_probe.py CASE --probe EXE --probe-defaults EXE --flags flags.inc --workdir DIR

Each CASE (see CASES below) is one CTest test; it exits non-zero with a message saying what
was expected and showing the probe's output when a check fails.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys

NASTY_KEY = 'fc."w"\\\n\t\x01\u00e9\ufffd'  # the "json" mode's key, as JSON must give it back


class Run:
    def __init__(self, args, rc, stderr, stdout):
        self.args, self.rc, self.stderr, self.stdout = args, rc, stderr, stdout


class Failure(Exception):
    pass


class Probe:
    def __init__(self, opts):
        self.opts = opts
        self.workdir = opts.workdir
        shutil.rmtree(self.workdir, ignore_errors=True)
        os.makedirs(self.workdir)

    def path(self, name):
        return os.path.join(self.workdir, name)

    def write(self, name, text):
        with open(self.path(name), "w", encoding="utf-8") as f:
            f.write(text)
        return self.path(name)

    def run(self, mode="one", options=None, defaults=False):
        env = dict(os.environ)
        env.pop("ALIASGUARD_OPTIONS", None)
        if options is not None:
            env["ALIASGUARD_OPTIONS"] = options
        exe = self.opts.probe_defaults if defaults else self.opts.probe
        p = subprocess.run([exe, mode], env=env, cwd=self.workdir, capture_output=True, timeout=60)
        run = Run([exe, mode, options], p.returncode, p.stderr.decode("utf-8", "replace"),
                  p.stdout.decode("utf-8", "replace"))
        self.last = run
        return run

    # --- checks ---
    def fail(self, what):
        r = self.last
        raise Failure(f"{what}\n--- run: {r.args}\n--- exit code: {r.rc}\n--- stderr:\n{r.stderr}--- end")

    def rc(self, run, expected):
        if run.rc != expected:
            self.fail(f"expected exit code {expected}, got {run.rc}")

    def has(self, text, pattern, where="stderr"):
        if not re.search(pattern, text, re.M):
            self.fail(f"expected /{pattern}/ in {where}")

    def lacks(self, text, pattern, where="stderr"):
        if re.search(pattern, text, re.M):
            self.fail(f"did not expect /{pattern}/ in {where}")

    def count(self, text, pattern, expected, where="stderr"):
        n = len(re.findall(pattern, text, re.M))
        if n != expected:
            self.fail(f"expected {expected} matches of /{pattern}/ in {where}, got {n}")


SEP = "=" * 65
REPORT = (
    rf"^{SEP}\n"
    r"==(\d+)==WARNING: AliasGuard: stale-snapshot-read on storage #\d+ \(cpu, 16 bytes\)\n"
    r"READ through snapshot #\d+ 'fc\.weight', bytes \[0, 16\), at epoch \d+\n"
    r"    #0 \S*report_probe\.cpp:\d+ in [\w:]*evaluate_snapshot\n"
    r"  handle created at \S*report_probe\.cpp:\d+\n"
    r"saw a WRITE through module(?: #\d+)? 'fc\.weight', bytes \[0, 16\), at epoch \d+\n"
    r"    #0 \S*report_probe\.cpp:\d+ in [\w:]*optimizer_step\n"
    r"storage #\d+: cpu, 16 bytes, shared bytes \[0, 16\)\n"
    r"SUMMARY: AliasGuard: stale-snapshot-read \S*report_probe\.cpp:\d+ in [\w:]*evaluate_snapshot\n"
    r"HINT: .*deep_copy\(module\.state_dict\(\)\).*clone\(\).*suppressions=FILE.*'stale-snapshot-read:.*\n"
    rf"{SEP}\n"
)


def case_default(p):
    r = p.run()
    p.rc(r, 23)
    p.has(r.stderr, REPORT)
    m = re.search(REPORT, r.stderr, re.M)
    p.has(r.stderr, rf"probe: main started, pid {m.group(1)}$")  # ==PID== is the probe's pid
    p.has(r.stderr, r"^probe: main done\n(.|\n)*^AliasGuard: reported 1 violations$")
    p.count(r.stderr, r"^SUMMARY:", 1)


def case_write_through(p):
    r = p.run("write-through")
    p.rc(r, 23)
    p.has(r.stderr, r"WARNING: AliasGuard: write-through-snapshot on storage")
    p.has(r.stderr, r"^READ through module(?: #\d+)? 'fc\.weight'.*\n    #0 \S*report_probe\.cpp:\d+ in [\w:]*forward$")
    p.has(r.stderr, r"^saw a WRITE through snapshot #\d+ 'fc\.weight'.*\n    #0 \S*:\d+ in [\w:]*edit_snapshot$")
    p.has(r.stderr, r"^HINT: .*deep_copy.*'write-through-snapshot:")


def case_detect_write(p):
    # Eager: reported at the write, which leads; the snapshot that will see it follows.
    r = p.run(options="detect=write")
    p.rc(r, 23)
    p.has(r.stderr, r"^WRITE through module(?: #\d+)? 'fc\.weight', bytes \[0, 16\), at epoch \d+\n"
                    r"    #0 \S*report_probe\.cpp:\d+ in [\w:]*optimizer_step\n"
                    r"is visible through snapshot #\d+ 'fc\.weight', bytes \[0, 16\)\n"
                    r"  handle created at \S*report_probe\.cpp:\d+\n")
    p.has(r.stderr, r"^SUMMARY: AliasGuard: stale-snapshot-read \S*report_probe\.cpp:\d+ in [\w:]*optimizer_step$")


def case_stack_depth(p):
    r = p.run(options="stack_depth=2")
    p.rc(r, 23)
    p.has(r.stderr, r"^    #0 \S*report_probe\.cpp:\d+ in [\w:]*evaluate_snapshot\n    #1 \S.*\n    #2 \S.*\n  handle")
    r = p.run()
    p.lacks(r.stderr, r"^    #1 ")


def case_exitcode(p):
    r = p.run(options="exitcode=7")
    p.rc(r, 7)
    p.has(r.stderr, r"^AliasGuard: reported 1 violations$")


def case_halt_on_error(p):
    r = p.run("two", "halt_on_error=1")
    p.rc(r, 23)
    p.has(r.stderr, r"==\d+==ERROR: AliasGuard: stale-snapshot-read")
    p.has(r.stderr, r"in [\w:]*evaluate_snapshot$")
    p.lacks(r.stderr, r"evaluate_other_snapshot")
    p.count(r.stderr, r"^SUMMARY:", 1)
    p.has(r.stderr, rf"^{SEP}\n==\d+==ABORTING$")
    p.lacks(r.stderr, r"probe: main done|reported \d+ violations")


def case_log_path(p):
    r = p.run(options=f"log_path={p.path('log')}")
    p.rc(r, 23)
    p.lacks(r.stderr, r"AliasGuard")
    pid = re.search(r"pid (\d+)", r.stderr).group(1)
    logs = glob.glob(p.path("log.*"))
    if logs != [p.path(f"log.{pid}")]:
        p.fail(f"expected exactly {p.path('log.' + pid)}, found {logs}")
    text = open(logs[0], encoding="utf-8").read()
    p.has(text, REPORT, "the log file")
    p.has(text, r"^AliasGuard: reported 1 violations$", "the log file")


def case_log_path_unwritable(p):
    r = p.run(options="log_path=/nonexistent-dir/log")
    p.rc(r, 23)
    p.has(r.stderr, r"AliasGuard: ERROR: cannot open log file '/nonexistent-dir/log\.\d+'")
    p.has(r.stderr, REPORT)


def case_json(p):
    r = p.run("json", f"report_format=json:log_path={p.path('log')}")
    p.rc(r, 23)
    (log,) = glob.glob(p.path("log.*"))
    lines = open(log, encoding="utf-8").read().splitlines()
    try:
        objects = [json.loads(line) for line in lines]
    except json.JSONDecodeError as e:
        p.fail(f"a line of the JSON log does not parse: {e}\n{lines}")
    if len(objects) != 2:
        p.fail(f"expected a violation and a summary line, got {lines}")
    v, summary = objects
    expected_keys = {"kind", "observer", "observer_created", "write", "storage", "may_overlap", "write_known"}
    access_keys = {"owner", "label", "file", "line", "function", "begin", "end", "epoch", "stack"}
    checks = [
        (set(v) == expected_keys, f"violation keys {sorted(v)}"),
        (set(v["observer"]) == access_keys and set(v["write"]) == access_keys, "access keys"),
        (v["kind"] == "stale-snapshot-read", "kind"),
        (v["observer"]["label"] == NASTY_KEY, f"label round trip: {v['observer']['label']!r}"),
        (v["write"]["label"] == NASTY_KEY, "write label round trip"),
        (re.match(r"snapshot #\d+$", v["observer"]["owner"]) is not None, "observer owner"),
        (re.match(r"module( #\d+)?$", v["write"]["owner"]) is not None, "write owner"),
        (v["observer"]["file"].endswith("report_probe.cpp") and v["observer"]["line"] > 0, "observer file/line"),
        ("evaluate_snapshot" in v["observer"]["function"], "observer function"),
        ("optimizer_step" in v["write"]["function"], "write function"),
        ((v["observer"]["begin"], v["observer"]["end"]) == (0, 16), "observer bytes"),
        (v["write"]["epoch"] >= 1, "write epoch"),
        (v["observer_created"]["file"].endswith("report_probe.cpp"), "observer_created"),
        (v["storage"]["device"] == "cpu" and v["storage"]["bytes"] == 16, "storage"),
        (v["may_overlap"] is False and v["write_known"] is True, "flags"),
        (summary.get("reported") == 1 and summary.get("summary") == "AliasGuard: reported 1 violations", "summary"),
    ]
    for ok, what in checks:
        if not ok:
            p.fail(f"JSON check failed: {what}\n{json.dumps(objects, indent=1)}")


SUPPRESSION_FORMS = {
    "file_suffix": "stale-snapshot-read:report_probe.cpp",
    "dir_suffix": "stale-snapshot-read:tracker/report_probe.cpp",
    "path_glob": "stale-snapshot-read:*tests/tracker/report_probe.cpp",
    "function": "stale-snapshot-read:evaluate_snapshot",
    "function_glob": "stale-snapshot-read:*evaluate_snap*",
    "write_function": "stale-snapshot-read:optimizer_step",
    "key": "stale-snapshot-read:fc.weight",
    "key_glob": "stale-snapshot-read:fc.*",
    "any_kind": "*:fc.weight",
    "comments": "# a comment\n\n   # indented comment\nstale-snapshot-read:report_probe.cpp\n",
}


def make_suppression_case(form):
    def run_case(p):
        supp = p.write("supp.txt", SUPPRESSION_FORMS[form] + "\n")
        r = p.run(options=f"suppressions={supp}")
        p.rc(r, 0)
        p.lacks(r.stderr, r"WARNING|SUMMARY|reported")
        p.has(r.stderr, r"^AliasGuard: suppressed 1 violations$")
        p.has(r.stderr, r"probe: main done")
    return run_case


def case_suppressions_no_match(p):
    # Another kind, another file, another key: none of them suppresses.
    supp = p.write("supp.txt", "write-through-snapshot:report_probe.cpp\n*:other.cpp\n*:fc.bias\n")
    r = p.run(options=f"suppressions={supp}")
    p.rc(r, 23)
    p.has(r.stderr, REPORT)
    p.lacks(r.stderr, r"suppressed")


def case_suppressions_missing(p):
    r = p.run(options=f"suppressions={p.path('no-such-file.txt')}")
    p.rc(r, 1)
    p.has(r.stderr, rf"^AliasGuard: ERROR: cannot read suppressions file '{re.escape(p.path('no-such-file.txt'))}'")
    p.lacks(r.stderr, r"probe: main started")


def case_suppressions_malformed(p):
    supp = p.write("bad.txt", "# fine\nstale-snapshot-read:x.cpp\nstale-read:x.cpp\n")
    r = p.run(options=f"suppressions={supp}")
    p.rc(r, 1)
    p.has(r.stderr, rf"^AliasGuard: ERROR: suppressions file {re.escape(supp)}:3: unknown kind 'stale-read'")
    p.lacks(r.stderr, r"probe: main started")


def case_unknown_option(p):
    r = p.run(options="exitcode=3:xyz=1")
    p.rc(r, 1)
    p.has(r.stderr, r"\AAliasGuard: ERROR: ALIASGUARD_OPTIONS: unknown flag 'xyz'\n\Z")


def case_bad_value(p):
    r = p.run(options="detect=wrte")
    p.rc(r, 1)
    p.has(r.stderr, r"\AAliasGuard: ERROR: ALIASGUARD_OPTIONS: flag 'detect' expects read\|write, got 'wrte'\n\Z")


def case_help(p):
    r = p.run(options="help=1:exitcode=5:log_path=")
    p.rc(r, 5)  # help does not stop the program
    names = re.findall(r"^AG_(?:FLAG\(\w+, |INT_FLAG\()(\w+),", open(p.opts.flags).read(), re.M)
    if len(names) < 10:
        p.fail(f"could not read the flag names from {p.opts.flags}")
    for name in names:
        p.has(r.stderr, rf"^\t{name}\n\t\t- .*\(Current Value: .*\)$")
    p.has(r.stderr, r"^\texitcode\n\t\t- .*\(Current Value: 5\)$")
    p.has(r.stderr, r"^\thelp\n\t\t- .*\(Current Value: true\)$")
    p.has(r.stderr, r"\(Current Value: true\)(.|\n)*probe: main started")  # help comes first


def case_dump_alias_graph(p):
    r = p.run(options=f"dump_alias_graph={p.path('g.dot')}")
    p.rc(r, 23)
    text = open(p.path("g.dot"), encoding="utf-8").read()
    p.has(text, r"\Adigraph ", "the graph")
    p.has(text, r'label="storage #\d+\\ncpu, 16 bytes"', "the graph")
    p.has(text, r"label=\"module(?: #\d+)? 'fc\.weight'\\nbytes \[0, 16\)\\ncreated at \S*report_probe\.cpp:\d+\"", "the graph")
    p.has(text, r"label=\"snapshot #\d+ 'fc\.weight'\\nbytes \[0, 16\)", "the graph")
    p.has(text, r'subgraph cluster_\d+_\d+ \{\n    label="module(?: #\d+)?"', "the graph")
    p.has(text, r'style=dashed, color=red.*label="shares bytes \[0, 16\)"', "the graph")
    p.count(text, r"-> s\d+ \[label=\"\[0, 16\)\"\]", 2, "the graph")
    p.has(text, r"\}\n\Z", "the graph")


def case_max_reports(p):
    r = p.run("two", "max_reports=1")
    p.rc(r, 23)
    p.count(r.stderr, r"^SUMMARY:", 1)
    p.has(r.stderr, r"^AliasGuard: max_reports=1 reached")
    p.has(r.stderr, r"^AliasGuard: reported 2 violations$")


def case_dedup(p):
    r = p.run("repeat")
    p.rc(r, 23)
    p.count(r.stderr, r"^SUMMARY:", 1)
    p.has(r.stderr, r"^AliasGuard: reported 1 violations$")
    r = p.run("repeat", "dedup=0")
    p.rc(r, 23)
    p.count(r.stderr, r"^SUMMARY:", 3)
    p.has(r.stderr, r"^AliasGuard: reported 3 violations$")


def case_print_summary(p):
    r = p.run(options="print_summary=0")
    p.rc(r, 23)
    p.has(r.stderr, REPORT)
    p.lacks(r.stderr, r"reported \d+ violations")


def case_precedence(p):
    # report_probe_defaults defines __aliasguard_default_options() = "exitcode=9:dedup=0".
    r = p.run("repeat", defaults=True)
    p.rc(r, 9)
    p.has(r.stderr, r"^AliasGuard: reported 3 violations$")
    r = p.run("repeat", "exitcode=5", defaults=True)  # the environment wins ...
    p.rc(r, 5)
    p.has(r.stderr, r"^AliasGuard: reported 3 violations$")  # ... flag by flag
    r = p.run("repeat", "dedup=1", defaults=True)
    p.rc(r, 9)
    p.has(r.stderr, r"^AliasGuard: reported 1 violations$")
    r = p.run("repeat")  # and without the hook, the built-in defaults
    p.rc(r, 23)


def case_clean(p):
    # Suppressed only: nothing counted, so the program's own exit code stands.
    supp = p.write("supp.txt", "*:*\n")
    r = p.run("two", f"suppressions={supp}:print_summary=0")
    p.rc(r, 0)
    if r.stderr.count("AliasGuard") != 0:
        p.fail("expected no AliasGuard output")


CASES = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}
CASES.update({f"suppressions_{form}": make_suppression_case(form) for form in SUPPRESSION_FORMS})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", help="one of: " + ", ".join(sorted(CASES)) + ", or 'list'")
    parser.add_argument("--probe")
    parser.add_argument("--probe-defaults")
    parser.add_argument("--flags")
    parser.add_argument("--workdir")
    opts = parser.parse_args()
    if opts.case == "list":
        print("\n".join(sorted(CASES)))
        return 0
    try:
        CASES[opts.case](Probe(opts))
    except Failure as e:
        print(f"FAIL {opts.case}: {e}", file=sys.stderr)
        return 1
    print(f"PASS {opts.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
