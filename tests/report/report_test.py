#!/usr/bin/env python3
"""Tests tools/aliasguard-report --to-sarif (the checked runtime's JSON reports as SARIF).

  report_test.py cli          --tool T --source-dir S --project-version V
      --help/--version, exit codes (usage, unreadable input, --fail-on-empty,
      --fail-on-findings), a rule for every kind in violation_kinds.h, URIs inside and outside
      --source-root, the default source root
  report_test.py garbage      --tool T --source-dir S
      non-JSON lines and JSON that is not a report, mixed in, are skipped and counted
  report_test.py seed         --tool T --source-dir S --exe SEED_CHECKED
      runs examples/seed_state_dict_checked --shallow with report_format=json:log_path in the
      default, detect=write and domains=handle modes: exit 23, one result per distinct
      report, ruleIds, locations on the lines the reports name, relatedLocations, URIs
      relative to --source-root, duplicates from two processes merged
  report_test.py fingerprints --tool T --source-dir S --exe SEED_CHECKED
      partialFingerprints are stable across runs and input orders, and when the source gets
      a line inserted above the finding
  report_test.py fingerprint_vectors --tool T --source-dir S
      the fingerprints of tests/analyzer/sarif/fingerprint-vectors.json, which
      aliasguard-check's fingerprint is held to as well
  report_test.py schema       --tool T --source-dir S --exe SEED_CHECKED --schema FILE
      the logs validate against the official SARIF 2.1.0 schema (exit 77 with the reason
      when the schema or python3-jsonschema is absent)

Expectations are computed from the reports the runs write, never recorded.
Standard library only, except `schema` (Debian's python3-jsonschema).
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from sarif_testing import check_schema, expect, results, run_mode  # noqa: E402
from kinds_test import load_tool, runtime_kinds  # noqa: E402  (its directory is on sys.path)

CHECKED_EXIT = 23
FINGERPRINT = "aliasguardRuntimeFingerprint/v1"
SEED = os.path.join("examples", "seed_state_dict.cpp")


def run_tool(args, tool_args, expected=(0,), stdin=None, cwd=None):
    command = [args.tool, *tool_args]
    run = subprocess.run(command, input=stdin, capture_output=True, text=True, cwd=cwd)
    expect(run.returncode in expected,
           f"{' '.join(command)} exited {run.returncode}, expected {list(expected)}:\n"
           f"{run.stderr[-3000:]}")
    return run


def sarif(args, inputs, extra=(), expected=(0,), stdin=None, cwd=None):
    run = run_tool(args, ["--to-sarif", *extra, *inputs], expected, stdin, cwd)
    log = json.loads(run.stdout)
    results(log)  # SARIF 2.1.0, one run
    return log, run.stderr


def run_seed(args, work, options, name="ag", runs=1):
    """Runs the checked seed `runs` times with JSON reports to <work>/<name>.<pid>; returns
    the log files and the reports (parsed here, independently of the tool)."""
    prefix = os.path.join(work, name)
    env = dict(os.environ, ALIASGUARD_OPTIONS=f"report_format=json:log_path={prefix}" +
               (":" + options if options else ""))
    for _ in range(runs):
        run = subprocess.run([args.exe, "--shallow"], capture_output=True, text=True, env=env)
        expect(run.returncode == CHECKED_EXIT,
               f"{args.exe} --shallow ({options or 'default'}) exited {run.returncode}, expected "
               f"{CHECKED_EXIT}:\n{run.stderr[-2000:]}")
    files = sorted(glob.glob(prefix + ".*"))
    expect(len(files) == runs, f"expected {runs} log files {prefix}.<pid>, found {files}")
    reports = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                obj = json.loads(line)
                if "kind" in obj:
                    reports.append(obj)
    expect(reports, f"the seed wrote no reports in mode {options or 'default'}")
    return files, reports


def distinct(reports):
    """One report per (kind, read site, write site), as the runtime's dedup=1."""
    seen = {}
    for r in reports:
        key = (r["kind"], r["observer"]["file"], r["observer"]["line"], r["write"]["file"],
               r["write"]["line"])
        seen.setdefault(key, r)
    return list(seen.values())


def resolve(log, physical):
    """The absolute path a physicalLocation names."""
    artifact = physical["artifactLocation"]
    if artifact.get("uriBaseId") == "%SRCROOT%":
        base = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        uri = base + artifact["uri"]
    else:
        uri = artifact["uri"]
    expect(uri.startswith("file://"), f"not a file URI: {uri}")
    return urllib.parse.unquote(uri[len("file://"):])


def source_line(path, line):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    expect(1 <= line <= len(lines), f"{path} has no line {line}")
    return lines[line - 1]


# --- modes ---------------------------------------------------------------------------------

def test_cli(args):
    src = os.path.realpath(args.source_dir)
    run = run_tool(args, ["--help"])
    for word in ("--to-sarif", "--output", "--source-root", "--fail-on-findings", "--fail-on-empty"):
        expect(word in run.stdout, f"--help does not mention {word}")
    run = run_tool(args, ["--version"])
    expect(run.stdout.strip() == f"aliasguard-report {args.project_version}",
           f"--version says '{run.stdout.strip()}', the project is {args.project_version}")
    run_tool(args, [], expected=(2,))                                   # no mode
    run_tool(args, ["--to-sarif", "/nonexistent/ag.123"], expected=(2,))  # unreadable
    with tempfile.TemporaryDirectory() as work:
        # A log_path prefix without files is a clean run: no results (2 with --fail-on-empty).
        log, err = sarif(args, [os.path.join(work, "ag")])
        expect(results(log) == [] and "without reports" in err, f"empty log_path: {err}")
        run_tool(args, ["--to-sarif", "--fail-on-empty", os.path.join(work, "ag")], expected=(2,))
        unreadable = os.path.join(work, "ag.1")
        with open(unreadable, "w", encoding="utf-8") as f:
            f.write("{}\n")
        os.chmod(unreadable, 0)
        if not os.access(unreadable, os.R_OK):  # root reads it anyway
            run_tool(args, ["--to-sarif", unreadable], expected=(2,))
    run_tool(args, ["--to-sarif", "--bogus"], expected=(2,))
    log, err = sarif(args, [], stdin="")
    expect(results(log) == [] and "converted 0 reports" in err, "empty input: no results")
    run_tool(args, ["--to-sarif", "--fail-on-empty"], expected=(2,), stdin="")
    print("ok: --help, --version, usage and input errors exit 2")

    log, _ = sarif(args, [], stdin="")
    driver = log["runs"][0]["tool"]["driver"]
    expect(driver["name"] == "aliasguard-runtime", "driver name")
    expect(driver["version"] == args.project_version, f"driver version {driver['version']}")
    ids = [r["id"] for r in driver["rules"]]
    kinds = [name for _, name, _, _ in runtime_kinds(os.path.join(
        src, "runtime", "include", "aliasguard", "tracker", "violation_kinds.h"))]
    expect(kinds, "no kind names found in violation_kinds.h")
    expect(sorted(ids) == sorted(kinds), f"rules {ids}, the runtime's kinds {kinds}")
    for rule in driver["rules"]:
        for key in ("shortDescription", "fullDescription"):
            expect(len(rule[key]["text"]) > 20, f"{rule['id']}: {key}")
        expect(rule["help"]["text"] and rule["help"]["markdown"], f"{rule['id']}: help")
        expect(rule["helpUri"].split("#")[0].endswith("/docs/checked-runtime.md"),
               f"{rule['id']}: helpUri {rule['helpUri']}")
        expect(rule["defaultConfiguration"]["level"] == "error", f"{rule['id']}: level")
    print(f"ok: a rule for each of the runtime's kinds {kinds}")

    with tempfile.TemporaryDirectory() as work:
        root = os.path.join(work, "root")
        os.makedirs(os.path.join(root, "src"))
        inside = os.path.join(root, "src", "a b.cpp")
        outside = os.path.join(work, "elsewhere.cpp")
        for path in (inside, outside):
            with open(path, "w", encoding="utf-8") as f:
                f.write("int main() {\n  x.add_(1);\n}\n")
        report = {"kind": "shared-write",
                  "observer": {"owner": "user #1", "label": "", "file": inside, "line": 2,
                               "function": "int main()"},
                  "write": {"owner": "user #2", "label": "", "file": outside, "line": 2,
                            "function": "int main()"},
                  "observer_created": {"file": "", "line": 0}}
        lines = json.dumps(report) + "\n"
        log, _ = sarif(args, [], ["--source-root", root], stdin=lines)
        (result,) = results(log)
        primary = result["locations"][0]["physicalLocation"]["artifactLocation"]
        expect(primary == {"uri": "src/a%20b.cpp", "uriBaseId": "%SRCROOT%"}, f"inside: {primary}")
        related = result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]
        expect(related == {"uri": "file://" + urllib.parse.quote(os.path.realpath(outside))},
               f"outside the root: {related}")
        expect(log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] ==
               "file://" + urllib.parse.quote(os.path.realpath(root)) + "/", "originalUriBaseIds")
        print("ok: URIs relative to --source-root inside it, file:// outside")

        run_tool(args, ["--to-sarif", "--fail-on-findings"], expected=(1,), stdin=lines)
        run_tool(args, ["--to-sarif", "--fail-on-findings"], expected=(0,), stdin="")
        out = os.path.join(work, "out.sarif")
        run = run_tool(args, ["--to-sarif", "--output", out, "--source-root", root], stdin=lines)
        expect(run.stdout == "", "--output: nothing on stdout")
        with open(out, encoding="utf-8") as f:
            expect(len(results(json.load(f))) == 1, "--output: the log")
        print("ok: --fail-on-findings exits 1 with results, 0 without; --output")

        # The write fell out of the log: no related location for it; an unknown kind.
        lost = dict(report, write=dict(report["write"], file="", line=0), write_known=False)
        newer = dict(report, kind="some-future-kind")
        log, err = sarif(args, [], ["--source-root", root],
                         stdin=json.dumps(lost) + "\n" + json.dumps(newer) + "\n")
        by_rule = {r["ruleId"]: r for r in results(log)}
        expect("relatedLocations" not in by_rule["shared-write"], "write_known=false: no related")
        expect("no longer" in by_rule["shared-write"]["message"]["text"], "write_known=false text")
        expect("some-future-kind" in [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]],
               "unknown kind: a generic rule")
        expect("unknown kind" in err, "unknown kind: warned on stderr")
        print("ok: a lost write and an unknown kind")

        # A stale read found where a late deep copy was restored names the copy too.
        late = dict(report, kind="stale-snapshot-read", write=dict(report["write"], file=inside, line=1),
                    observer_created={"file": inside, "line": 3}, copied={"file": outside, "line": 3})
        log, _ = sarif(args, [], ["--source-root", root], stdin=json.dumps(late) + "\n")
        (result,) = results(log)
        messages = [rel["message"]["text"] for rel in result["relatedLocations"]]
        expect(len(messages) == 3 and messages[2].startswith("deep-copied here"), f"copied: {messages}")
        expect(result["relatedLocations"][2]["physicalLocation"]["region"]["startLine"] == 3, "copied: line")
        print("ok: a late deep copy is a related location")

        # Default --source-root: the git top level above the current directory, else cwd.
        os.makedirs(os.path.join(root, ".git"))
        log, _ = sarif(args, [], stdin=lines, cwd=os.path.join(root, "src"))
        expect(results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
               "src/a%20b.cpp", "default root: the git top level")
        log, _ = sarif(args, [], stdin=lines, cwd=work)
        expect(results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
               "root/src/a%20b.cpp", "default root without .git: the current directory")
        print("ok: the default source root")
    return 0


def test_garbage(args):
    src = os.path.realpath(args.source_dir)
    report = {"kind": "stale-snapshot-read",
              "observer": {"owner": "snapshot #1", "label": "fc.weight",
                           "file": os.path.join(src, SEED), "line": 100, "function": "int main(int, char**)",
                           "begin": 0, "end": 16, "epoch": 3, "stack": []},
              "observer_created": {"file": os.path.join(src, SEED), "line": 100},
              "write": {"owner": "module", "label": "fc.weight", "file": os.path.join(src, SEED),
                        "line": 96, "function": "int main(int, char**)", "begin": 0, "end": 16,
                        "epoch": 3, "stack": []},
              "storage": {"id": 1, "device": "cpu", "bytes": 16}, "may_overlap": False,
              "write_known": True}
    other = dict(report, kind="write-through-snapshot",
                 observer=dict(report["observer"], line=103), write=dict(report["write"], line=100))
    garbage = [
        "[==========] Running 3 tests from 1 test suite.",
        "state_dict() is shallow copy:",
        "{not json at all",
        json.dumps({"kind": "stale-snapshot-read"}),           # no observer/write
        json.dumps([1, 2, 3]),
        json.dumps({"summary": "AliasGuard: reported 2 violations", "reported": 2,
                    "suppressed": 0, "printed": 2}),
        "\x00\x01 binary junk \xff",
        "==123==WARNING: AliasGuard: stale-snapshot-read on storage #1 (cpu, 16 bytes)",
    ]
    lines = [garbage[0], json.dumps(report), *garbage[1:5], json.dumps(other), *garbage[5:],
             "   ", json.dumps(report)]  # blank lines are not counted; the last is a duplicate
    text = "\n".join(lines) + "\n"
    log, err = sarif(args, [], ["--source-root", src], stdin=text)
    expect(sorted(r["ruleId"] for r in results(log)) == ["stale-snapshot-read", "write-through-snapshot"],
           f"results {[r['ruleId'] for r in results(log)]}")
    expected = f"converted 3 reports into 2 results (1 duplicates merged) from 1 input; skipped {len(garbage)} lines"
    expect(expected in err, f"stderr does not say '{expected}':\n{err}")
    props = log["runs"][0]["invocations"][0]["properties"]
    expect(props == {"reportsRead": 3, "duplicatesMerged": 1, "linesSkipped": len(garbage)},
           f"invocation properties {props}")
    # The same from a file, mixed with a test's output as log_path would not have it.
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "mixed.log")
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
        log2, err2 = sarif(args, [path], ["--source-root", src])
        expect(results(log2) == results(log), "file and stdin give the same results")
        expect(expected in err2, f"file: stderr:\n{err2}")
    print(f"ok: {len(garbage)} garbage lines skipped and counted; {err.strip()}")
    return 0


def check_log(args, log, reports, root, mode):
    """Results agree with the (distinct) reports; locations are the reports' lines."""
    unique = distinct(reports)
    got = results(log)
    expect(len(got) == len(unique), f"{mode}: {len(got)} results for {len(unique)} distinct reports")
    expect(sorted(r["ruleId"] for r in got) == sorted(r["kind"] for r in unique),
           f"{mode}: ruleIds {[r['ruleId'] for r in got]} vs kinds {[r['kind'] for r in unique]}")
    expect(log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] ==
           "file://" + urllib.parse.quote(os.path.realpath(root)) + "/", f"{mode}: %SRCROOT%")
    remaining = list(got)
    for report in unique:
        obs, w = report["observer"], report["write"]
        match = [r for r in remaining if r["ruleId"] == report["kind"]
                 and r["locations"][0]["physicalLocation"]["region"]["startLine"] == obs["line"]]
        if obs["file"] != w["file"] or obs["line"] != w["line"]:
            match = [r for r in match if any(
                rel["physicalLocation"]["region"]["startLine"] == w["line"] and
                os.path.samefile(resolve(log, rel["physicalLocation"]), w["file"])
                for rel in r.get("relatedLocations", []))]
        expect(match, f"{mode}: no result for {report['kind']} at line {obs['line']} "
                      f"(write at line {w['line']})")
        result = match[0]
        remaining.remove(result)
        physical = result["locations"][0]["physicalLocation"]
        artifact = physical["artifactLocation"]
        expect(artifact.get("uriBaseId") == "%SRCROOT%", f"{mode}: primary URI not under %SRCROOT%")
        expect(artifact["uri"] == os.path.relpath(os.path.realpath(obs["file"]), os.path.realpath(root)),
               f"{mode}: URI {artifact['uri']} for {obs['file']}")
        path = resolve(log, physical)
        expect(os.path.samefile(path, obs["file"]), f"{mode}: {path} is not {obs['file']}")
        text = source_line(path, physical["region"]["startLine"])
        # Every flagged line of the seed reads or writes a tensor through .data().
        expect(".data()" in text, f"{mode}: {artifact['uri']}:{obs['line']} is '{text.strip()}'")
        expect(result["level"] == "error", f"{mode}: level")
        expect(result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == obs["function"],
               f"{mode}: function")
        for rel in result.get("relatedLocations", []):
            rel_path = resolve(log, rel["physicalLocation"])
            line = rel["physicalLocation"]["region"]["startLine"]
            expect(os.path.isfile(rel_path) and source_line(rel_path, line).strip(),
                   f"{mode}: related location {rel_path}:{line} is an empty line")
        expect(re.fullmatch(r"[0-9a-f]{32}:[0-9]+", result["partialFingerprints"][FINGERPRINT]),
               f"{mode}: fingerprint {result['partialFingerprints']}")
    return got


def test_seed(args):
    src = os.path.realpath(args.source_dir)
    with tempfile.TemporaryDirectory() as work:
        for options in ("", "detect=write", "domains=handle"):
            mode = options or "default"
            files, reports = run_seed(args, work, options, name="ag-" + (options.split("=")[-1] or "read"))
            log, err = sarif(args, files, ["--source-root", src])
            got = check_log(args, log, reports, src, mode)
            if options == "":
                expect(sorted(r["ruleId"] for r in got) == ["stale-snapshot-read", "write-through-snapshot"],
                       f"default mode: the seed's two kinds, got {[r['ruleId'] for r in got]}")
            if options == "domains=handle":
                expect({r["ruleId"] for r in got} == {"shared-write"}, "strict mode: shared-write")
            if options == "detect=write":
                for r in got:  # reported at the write: the primary location is the write's line
                    rep = [x for x in reports if x["kind"] == r["ruleId"] and
                           x["write"]["line"] == r["locations"][0]["physicalLocation"]["region"]["startLine"]]
                    expect(rep, f"detect=write: {r['ruleId']} not at a write's line")
            # The log_path prefix alone reads every PATH.<pid>; --fail-on-findings exits 1.
            prefix = files[0].rsplit(".", 1)[0]
            log2, _ = sarif(args, [prefix], ["--source-root", src, "--fail-on-findings"], expected=(1,))
            expect(results(log2) == results(log), f"{mode}: prefix and files differ")
            print(f"ok: {mode}: {len(reports)} reports -> {len(got)} results "
                  f"({', '.join(sorted(r['ruleId'] for r in got))}); {err.strip()}")

        # The same violations from several processes (a test suite): merged.
        files, reports = run_seed(args, work, "", name="many", runs=3)
        log, err = sarif(args, files, ["--source-root", src])
        got = check_log(args, log, reports, src, "three processes")
        expect(len(reports) == 3 * len(got), f"3 runs: {len(reports)} reports, {len(got)} results")
        expect(all(r["properties"]["occurrences"] == 3 for r in got), "occurrences == 3")
        expect(f"({len(reports) - len(got)} duplicates merged)" in err, f"stderr: {err}")
        print(f"ok: three processes, {len(reports)} reports -> {len(got)} results")

        # Another --source-root: URIs follow it.
        files, reports = run_seed(args, work, "", name="sub")
        log, _ = sarif(args, files, ["--source-root", os.path.join(src, "examples")])
        check_log(args, log, reports, os.path.join(src, "examples"), "--source-root examples")
        expect(all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] ==
                   "seed_state_dict.cpp" for r in results(log)), "URIs relative to examples/")
        print("ok: URIs follow --source-root")
    return 0


def fingerprints(log):
    return [(r["ruleId"], r["partialFingerprints"][FINGERPRINT]) for r in results(log)]


def test_fingerprints(args):
    src = os.path.realpath(args.source_dir)
    with tempfile.TemporaryDirectory() as work:
        files, reports = run_seed(args, work, "", runs=2)
        first, _ = sarif(args, files, ["--source-root", src])
        again, _ = sarif(args, list(reversed(files)), ["--source-root", src])
        expect(fingerprints(first) == fingerprints(again), "fingerprints change between runs / input orders")
        prints = [p for _, p in fingerprints(first)]
        expect(len(set(prints)) == len(prints), f"fingerprints not distinct: {prints}")
        print(f"ok: stable across conversions and input order: {prints}")

        # A copy of the tree's file with a line inserted above everything: same fingerprints.
        root = os.path.join(work, "moved")
        seed_copy = os.path.join(root, SEED)
        os.makedirs(os.path.dirname(seed_copy))
        with open(os.path.join(src, SEED), encoding="utf-8") as f:
            original = f.read()
        with open(seed_copy, "w", encoding="utf-8") as f:
            f.write("// a line inserted above\n" + original)
        seed_real = os.path.realpath(os.path.join(src, SEED))

        def moved(access):
            if access.get("file") and os.path.realpath(access["file"]) == seed_real:
                return dict(access, file=seed_copy, line=access["line"] + 1)
            return access

        shifted = os.path.join(work, "shifted.log")
        with open(shifted, "w", encoding="utf-8") as f:
            for r in reports:
                f.write(json.dumps(dict(r, observer=moved(r["observer"]), write=moved(r["write"]),
                                        observer_created=moved(r["observer_created"]))) + "\n")
        after, _ = sarif(args, [shifted], ["--source-root", root])
        lines_before = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results(first)]
        lines_after = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results(after)]
        expect(lines_after == [n + 1 for n in lines_before], f"lines {lines_before} -> {lines_after}")
        expect(fingerprints(after) == fingerprints(first),
               f"a line inserted above changed fingerprints: {fingerprints(first)} -> {fingerprints(after)}")
        print("ok: a line inserted above keeps the fingerprints")

        # Editing the flagged line makes a new finding.
        flagged = lines_before[0]
        lines = original.split("\n")
        lines[flagged - 1] += "  // edited"
        with open(seed_copy, "w", encoding="utf-8") as f:
            f.write("// a line inserted above\n" + "\n".join(lines))
        edited, _ = sarif(args, [shifted], ["--source-root", root])
        expect(fingerprints(edited)[0] != fingerprints(first)[0], "editing the flagged line keeps its fingerprint")
        expect(fingerprints(edited)[1:] == fingerprints(first)[1:], "editing one line changed others")
        # Reindenting does not.
        lines[flagged - 1] = "      " + original.split("\n")[flagged - 1].strip()
        with open(seed_copy, "w", encoding="utf-8") as f:
            f.write("// a line inserted above\n" + "\n".join(lines))
        reindented, _ = sarif(args, [shifted], ["--source-root", root])
        expect(fingerprints(reindented) == fingerprints(first), "reindenting changed fingerprints")
        print("ok: editing the flagged line changes its fingerprint, reindenting does not")
    return 0


def test_vectors(args):
    tool = load_tool(args.tool)
    path = os.path.join(args.source_dir, "tests", "analyzer", "sarif", "fingerprint-vectors.json")
    with open(path, encoding="utf-8") as f:
        vectors = json.load(f)
    cases = vectors["fingerprints"]
    expect(len(cases) >= 10, f"{path}: only {len(cases)} fingerprint vectors")
    wrong = [f"  {v['name']}: {got}, expected {v['expected']}" for v in cases
             for got in [tool.fingerprint(v["rule"], v["uri"], v["function"], v["line"].encode())]
             if got != v["expected"]]
    expect(not wrong, "fingerprints differ from the vectors:\n" + "\n".join(wrong))
    print(f"ok: {len(cases)} fingerprint vectors")
    expect(vectors["occurrences"], f"{path}: no occurrence vectors")
    for v in vectors["occurrences"]:
        counter = tool.Occurrences()
        got = [counter.number(h) for h in v["hashes"]]
        expect(got == v["expected"], f"{v['name']}: {got}, expected {v['expected']}")
    print(f"ok: {len(vectors['occurrences'])} occurrence vectors")
    return 0


def test_schema(args):
    src = os.path.realpath(args.source_dir)

    def logs():
        with tempfile.TemporaryDirectory() as work:
            for options in ("", "detect=write", "domains=handle"):
                files, _ = run_seed(args, work, options,
                                    name="ag-" + (options.split("=")[-1] or "read"))
                yield options or "default", sarif(args, files, ["--source-root", src])[0]
            # Outside the root (file:// URIs), and empty.
            yield "outside the root", sarif(args, files, ["--source-root", work])[0]
            yield "empty", sarif(args, [], stdin="")[0]
    return check_schema(args.schema, logs())


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["cli", "garbage", "seed", "fingerprints",
                                         "fingerprint_vectors", "schema"])
    parser.add_argument("--tool", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--exe")
    parser.add_argument("--schema")
    parser.add_argument("--project-version")
    args = parser.parse_args()
    args.tool = os.path.abspath(args.tool)
    if args.mode in ("seed", "fingerprints", "schema") and not args.exe:
        parser.error(f"{args.mode} needs --exe")
    return run_mode({"cli": test_cli, "garbage": test_garbage, "seed": test_seed,
                     "fingerprints": test_fingerprints, "fingerprint_vectors": test_vectors,
                     "schema": test_schema}, args)


if __name__ == "__main__":
    sys.exit(main())
