"""Runs callbacks once `torch` has been imported: now if it is, else right after the import
that loads it (a finder at the front of sys.meta_path wraps torch's loader, the way
post-import hooks do). A failing callback is reported on stderr and never breaks the import
of torch.
"""

import importlib.abc
import importlib.util
import sys
import threading

_LOCK = threading.Lock()
_CALLBACKS = []


def _run(callbacks):
    for callback in callbacks:
        try:
            callback()
        except Exception as e:  # the program goes on unchecked, and is told so
            sys.stderr.write(f"aliasguard: not checking this process: {e}\n")


class _AfterTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != "torch":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def exec_then_run(module):
            exec_module(module)
            with _LOCK:
                callbacks = list(_CALLBACKS)
                _CALLBACKS.clear()
            _run(callbacks)

        spec.loader.exec_module = exec_then_run
        return spec


def call_after_torch_import(callback):
    if "torch" in sys.modules:
        return callback()
    with _LOCK:
        if not _CALLBACKS:
            sys.meta_path.insert(0, _AfterTorch())
        _CALLBACKS.append(callback)
    return None
