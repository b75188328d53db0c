#!/usr/bin/env python3
"""The option defaults in docs/checks/ are the ones aliasguard-check uses.

  docs_options.py --tool T --docs DIR

Runs `T --dump-config` and compares every `aliasguard-<check>.<Option>` it prints with the
Options table of docs/checks/aliasguard-<check>.md: a row `| `Option` | `default` ... |`.
A page whose Options section says "As for [other](other.md)" inherits that page's rows for
the options it does not list itself. Fails on an option missing from either side and on
any default that differs. Uses only the standard library.
"""
import argparse
import os
import re
import subprocess
import sys

ROW = re.compile(r"^\|\s*`([A-Za-z]+)`\s*\|\s*`([^`]*)`")
INHERITS = re.compile(r"As for \[[^\]]*\]\(([^)]+\.md)\)")


def options_section(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start = text.find("\n## Options")
    if start < 0:
        return ""
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else len(text)]


def documented(docs, page, seen=()):
    """Option -> default documented for the check of `page` (a file name in `docs`)."""
    if page in seen:
        raise SystemExit(f"docs: {page} inherits its options from itself")
    section = options_section(os.path.join(docs, page))
    options = {}
    inherited = INHERITS.search(section)
    if inherited:
        options.update(documented(docs, inherited.group(1), seen + (page,)))
    for line in section.splitlines():
        match = ROW.match(line.strip())
        if match:
            options[match.group(1)] = match.group(2)
    return options


def yaml_scalar(text):
    """The value of a scalar as configurationAsText writes one (plain or quoted)."""
    text = text.strip()
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    if text.startswith('"') and text.endswith('"'):
        return bytes(text[1:-1], "utf-8").decode("unicode_escape")
    return text


def dumped(tool):
    """(check, option) -> value from `tool --dump-config`."""
    out = subprocess.run([tool, "--dump-config"], check=True, capture_output=True,
                         text=True).stdout
    options = {}
    in_options = False
    for line in out.splitlines():
        if line.startswith("CheckOptions:"):
            in_options = True
            continue
        if in_options and not line.startswith(" "):
            in_options = False
        if not in_options:
            continue
        key, _, value = line.strip().partition(":")
        check, _, option = key.rpartition(".")
        options[(check, option)] = yaml_scalar(value)
    return options


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", required=True)
    parser.add_argument("--docs", required=True)
    args = parser.parse_args()

    actual = dumped(args.tool)
    checks = sorted({check for check, _ in actual})
    if not checks:
        print("--dump-config printed no check options", file=sys.stderr)
        return 1
    failures = []
    for check in checks:
        page = check + ".md"
        if not os.path.exists(os.path.join(args.docs, page)):
            failures.append(f"{check}: no page {page} in {args.docs}")
            continue
        docs = documented(args.docs, page)
        options = {option: value for (c, option), value in actual.items() if c == check}
        for option in sorted(set(options) | set(docs)):
            if option not in docs:
                failures.append(f"{page}: option {option} is not documented "
                                f"(default '{options[option]}')")
            elif option not in options:
                failures.append(f"{page}: documents {option}, which {check} does not have")
            elif docs[option] != options[option]:
                failures.append(f"{page}: {option} is documented as '{docs[option]}', "
                                f"but its default is '{options[option]}'")
        print(f"{check}: {len(options)} options, {len(docs)} documented")
    for failure in failures:
        print("FAIL: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
