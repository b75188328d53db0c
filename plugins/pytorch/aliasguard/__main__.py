"""python3 -m aliasguard [-m MODULE | SCRIPT] [ARGS...]: runs a Python program checked.

The program sees what it would see under plain `python3 SCRIPT ARGS...`: sys.argv, __main__,
sys.path[0], its exceptions' tracebacks and its exit status; child Python processes it starts
(multiprocessing, torch.multiprocessing.spawn, subprocess) are checked too. When violations
were reported the process exits with ALIASGUARD_OPTIONS' exitcode (23), as C++ programs do.
"""

import os
import runpy
import sys

USAGE = """usage: python3 -m aliasguard [-m MODULE | SCRIPT] [ARGS...]

Runs a PyTorch program with aliasguard's run-time checks (docs/python.md): a snapshot from
Module.state_dict() or Optimizer.state_dict() read after the model changed, or written
through while the model uses it, is reported with the Python lines involved.

  python3 -m aliasguard train.py --epochs 3
  python3 -m aliasguard -m pytest tests/ -p aliasguard.pytest

Options go in ALIASGUARD_OPTIONS (help=1 lists them), e.g.
  ALIASGUARD_OPTIONS=log_path=ag:report_format=json python3 -m aliasguard train.py
Exit status: the program's own, or 23 (exitcode=) when violations were reported.
"""


def _trimmed(tb):
    """The traceback from the program's first frame on, as plain python3 would print it."""
    here = os.path.dirname(os.path.abspath(__file__)) + os.sep
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if not (name.startswith(here) or name == "<frozen runpy>" or name == runpy.__file__):
            break
        tb = tb.tb_next
    return tb


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(USAGE) if argv else sys.stderr.write(USAGE)
        return 0 if argv else 2
    from . import _children
    import aliasguard
    try:
        aliasguard.enable()
    except ImportError as e:  # no PyTorch, or not the one the layer was built for
        sys.stderr.write(f"python3 -m aliasguard: {e}\n")
        return 1
    if argv[0] == "-m":
        if len(argv) < 2:
            sys.stderr.write("python3 -m aliasguard: -m needs a module name\n" + USAGE)
            return 2
        module, args = argv[1], argv[2:]
        sys.argv = [module] + args
        sys.path[0] = os.getcwd()
        _children.inherit()
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0
    script = argv[0]
    if not os.path.exists(script):
        sys.stderr.write(f"{sys.executable}: can't open file '{os.path.abspath(script)}': "
                         f"[Errno 2] No such file or directory\n")
        return 2
    sys.argv = list(argv)
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    _children.inherit()
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    try:
        status = main(sys.argv[1:])
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as e:  # the program's own exception: its traceback, exit status 1
        tb = _trimmed(e.__traceback__)
        sys.excepthook(type(e), e.with_traceback(tb), tb)
        status = 1
    sys.exit(status)
