#!/usr/bin/env python3
"""Runs docs/ci.md's parts 2 to 7 as written, against an installed aliasguard.

    ci_walkthrough_test.py DOCS_CI_MD SOURCE_DIR PREFIX WORK_DIR

Part 1 (clone, build, install) is what install.prefix does; this takes its prefix and
replaces /opt/aliasguard with it, `examples/ci-demo` with the source tree's copy and
/tmp/ci-demo with WORK_DIR/ci-demo. Every ```sh block of parts 2-7 runs in order in one bash
session. A command whose comment says `# exit N` must exit with N, one whose comment says
`# fails` must exit non-zero; the others must not stop the walkthrough (they run as
written; part 7 uses `|| true` itself). Then the files the walkthrough says it makes are
checked: the baseline, the fix, both SARIF logs.
"""

import json
import os
import re
import shutil
import subprocess
import sys

DOC, SOURCE, PREFIX, WORK = (os.path.abspath(a) for a in sys.argv[1:5])
DEMO = os.path.join(WORK, "ci-demo")


def blocks(text):
    """The ```sh blocks of parts 2..7, in order."""
    parts = re.split(r"^## (\d+)\. ", text, flags=re.M)
    result = []
    for number, body in zip(parts[1::2], parts[2::2]):
        if 2 <= int(number) <= 7:
            result += re.findall(r"```sh\n(.*?)```", body, flags=re.S)
    return result


def instrument(block):
    """Asserts the exit status a command's comment promises."""
    out = []
    for line in block.splitlines():
        m = re.match(r"^(.*?)\s+#\s*(exit (\d+)|fails)\b", line)
        if m and not line.lstrip().startswith("#"):
            command = m.group(1)
            if m.group(3) is not None:
                want = m.group(3)
                out.append('%s\nst=$?; [ "$st" -eq %s ] || { echo "WALKTHROUGH FAIL: %s: exit $st, want %s"; exit 1; }'
                           % (command, want, command.replace('"', '\\"'), want))
            else:
                out.append('%s\nst=$?; [ "$st" -ne 0 ] || { echo "WALKTHROUGH FAIL: %s: exit 0, want failure"; exit 1; }'
                           % (command, command.replace('"', '\\"')))
        else:
            out.append(line)
    return "\n".join(out)


def main():
    with open(DOC, encoding="utf-8") as f:
        text = f.read()
    script = "\n".join(instrument(b) for b in blocks(text))
    script = (script.replace("/opt/aliasguard", PREFIX)
                    .replace("cp -r examples/ci-demo /tmp/ci-demo",
                             "cp -r %s/examples/ci-demo %s" % (SOURCE, DEMO))
                    .replace("/tmp/ci-demo", DEMO))
    if "aliasguard-check" not in script or DEMO not in script:
        sys.exit("FAIL: docs/ci.md no longer has the walkthrough this test expects")
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    path = os.path.join(WORK, "walkthrough.sh")
    with open(path, "w", encoding="utf-8") as f:
        f.write("set -x\nexport PATH=%s/bin:$PATH\ncd %s\n" % (PREFIX, WORK) + script + "\n")
    print("running", path, flush=True)
    proc = subprocess.run(["bash", path], cwd=WORK)
    if proc.returncode != 0:
        sys.exit("FAIL: the walkthrough stopped (exit %d)" % proc.returncode)

    with open(os.path.join(DEMO, ".aliasguard-baseline.json"), encoding="utf-8") as f:
        baseline = json.load(f)["findings"]
    if [e["rule"] for e in baseline] != ["aliasguard-stale-snapshot"]:
        sys.exit("FAIL: the baseline should hold the demo's one old finding: %s" % baseline)
    with open(os.path.join(DEMO, "train.cpp"), encoding="utf-8") as f:
        if "ag::StateDict copy = aliasguard::deep_copy(model.state_dict());" not in f.read():
            sys.exit("FAIL: --fix did not deep-copy the new helper's dict")
    for name, want in (("static.sarif", 0), ("runtime.sarif", None)):
        with open(os.path.join(DEMO, name), encoding="utf-8") as f:
            results = json.load(f)["runs"][0]["results"]
        if want is not None and len(results) != want:
            sys.exit("FAIL: %s has %d results, want %d" % (name, len(results), want))
        print("ok: %s with %d result(s)" % (name, len(results)))
    print("PASS: docs/ci.md parts 2-7 as written")


if __name__ == "__main__":
    main()
