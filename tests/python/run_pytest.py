#!/usr/bin/env python3
"""Runs pytest on this directory's tests for ctest: exit 77 (skipped) with the reason when the
interpreter lacks PyTorch or pytest, else pytest's own status.

  run_pytest.py PYTEST_ARGS...     (PYTHONPATH names the built aliasguard package)
"""
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
for module, package in (("torch", "python3-torch"), ("pytest", "python3-pytest")):
    try:
        __import__(module)
    except ImportError:
        print(f"SKIP: {sys.executable} cannot import {module} (apt-get install {package})")
        sys.exit(77)

import pytest  # noqa: E402

sys.exit(pytest.main(["-p", "no:cacheprovider", "-q", *sys.argv[1:]]))
