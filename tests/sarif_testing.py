"""What the SARIF tests share: tests/analyzer/sarif/sarif_test.py (aliasguard-check) and
tests/report/report_test.py (tools/aliasguard-report).

A test is a script with modes; a mode returns its exit status (0, or SKIP with the reason
printed) and fails by raising Failure through expect(), which run_mode() turns into exit 1.

The official SARIF 2.1.0 schema is OASIS data that the repository does not ship; the build
passes where it is kept (--schema), and where it is absent, as in a user's clone, the schema
modes skip, saying why.
"""

import json
import os

SKIP = 77


class Failure(Exception):
    """An expectation that did not hold; the message says which."""


def expect(condition, what):
    if not condition:
        raise Failure(what)


def results(log):
    """The results of `log`, which must be SARIF 2.1.0 with exactly one run."""
    expect(log.get("version") == "2.1.0", "version is not 2.1.0")
    expect(len(log.get("runs", [])) == 1, "expected exactly one run")
    return log["runs"][0]["results"]


def validator(schema_path):
    """(jsonschema Draft4 validator, None), or (None, the reason to skip)."""
    if not os.path.isfile(schema_path):
        return None, ("the SARIF 2.1.0 schema is not at %s (it is not shipped in the "
                      "repository)" % schema_path)
    try:
        import jsonschema
    except ImportError:
        return None, "python3-jsonschema is not installed (apt-get install python3-jsonschema)"
    with open(schema_path, encoding="utf-8") as f:
        return jsonschema.Draft4Validator(json.load(f)), None


def check_schema(schema_path, logs):
    """Validates each (name, log) that the iterable `logs` yields against the schema, one
    line each; at least one result must be validated. SKIP when the schema is unavailable."""
    schema, reason = validator(schema_path)
    if schema is None:
        print("SKIP: " + reason)
        return SKIP
    count = checked = 0
    for name, log in logs:
        errors = sorted(schema.iter_errors(log), key=lambda e: list(e.path))
        expect(not errors, f"{name}: the log does not validate:\n" + "\n".join(
            f"  at {'/'.join(map(str, e.path))}: {e.message}" for e in errors[:10]))
        count += 1
        checked += len(results(log))
        print(f"{name}: valid SARIF 2.1.0, {len(results(log))} results")
    expect(checked > 0, "no results validated")
    print(f"OK: {count} logs, {checked} results validated")
    return 0


def run_mode(modes, args):
    """Runs the mode `args.mode` of `modes` ({name: function(args)}); its exit status."""
    try:
        return modes[args.mode](args)
    except Failure as failure:
        print(f"FAIL ({args.mode}): {failure}")
        return 1
