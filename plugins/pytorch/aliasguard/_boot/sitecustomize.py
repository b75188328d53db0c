# Run at start-up by every Python process whose PYTHONPATH `python3 -m aliasguard` set (see
# aliasguard/_children.py): checks the process from the moment it imports torch, then runs the
# sitecustomize module this one hides (Debian's, for instance), if any.

import importlib.abc
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


class _EnableAfterTorch(importlib.abc.MetaPathFinder):
    """Finds `torch` as the other finders do, and enables aliasguard once it has loaded."""

    def find_spec(self, name, path=None, target=None):
        if name != "torch":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_then_enable(module):
            exec_module(module)
            import aliasguard
            aliasguard.enable()

        loader.exec_module = exec_then_enable
        return spec


if os.environ.get("ALIASGUARD_PYTHON") == "1":
    if "torch" in sys.modules:
        import aliasguard
        aliasguard.enable()
    else:
        sys.meta_path.insert(0, _EnableAfterTorch())
try:
    _run_hidden_sitecustomize()
except Exception as e:  # as site.py treats a failing sitecustomize: say so, go on
    sys.stderr.write(f"Error in sitecustomize; set PYTHONVERBOSE for traceback:\n{type(e).__name__}: {e}\n")
