#!/usr/bin/env python3
"""The installed Python package works from the prefix alone: with PYTHONPATH at
<prefix>/<AG_PYTHON_INSTALL_DIR>, `python3 -m aliasguard` checks the seed example (a report,
exit 23), and the libraries the interpreter loads are the prefix's, not the build tree's.

  python_package_check.py PREFIX PYTHON_INSTALL_DIR SOURCE_DIR
"""
import os
import subprocess
import sys

prefix, python_dir, source = sys.argv[1:4]
package_parent = os.path.join(prefix, python_dir)
env = dict(os.environ, PYTHONPATH=package_parent, PYTHONDONTWRITEBYTECODE="1")
env.pop("ALIASGUARD_OPTIONS", None)
problems = []

maps = subprocess.run(
    [sys.executable, "-c", "import aliasguard; aliasguard.enable(); print(open('/proc/self/maps').read())"],
    capture_output=True, text=True, env=env, timeout=300)
if maps.returncode != 0:
    problems.append(f"import aliasguard from {package_parent} failed:\n{maps.stderr}")
for library in ("libaliasguard_pytorch.so", "libaliasguard_torch_checked.so"):
    paths = {line.split()[-1] for line in maps.stdout.splitlines() if line.endswith("/" + library)}
    if not paths or any(not os.path.realpath(p).startswith(os.path.realpath(prefix) + os.sep) for p in paths):
        problems.append(f"{library} was loaded from {sorted(paths) or 'nowhere'}, not from {prefix}")

example = os.path.join(source, "examples", "python", "seed_state_dict.py")
seed = subprocess.run([sys.executable, "-m", "aliasguard", example, "shallow"],
                      capture_output=True, text=True, env=env, timeout=300)
if seed.returncode != 23 or "SUMMARY: AliasGuard: stale-snapshot-read" not in seed.stderr:
    problems.append(f"python3 -m aliasguard {example} shallow: exit {seed.returncode}, expected 23 "
                    f"and a report:\n{seed.stderr}")

for problem in problems:
    print(problem)
if not problems:
    print(f"ok: the package in {package_parent} loads its libraries from {prefix} and reports the seed")
sys.exit(1 if problems else 0)
