#!/usr/bin/env python3
"""The tracker includes no tensor or nn header: every `aliasguard/...` include in the files
under the given directories is one of the tracker's own (`aliasguard/tracker/...`) or
`aliasguard/base_error.h`, and every other quoted include names a file in the includer's
directory (no path: "../tensor/..." would reach around the rule).

  layering_test.py DIR...

Before scanning, the checker is run on a sample that breaks each rule, so a checker that
finds nothing fails rather than passes.
"""
import os
import re
import sys

ALLOWED = re.compile(r"aliasguard/(tracker/[\w./]+|base_error\.h)$")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
SOURCES = (".h", ".hpp", ".cpp", ".cc", ".cu", ".inc", ".def")


def problems_in(text, directory, path):
    """What is wrong with the includes of `text` (a file in `directory`)."""
    problems = []
    for match in INCLUDE.finditer(text):
        delimiter, name = match.groups()
        line = text.count("\n", 0, match.start()) + 1
        if name.startswith("aliasguard/"):
            if not ALLOWED.match(name):
                problems.append(f"{path}:{line}: includes {name}, a header outside the tracker")
        elif delimiter == '"' and ("/" in name or not os.path.isfile(os.path.join(directory, name))):
            problems.append(f"{path}:{line}: includes \"{name}\", not a file of {directory}")
    return problems


def self_test(directory):
    sample = ('#include "aliasguard/tracker/violation.h"\n#include "aliasguard/base_error.h"\n'
              '#include <vector>\n#include "aliasguard/check.h"\n#include <aliasguard/tensor.h>\n'
              '#include "../tensor/tensor_impl.h"\n')
    found = problems_in(sample, directory, "sample")
    expected = ["sample:4:", "sample:5:", "sample:6:"]
    if [p.split(" ")[0] for p in found] != expected:
        return [f"the checker found {found} in its sample, expected problems on lines 4, 5 and 6"]
    return []


def main(directories):
    problems = self_test(directories[0])
    files = 0
    tracker_includes = 0
    for top in directories:
        for root, _, names in os.walk(top):
            for name in sorted(names):
                if not name.endswith(SOURCES):
                    continue
                path = os.path.join(root, name)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                files += 1
                tracker_includes += len(re.findall(r'#\s*include\s*[<"]aliasguard/tracker/', text))
                problems += problems_in(text, root, path)
    print(f"checked {files} files, {tracker_includes} includes of the tracker's own headers")
    if files == 0 or tracker_includes == 0:
        problems.append(f"no tracker sources found under {directories}")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
