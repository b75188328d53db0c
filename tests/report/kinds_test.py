#!/usr/bin/env python3
"""tools/aliasguard-report's rules are the runtime's violation kinds: the same kinds in the
same order, each rule's id the kind's name, its name the Kind enumerator, and its fix the
fix the runtime's HINT gives, as AG_FOR_EACH_VIOLATION_KIND
(runtime/include/aliasguard/tracker/violation_kinds.h) declares them.

  kinds_test.py --tool TOOL --kinds VIOLATION_KINDS_H

Standard library only.
"""
import argparse
import importlib.machinery
import importlib.util
import re
import sys

STRING = r'"(?:[^"\\]|\\.)*"'
STRINGS = rf"((?:\s*{STRING})+)"
ENTRY = re.compile(rf"\bX\(\s*(\w+)\s*,{STRINGS}\s*,{STRINGS}\s*,{STRINGS}\s*,{STRINGS}\s*\)")


def c_strings(text):
    """The value of adjacent C string literals (only \\" and \\\\ escapes are expected)."""
    out = ""
    for literal in re.findall(STRING, text):
        body = literal[1:-1]
        if re.search(r'\\[^"\\]', body):
            raise ValueError(f"unexpected escape in {literal}")
        out += body.replace('\\"', '"').replace("\\\\", "\\")
    return out


def runtime_kinds(path):
    """[(enumerator, name, cause, fix)] of the X-macro list in `path` (the Python fix left out)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    match = re.search(r"^#define AG_FOR_EACH_VIOLATION_KIND\(X\)((?:.*\\\n)*.*)$", text, re.M)
    if match is None:
        raise ValueError(f"no AG_FOR_EACH_VIOLATION_KIND(X) in {path}")
    body = match.group(1).replace("\\\n", "\n")
    kinds = [(e, c_strings(n), c_strings(c), c_strings(f)) for e, n, c, f, _ in ENTRY.findall(body)]
    if len(kinds) != body.count("X("):
        raise ValueError(f"read {len(kinds)} of the {body.count('X(')} entries of {path}")
    return kinds


def load_tool(path):
    """aliasguard-report (a script without a .py suffix) as a module."""
    sys.dont_write_bytecode = True  # no __pycache__ next to the tool in the source tree
    loader = importlib.machinery.SourceFileLoader("aliasguard_report", path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", required=True)
    parser.add_argument("--kinds", required=True)
    args = parser.parse_args()
    kinds = runtime_kinds(args.kinds)
    rules = load_tool(args.tool).RULES
    problems = []
    if not kinds:
        problems.append(f"no kinds in {args.kinds}")
    expected = [(enumerator, name, fix) for enumerator, name, _, fix in kinds]
    actual = [(rule["name"], rule["id"], rule["fix"]) for rule in rules]
    for want, have in zip(expected, actual):
        for what, w, h in zip(("name (the Kind enumerator)", "id (the kind name)", "fix"), want, have):
            if w != h:
                problems.append(f"rule {have[1]}: {what} is {h!r}, the runtime's is {w!r}")
    if len(expected) != len(actual):
        problems.append(f"{len(actual)} rules {[r[1] for r in actual]}, "
                        f"{len(expected)} kinds {[k[1] for k in expected]}")
    for problem in problems:
        print(problem)
    if not problems:
        print(f"ok: aliasguard-report's rules are the runtime's kinds {[k[1] for k in kinds]}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
