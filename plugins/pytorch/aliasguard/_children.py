"""Child Python processes of a checked program are checked too.

`python3 -m aliasguard` puts aliasguard/_boot first on PYTHONPATH and sets
ALIASGUARD_PYTHON=1 in the environment children inherit. _boot/sitecustomize.py, which every
Python process runs at start-up, then turns checking on when the child imports torch (a child
that never imports torch never loads it), and runs the sitecustomize it hides.
multiprocessing's fork children need none of this: they are copies of a checked process.
"""

import os

ENVIRONMENT = "ALIASGUARD_PYTHON"


def inherit():
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    boot = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_boot")
    paths = [boot, package_parent]
    existing = os.environ.get("PYTHONPATH", "")
    paths += [p for p in existing.split(os.pathsep) if p and p not in paths]
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    os.environ[ENVIRONMENT] = "1"
