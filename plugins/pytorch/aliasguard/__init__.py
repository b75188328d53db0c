"""aliasguard for PyTorch programs: the run-time checker, loaded into the interpreter.

    python3 -m aliasguard train.py [ARGS...]     # an unchanged script, checked
    import aliasguard; aliasguard.enable()       # from here on, in this process
    with aliasguard.checking(): ...              # inside the block
    pytest -p aliasguard.pytest                  # fail the test that made a violation

The checks are the C++ layer's (LibTorch's dispatcher, the same one PyTorch's Python ops go
through); this package loads it, tells it which tensors are snapshots (Module.state_dict(),
Optimizer.state_dict()) and names the Python frames of reports. See docs/python.md.

Importing this package loads the layer, with checking off, as soon as torch is imported (at
once if it is already), so that snapshots taken before checking starts are known.
"""

import contextlib as _contextlib

from . import _after_torch


def _load():
    from . import _layer
    _layer.load()


def _load_after_torch():
    try:
        _load()
    except ImportError:
        pass  # not the torch the layer was built for: enable() and checking() raise why


# With a torch already imported, importing this package fails when it is not the one the
# layer was built for (the message names both versions).
if "torch" in __import__("sys").modules:
    _load()
else:
    _after_torch.call_after_torch_import(_load_after_torch)

__all__ = ["enable", "disable", "checking", "enabled", "violation_count", "violation_reports"]


def enable():
    """Checks every operator call from now on, in this thread and the threads it starts."""
    from . import _layer
    _layer.load().enable_process()


def disable():
    """Stops checking in this thread and the threads started after; what was reported stays."""
    from . import _layer
    _layer.load().disable_process()


def enabled():
    """Whether operator calls on this thread are checked."""
    from . import _layer
    return _layer.loaded() is not None and _layer.loaded().enabled_here()


@_contextlib.contextmanager
def checking():
    """Checks the operator calls made inside the block (and by threads started inside it)."""
    from . import _layer
    layer = _layer.load()
    restore = layer.enter_checking()
    try:
        yield
    finally:
        restore()


def violation_count():
    """How many violations were reported in this process so far."""
    from . import _layer
    return _layer.load().violation_count()


def violation_reports(first=0):
    """The text of violations `first`, `first + 1`, ... as the checker printed them."""
    from . import _layer
    return _layer.load().violation_reports(first)
