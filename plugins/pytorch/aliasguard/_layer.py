"""Loads the C++ checking layer into this interpreter and connects PyTorch's Python API to it.

Everything that decides what is a violation is C++ (plugins/libtorch): operator calls reach it
through LibTorch's dispatcher. This module only does what the dispatcher cannot see:
- which tensors are snapshots: the entries of a Module.state_dict() or Optimizer.state_dict()
  call (one snapshot per call), and which are the live parameters, buffers and optimizer
  state, named by their state_dict keys;
- `tensor.data`, which PyTorch makes without an operator call;
- the threads Python starts (the layer's key is per thread);
- the Python frames a report names (Note [Python frames] in src/bridge.cpp).
"""

import atexit
import ctypes
import functools
import os
import re
import sys
import sysconfig
import threading

from . import _build_info

_LOCK = threading.Lock()
_LAYER = None


def loaded():
    return _LAYER


def load():
    """The layer, loaded on first use (imports torch)."""
    global _LAYER
    import torch  # noqa: F401  (first, unlocked: importing it may call load() itself)
    with _LOCK:
        if _LAYER is None:
            _LAYER = _Layer()
        return _LAYER


def _release(version):
    """'1.13.0a0+git' -> (1, 13, 0)."""
    m = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", version)
    if not m:
        return None
    return tuple(int(x or 0) for x in m.groups())


def _check_torch(torch):
    built = _build_info.TORCH_VERSION
    running = getattr(torch, "__version__", "unknown")
    if _release(running) is None or _release(running) != _release(built):
        raise ImportError(
            f"aliasguard: this aliasguard was built for PyTorch {built}, but this Python imports "
            f"PyTorch {running} (from {os.path.dirname(torch.__file__)}); rebuild aliasguard against "
            f"that PyTorch's LibTorch, or run the Python whose PyTorch is {built}")


_HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_STDLIB = os.path.dirname(os.path.abspath(os.__file__)) + os.sep
# Installed packages may live inside the standard library's folder (a virtual environment's
# or pyenv's site-packages): those are not the standard library.
_PACKAGES = tuple({os.path.abspath(p) + os.sep for p in (sysconfig.get_paths()["purelib"],
                                                          sysconfig.get_paths()["platlib"])})


def _standard_library(name):
    return name.startswith(_STDLIB) and not name.startswith(_PACKAGES)


class _Layer:
    def __init__(self):
        import torch
        _check_torch(torch)
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), _build_info.LIBRARY)
        try:
            torch.ops.load_library(path)
        except OSError as e:
            raise ImportError(
                f"aliasguard: cannot load {path} into PyTorch {torch.__version__} "
                f"(built for {_build_info.TORCH_VERSION}): {e}") from None
        self.torch = torch
        self.ops = torch.ops.aliasguard
        # The library turns checking on in the thread that loads it; whoever asked for the
        # layer says where it is on (enable, checking).
        self.ops.set_enabled(False)
        self.process_enabled = False
        self.tls = threading.local()
        self.torch_dir = os.path.dirname(os.path.abspath(torch.__file__)) + os.sep
        self.tensor_str = os.path.join(self.torch_dir, "_tensor_str.py")
        self.tensor_py = os.path.join(self.torch_dir, "_tensor.py")
        self.optimizer_py = os.path.join(self.torch_dir, "optim", "optimizer.py")
        self._callback = _FRAMES_CALLBACK(self._frames)  # kept alive as long as the layer
        self.ops.set_python_frames(ctypes.cast(self._callback, ctypes.c_void_p).value)
        # Python frames cannot be asked for once the interpreter is finalizing.
        atexit.register(self.ops.set_python_frames, 0)
        self._wrap_state_dicts()
        self._wrap_data()
        self._wrap_save()
        self._wrap_deepcopy()
        self._previous_profile = threading.getprofile()  # chained: see _thread_started
        threading.setprofile(self._thread_started)

    # ---- on and off --------------------------------------------------------------------------

    def enabled_here(self):
        was = self.ops.set_enabled(True)
        self.ops.set_enabled(was)
        return was

    def enable_process(self):
        self.process_enabled = True
        self.ops.set_enabled(True)

    def disable_process(self):
        self.process_enabled = False
        self.ops.set_enabled(False)

    def enter_checking(self):
        was_process = self.process_enabled
        was_here = self.ops.set_enabled(True)
        self.process_enabled = True

        def restore():
            self.process_enabled = was_process
            self.ops.set_enabled(was_here)
        return restore

    def _thread_started(self, frame, event, arg):
        # threading.setprofile's hook runs in each new threading.Thread before run(): turn the
        # layer on there when this process checks, then step aside (or hand over to the hook
        # that was there before).
        sys.setprofile(self._previous_profile)
        if self.process_enabled:
            self.ops.set_enabled(True)
        if self._previous_profile is not None:
            return self._previous_profile(frame, event, arg)
        return None

    # ---- reports -------------------------------------------------------------------------------

    def violation_count(self):
        return int(self.ops.violation_count())

    def violation_reports(self, first=0):
        return str(self.ops.violation_reports(int(first)))

    def forget_duplicates(self):
        self.ops.forget_duplicates()

    def user_frames(self, frame):
        """The frames of user code from `frame` outwards: torch's, aliasguard's and the
        standard library's (copy.deepcopy, threading) skipped."""
        out = []
        while frame is not None:
            name = frame.f_code.co_filename
            if not (name.startswith(self.torch_dir) or name.startswith(_HERE) or _standard_library(name)
                    or name.startswith("<frozen ")):
                out.append(frame)
            frame = frame.f_back
        return out

    def _frames(self, buffer, capacity, depth):
        try:
            text = self._describe(sys._getframe(1), depth)
        except BaseException:  # no Python frame on this thread, or the interpreter is going
            return 0
        data = text.encode("utf-8", "replace")
        if len(data) > capacity:
            data = data[:data.rfind(b"\n", 0, capacity) + 1]
        ctypes.memmove(buffer, data, len(data))
        return len(data)

    def _describe(self, frame, depth):
        # Not a use of the values: printing a tensor, and copying it with copy.deepcopy (as
        # aliasguard's deep_copy in C++), except where Optimizer.load_state_dict restores a
        # snapshot through a deep copy. See docs/python.md.
        deepcopy = False
        restoring = False
        f = frame
        while f is not None:
            code = f.f_code
            if code.co_filename == self.tensor_str:
                return "N\n"
            if code.co_filename == self.tensor_py:
                if code.co_name in ("__repr__", "__format__"):
                    return "N\n"
                if code.co_name == "__deepcopy__":
                    deepcopy = True
            elif code.co_filename == self.optimizer_py and code.co_name == "load_state_dict":
                restoring = True
            f = f.f_back
        if deepcopy and not restoring:
            return "N\n"
        frames = self.user_frames(frame)
        if not frames:
            return ""
        return "S\n" + "".join(_frame_line(f) for f in frames[:depth + 1])

    def site(self):
        """(file, line, function) of the user's call now being made."""
        frames = self.user_frames(sys._getframe(1))
        if not frames:
            return ("", 0, "")
        f = frames[0]
        return (f.f_code.co_filename, f.f_lineno or 0, _function(f))

    # ---- snapshots -----------------------------------------------------------------------------

    def _wrap_state_dicts(self):
        torch = self.torch
        layer = self
        module_state_dict = torch.nn.Module.state_dict

        @functools.wraps(module_state_dict)
        def state_dict(module, *args, **kwargs):
            depth = getattr(layer.tls, "depth", 0)
            layer.tls.depth = depth + 1
            try:
                result = module_state_dict(module, *args, **kwargs)
            finally:
                layer.tls.depth = depth
            if depth == 0:  # the user's call, not the recursion into submodules
                keep_vars = kwargs.get("keep_vars", args[2] if len(args) > 2 else False)
                prefix = kwargs.get("prefix", args[1] if len(args) > 1 else "")
                layer._mark_module_snapshot(module, result, prefix, keep_vars)
            return result

        torch.nn.Module.state_dict = state_dict

        optimizer_state_dict = torch.optim.Optimizer.state_dict

        @functools.wraps(optimizer_state_dict)
        def optimizer_state(optimizer, *args, **kwargs):
            result = optimizer_state_dict(optimizer, *args, **kwargs)
            return layer._mark_optimizer_snapshot(result)

        torch.optim.Optimizer.state_dict = optimizer_state

    def _mark_module_snapshot(self, module, result, prefix, keep_vars):
        live = {}
        for name, sub in module.named_modules(remove_duplicate=False):
            base = name + "." if name else ""
            for table in (sub._parameters, sub._buffers):
                for key, tensor in table.items():
                    if tensor is not None:
                        live.setdefault(base + key, tensor)
        Tensor = self.torch.Tensor
        live_tensors, live_keys, entries, keys = [], [], [], []
        for key, entry in result.items():
            if not isinstance(entry, Tensor):
                continue
            tensor = live.get(key[len(prefix):] if key.startswith(prefix) else key)
            if tensor is not None:
                live_tensors.append(tensor)
                live_keys.append(key)
            if not keep_vars:  # with keep_vars the entries are the parameters and buffers themselves
                entries.append(entry)
                keys.append(key)
        self.ops.mark_state_dict(live_tensors, live_keys, entries, keys, *self.site())

    def _mark_optimizer_snapshot(self, result):
        # Optimizer.state_dict() hands out the live state tensors themselves, in the live
        # per-parameter dicts: the snapshot gets its own dicts and detached tensors on the same
        # storage (what Module.state_dict() returns for parameters), so the optimizer's later
        # updates of its state are writes of the live tensors that the snapshot can see.
        state = result.get("state") if isinstance(result, dict) else None
        if not isinstance(state, dict):
            return result
        Tensor = self.torch.Tensor
        live_tensors, entries, keys = [], [], []
        copied = {}
        for index, per_param in state.items():
            if not isinstance(per_param, dict):
                copied[index] = per_param
                continue
            snapshot = {}
            for name, value in per_param.items():
                if isinstance(value, Tensor):
                    live_tensors.append(value)
                    keys.append(f"state.{index}.{name}")
                    value = value.detach()
                    entries.append(value)
                snapshot[name] = value
            copied[index] = snapshot
        self.ops.mark_state_dict(live_tensors, keys, entries, keys, *self.site())
        result = dict(result)
        result["state"] = copied
        return result

    def _wrap_data(self):
        base = self.torch._C._TensorBase.data
        ops = self.ops

        def get_data(tensor):
            view = base.__get__(tensor)
            ops.note_data(tensor, view)
            return view

        get_data.__doc__ = base.__doc__
        self.torch.Tensor.data = property(get_data, base.__set__, None, base.__doc__)


    def _wrap_save(self):
        # torch.save copies storages through their data pointers, which no operator call
        # shows the layer: the tensors it is given are read first, at the caller's line.
        torch = self.torch
        layer = self
        original = torch.save

        @functools.wraps(original)
        def save(obj, *args, **kwargs):
            if layer.enabled_here():
                tensors = _tensors_in(obj, torch.Tensor)
                if tensors:
                    layer.ops.note_reads(tensors)
            return original(obj, *args, **kwargs)

        torch.save = save

    def _wrap_deepcopy(self):
        # copy.deepcopy of a snapshot entry is not a use (see _describe), but its copy keeps
        # the read it skipped, reported if the copy is loaded into the module: Note [Late deep
        # copies] in the tracker.
        layer = self
        original = self.torch.Tensor.__deepcopy__

        @functools.wraps(original)
        def __deepcopy__(tensor, memo):
            copied = original(tensor, memo)
            if type(copied) is type(tensor) and layer.enabled_here():
                layer.ops.note_deep_copy(copied, tensor, *layer.site())
            return copied

        self.torch.Tensor.__deepcopy__ = __deepcopy__


def _tensors_in(obj, tensor_type, depth=0, seen=None):
    """The tensors in a dict/list/tuple structure as torch.save pickles it (modules and other
    objects are not walked: their tensors are the live ones)."""
    if seen is None:
        seen = set()
    if isinstance(obj, tensor_type):
        return [obj]
    if depth > 8 or id(obj) in seen or not isinstance(obj, (dict, list, tuple)):
        return []
    seen.add(id(obj))
    items = obj.values() if isinstance(obj, dict) else obj
    found = []
    for item in items:
        found.extend(_tensors_in(item, tensor_type, depth + 1, seen))
    return found


_FRAMES_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int)


def _function(frame):
    return getattr(frame.f_code, "co_qualname", frame.f_code.co_name)


def _clean(text):
    return text.replace("\t", " ").replace("\n", " ")


def _frame_line(frame):
    return f"{_clean(frame.f_code.co_filename)}\t{frame.f_lineno or 0}\t{_clean(_function(frame))}\n"
