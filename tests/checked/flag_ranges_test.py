#!/usr/bin/env python3
"""Every int flag of flags.inc (AG_INT_FLAG(Name, Default, Min, Max, ...)) has its default in
its row of docs/checked-runtime.md's ALIASGUARD_OPTIONS table, and its range as "Min–Max"
in that row when the range has an upper bound (Max INT_MAX: none to document).

  flag_ranges_test.py FLAGS_INC CHECKED_RUNTIME_MD
"""
import re
import sys


def main(flags_path, doc_path):
    with open(flags_path, encoding="utf-8") as f:
        flags = re.findall(r"^AG_INT_FLAG\((\w+), (-?\d+), (-?\d+), (-?\d+|INT_MAX),", f.read(), re.M)
    with open(doc_path, encoding="utf-8") as f:
        rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `(\w+)` \|.*$", f.read(), re.M)}
    problems = []
    for name, default, low, high in flags:
        row = rows.get(name)
        if row is None:
            problems.append(f"{name}: no row in the table")
            continue
        if not row.startswith(f"| `{name}` | `{default}` |"):
            problems.append(f"{name}: flags.inc's default is {default}, the row says: {row}")
        if high != "INT_MAX" and f"{low}–{high}" not in row:
            problems.append(f"{name}: flags.inc's range is {low}–{high}, the row says: {row}")
    print(f"int flags: {[f[0] for f in flags]}")
    for problem in problems:
        print(problem)
    if not flags:
        print(f"no AG_INT_FLAG entries found in {flags_path}")
    return 1 if problems or not flags else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
