# Run at start-up by every Python process whose PYTHONPATH `python3 -m aliasguard` set (see
# aliasguard/_children.py): checks the process from the moment it imports torch, then runs the
# sitecustomize module this one hides (Debian's, for instance), if any.

import importlib.machinery
import importlib.util
import os
import sys


def _run_hidden_sitecustomize():
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


def _enable():
    import aliasguard
    aliasguard.enable()


if os.environ.get("ALIASGUARD_PYTHON") == "1":
    try:
        from aliasguard import _after_torch
        _after_torch.call_after_torch_import(_enable)
    except Exception as e:  # the child runs, unchecked, and says so
        sys.stderr.write(f"aliasguard: not checking this process: {e}\n")
try:
    _run_hidden_sitecustomize()
except Exception as e:  # as site.py treats a failing sitecustomize: say so, go on
    sys.stderr.write(f"Error in sitecustomize; set PYTHONVERBOSE for traceback:\n{type(e).__name__}: {e}\n")
