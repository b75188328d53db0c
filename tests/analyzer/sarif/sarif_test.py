#!/usr/bin/env python3
"""Tests aliasguard-check's SARIF output on the analyzer's test corpus.

  sarif_test.py schema       --tool T --source-dir S --schema FILE
      every corpus run's log validates against the official SARIF 2.1.0 schema
      (exit 77 with the reason when the schema file is absent, as in a user's clone)
  sarif_test.py contents     --tool T --source-dir S
      rules metadata; results agree with --format=json (rule, position, notes as
      relatedLocations); repository-relative URIs; --source-root and its default
  sarif_test.py fingerprints --tool T --source-dir S
      partialFingerprints survive inserted lines and reindentation, and differ between
      findings and between functions

Uses only the standard library, except `schema` (Debian's python3-jsonschema).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from sarif_testing import Failure, check_schema, expect, results, run_mode  # noqa: E402

TORCH_INCLUDE = "/usr/include/torch/csrc/api/include"
RULE_IDS = ["aliasguard-state-dict-mutation", "aliasguard-stale-snapshot"]
FINGERPRINT = "aliasguardFingerprint/v1"


def corpus(src):
    """(name, files, compiler args, expected exit codes) as the lit tests compile them."""
    tests = os.path.join(src, "tests", "analyzer")
    inputs = os.path.join(tests, "Inputs")
    runs = [
        ("mock", [os.path.join(tests, f) for f in (
            "aliasguard-state-dict-mutation.cpp", "aliasguard-state-dict-mutation-notes.cpp",
            "aliasguard-stale-snapshot.cpp", "aliasguard-stale-snapshot-notes.cpp")] +
         [os.path.join(inputs, f) for f in ("write_through.cpp", "write_named.cpp", "clean.cpp")],
         ["-std=c++17", "-I" + inputs], {1}),
        ("runtime", [os.path.join(tests, "aliasguard-runtime.cpp"),
                     os.path.join(src, "examples", "seed_state_dict.cpp"),
                     os.path.join(src, "examples", "seed_state_dict_deep.cpp")],
         ["-std=c++20", "-I" + os.path.join(src, "runtime", "include")], {1}),
        ("broken", [os.path.join(inputs, "broken.cpp")], ["-std=c++17"], {2}),
    ]
    if os.path.exists(os.path.join(TORCH_INCLUDE, "torch", "nn", "module.h")):
        runs.append(("libtorch", [os.path.join(tests, "aliasguard-libtorch.cpp")],
                     ["-std=c++17", "-I" + TORCH_INCLUDE], {1}))
    return runs


def run_tool(tool, files, compiler_args, fmt, expected, extra=(), cwd=None):
    command = [tool, "--format=" + fmt, *extra, *files, "--", *compiler_args]
    run = subprocess.run(command, capture_output=True, text=True, cwd=cwd)
    if run.returncode not in expected:
        raise Failure(f"{' '.join(command)} exited {run.returncode}, expected "
                      f"{sorted(expected)}:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout)


def physical(location):
    return location["physicalLocation"]


def test_schema(args):
    def logs():
        for name, files, compiler_args, expected in corpus(args.source_dir):
            log = run_tool(args.tool, files, compiler_args, "sarif", expected,
                           ["--source-root=" + args.source_dir])
            expect(len(results(log)) > 0, f"{name}: no results to validate")
            yield name, log
    return check_schema(args.schema, logs())


def check_rules(driver, src):
    expect(driver["name"] == "aliasguard-check", "driver name")
    expect(driver.get("version"), "driver version")
    expect(driver.get("informationUri", "").startswith(("https://", "http://", "file://")),
           "informationUri is not an absolute URI")
    ids = [r["id"] for r in driver["rules"]]
    for rule_id in RULE_IDS:
        expect(rule_id in ids, f"rule {rule_id} missing from tool.driver.rules")
        rule = driver["rules"][ids.index(rule_id)]
        for key in ("shortDescription", "fullDescription"):
            expect(len(rule.get(key, {}).get("text", "")) > 20, f"{rule_id}: {key}.text")
        expect(rule.get("name"), f"{rule_id}: name")
        expect(rule["help"].get("text") and rule["help"].get("markdown"), f"{rule_id}: help")
        page = "docs/checks/" + rule_id + ".md"
        expect(rule["helpUri"].endswith("/" + page), f"{rule_id}: helpUri {rule['helpUri']}")
        expect(os.path.isfile(os.path.join(src, page)), f"{page} does not exist")
        expect(rule["helpUri"] in rule["help"]["markdown"], f"{rule_id}: markdown links docs")
        expect(rule["defaultConfiguration"]["level"] == "warning", f"{rule_id}: level")
    return ids


def test_contents(args):
    src = os.path.realpath(args.source_dir)
    root_uri = "file://" + urllib.parse.quote(src) + "/"
    checked = 0
    for name, files, compiler_args, expected in corpus(src):
        if name == "broken":
            continue
        log = run_tool(args.tool, files, compiler_args, "sarif", expected,
                       ["--source-root=" + src])
        run = log["runs"][0]
        ids = check_rules(run["tool"]["driver"], src)
        expect(run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root_uri,
               f"originalUriBaseIds: {run['originalUriBaseIds']} != {root_uri}")
        diags = run_tool(args.tool, files, compiler_args, "json", expected)["diagnostics"]
        sarif = results(log)
        expect(len(sarif) == len(diags), f"{name}: {len(sarif)} results, {len(diags)} in json")
        for result, diag in zip(sarif, diags):
            where = f"{name}: {diag['file']}:{diag['line']}"
            expect(result["ruleId"] == diag["check"], f"{where}: ruleId")
            expect(ids[result["ruleIndex"]] == result["ruleId"], f"{where}: ruleIndex")
            expect(result["level"] == "warning", f"{where}: level")
            expect(result["message"]["text"] == diag["message"], f"{where}: message")
            location = physical(result["locations"][0])
            artifact = location["artifactLocation"]
            expect(artifact.get("uriBaseId") == "%SRCROOT%", f"{where}: uriBaseId")
            uri = artifact["uri"]
            expect(":" not in uri and not uri.startswith("/"), f"{where}: uri {uri} not relative")
            expect(os.path.realpath(os.path.join(src, urllib.parse.unquote(uri))) ==
                   os.path.realpath(diag["file"]), f"{where}: uri {uri} is not {diag['file']}")
            region = location["region"]
            expect((region["startLine"], region["startColumn"]) ==
                   (diag["line"], diag["column"]), f"{where}: region {region}")
            expect(region["endLine"] >= region["startLine"], f"{where}: endLine")
            expect(region["endLine"] > region["startLine"] or
                   region["endColumn"] > region["startColumn"], f"{where}: empty region")
            expect(FINGERPRINT in result.get("partialFingerprints", {}), f"{where}: fingerprint")
            related = result.get("relatedLocations", [])
            expect(len(related) == len(diag["notes"]) and related,
                   f"{where}: {len(related)} relatedLocations for {len(diag['notes'])} notes")
            for i, (rel, note) in enumerate(zip(related, diag["notes"])):
                expect(rel["id"] == i, f"{where}: relatedLocations ids")
                expect(rel["message"]["text"] == note["message"], f"{where}: note message")
                rel_loc = physical(rel)
                expect(rel_loc["artifactLocation"]["uri"] == uri, f"{where}: note uri")
                expect(rel_loc["region"]["startLine"] == note["line"], f"{where}: note line")
            checked += 1
        print(f"{name}: {len(sarif)} results agree with --format=json")

    # --source-root moves the base; files outside it get absolute file:// URIs.
    tests = os.path.join(src, "tests")
    write_through = os.path.join(src, "tests", "analyzer", "Inputs", "write_through.cpp")
    args_mock = ["-std=c++17", "-I" + os.path.dirname(write_through)]
    log = run_tool(args.tool, [write_through], args_mock, "sarif", {1}, ["--source-root=" + tests])
    artifact = physical(results(log)[0]["locations"][0])["artifactLocation"]
    expect(artifact == {"uri": "analyzer/Inputs/write_through.cpp", "uriBaseId": "%SRCROOT%"},
           f"--source-root=tests: {artifact}")
    other = os.path.join(src, "examples")
    log = run_tool(args.tool, [write_through], args_mock, "sarif", {1}, ["--source-root=" + other])
    artifact = physical(results(log)[0]["locations"][0])["artifactLocation"]
    expect(artifact == {"uri": "file://" + urllib.parse.quote(os.path.realpath(write_through))},
           f"file outside --source-root: {artifact}")
    # The default is the git top level above the current directory, else the directory.
    if os.path.exists(os.path.join(src, ".git")):
        log = run_tool(args.tool, [write_through], args_mock, "sarif", {1}, cwd=tests)
        artifact = physical(results(log)[0]["locations"][0])["artifactLocation"]
        expect(artifact["uri"] == "tests/analyzer/Inputs/write_through.cpp",
               f"default source root from tests/: {artifact}")
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "sub"))
        shutil.copy(write_through, os.path.join(tmp, "sub"))
        log = run_tool(args.tool, ["sub/write_through.cpp"], args_mock, "sarif", {1}, cwd=tmp)
        artifact = physical(results(log)[0]["locations"][0])["artifactLocation"]
        if not any(os.path.exists(os.path.join(d, ".git"))
                   for d in [tmp] + parents(tmp)):
            expect(artifact == {"uri": "sub/write_through.cpp", "uriBaseId": "%SRCROOT%"},
                   f"default source root outside git: {artifact}")
    print(f"OK: {checked} results; --source-root and its default")
    return 0


def parents(path):
    out = []
    path = os.path.realpath(path)
    while os.path.dirname(path) != path:
        path = os.path.dirname(path)
        out.append(path)
    return out


def fingerprints(tool, directory, source):
    """{(ruleId, function): [fingerprint, ...]} and start lines, for one file."""
    path = os.path.join(directory, "case.cpp")
    with open(path, "w", encoding="utf-8") as f:
        f.write(source)
    log = run_tool(tool, [path], ["-std=c++17", "-I" + directory], "sarif", {1},
                   ["--source-root=" + directory])
    prints, lines = [], []
    for result in results(log):
        location = result["locations"][0]
        function = location.get("logicalLocations", [{}])[0].get("fullyQualifiedName")
        expect(function, f"no enclosing function for {result['message']['text']}")
        prints.append((result["ruleId"], function, result["partialFingerprints"][FINGERPRINT]))
        lines.append(physical(location)["region"]["startLine"])
    return prints, lines


def shift(source):
    """The same code moved down: blank lines and comments before and inside functions,
    and the flagged statements reindented."""
    out = ["// a comment added at the top", "", ""]
    for line in source.splitlines():
        if line.startswith(("void ", "bool ", "struct ")):
            out += ["", "// a comment added before " + line.split("(")[0], ""]
        if line.startswith("  ") and line.rstrip().endswith(";") and "//" not in line:
            out += ["", "    // a comment added inside the function"]
            line = "    " + line.strip().replace(" = ", "  =  ")
        out.append(line)
    return "\n".join(out) + "\n"


def test_fingerprints(args):
    tests = os.path.join(args.source_dir, "tests", "analyzer")
    with open(os.path.join(tests, "aliasguard-state-dict-mutation.cpp"), encoding="utf-8") as f:
        original = f.read()
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(os.path.join(tests, "Inputs", "mock_torch.h"), tmp)
        before, lines_before = fingerprints(args.tool, tmp, original)
        expect(len(before) >= 5, f"only {len(before)} findings in the corpus file")
        # Different findings: all fingerprints differ.
        expect(len({p for _, _, p in before}) == len(before),
               "two different findings share a fingerprint:\n" + "\n".join(map(str, before)))
        # The same findings, moved down and reindented: same fingerprints.
        after, lines_after = fingerprints(args.tool, tmp, shift(original))
        expect(all(a > b for a, b in zip(lines_after, lines_before)),
               f"the shifted copy did not move every finding: {lines_before} -> {lines_after}")
        expect(before == after, "fingerprints changed when lines moved:\n" + "\n".join(
            f"  {b}\n  {a}" for b, a in zip(before, after) if a != b))
        print(f"{len(before)} findings keep their fingerprints when moved down "
              f"{min(a - b for a, b in zip(lines_after, lines_before))}.."
              f"{max(a - b for a, b in zip(lines_after, lines_before))} lines")
        # The same statement in another function is another finding.
        renamed = original.replace("void PositiveConstantKey(", "void PositiveConstantKeyElsewhere(")
        moved, _ = fingerprints(args.tool, tmp, renamed)
        changed = [(b, m) for b, m in zip(before, moved) if b != m]
        expect(len(changed) == 1 and changed[0][0][1].startswith("PositiveConstantKey(") and
               changed[0][1][1].startswith("PositiveConstantKeyElsewhere("),
               f"renaming one function should change exactly its finding's fingerprint: {changed}")
        # The same line twice in one function: told apart by an occurrence suffix.
        twice = ('#include "mock_torch.h"\n'
                 "void f(torch::nn::Module &m, bool c) {\n"
                 "  auto sd = m.state_dict();\n"
                 "  if (c)\n    sd[\"w\"].add_(1.0);\n"
                 "  else\n    sd[\"w\"].add_(1.0);\n"
                 "}\n")
        dup, _ = fingerprints(args.tool, tmp, twice)
        expect(len(dup) == 2, f"expected two findings in the duplicate case: {dup}")
        expect(dup[0][2].split(":")[0] == dup[1][2].split(":")[0] and
               (dup[0][2].split(":")[1], dup[1][2].split(":")[1]) == ("1", "2"),
               f"identical lines: {dup}")
    print("OK: fingerprints stable under line shifts, distinct between findings")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["schema", "contents", "fingerprints"])
    parser.add_argument("--tool", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--schema", default="")
    args = parser.parse_args()
    return run_mode({"schema": test_schema, "contents": test_contents,
                     "fingerprints": test_fingerprints}, args)


if __name__ == "__main__":
    sys.exit(main())
