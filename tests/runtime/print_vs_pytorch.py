#!/usr/bin/env python3
"""Compares aliasguard's tensor printing with real PyTorch's repr().

Usage: print_vs_pytorch.py PATH/TO/print_cases

Runs the C++ program, builds the same tensors with PyTorch (the list below mirrors
print_cases.cpp, name for name), and fails with a unified diff when any repr differs.
Exits 77 (CTest's skip code here) when PyTorch cannot be imported.
"""

import collections
import difflib
import subprocess
import sys

try:
    import torch
except Exception as exc:  # ImportError, or a broken install raising anything else
    print(f"skipping: cannot import torch: {exc!r}")
    sys.exit(77)

nan = float("nan")
inf = float("inf")
f32, f64, i64 = torch.float32, torch.float64, torch.int64


def t(values, dtype=f32):
    return torch.tensor(values, dtype=dtype)


def with_grad(x):
    return x.requires_grad_(True)


def cases():
    a = torch.arange
    return [
        # Zero-dim.
        ("scalar_int_valued", t(3.0)),
        ("scalar_fraction", t(0.5)),
        ("scalar_int64", t(7, i64)),
        ("scalar_neg_zero", t(-0.0)),
        ("scalar_nan", t(nan)),
        ("scalar_bool", t(0, i64) == 0),
        ("scalar_float64", t(2.25, f64)),
        ("scalar_requires_grad", with_grad(t(1.5))),
        # Empty.
        ("empty_1d", torch.zeros(0)),
        ("empty_2d", torch.zeros(0, 3)),
        ("empty_int64", torch.zeros(0, dtype=i64)),
        ("empty_float64_3d", torch.zeros(2, 0, 3, dtype=f64)),
        ("empty_bool", torch.zeros(0, dtype=torch.bool)),
        # Fixed, int and sci modes.
        ("arange_int64", a(10)),
        ("arange_float", a(10, dtype=f32)),
        ("matrix_eighths", a(12, dtype=f32).reshape(3, 4) / 8),
        ("negative_thirds", (a(6, dtype=f32) - 2.5) / 3),
        ("mixed_signs", t([[-0.0053, 0.3793], [-0.5820, -0.5204]])),
        ("rounding", t([0.1, 0.2, 0.3, 1.23455, 2.5, 0.00015])),
        ("zeros", torch.zeros(2, 3)),
        ("ones_float64", torch.ones(2, 2, dtype=f64)),
        ("special_values", t([nan, inf, -inf, -0.0, 1.5])),
        ("special_int_mode", t([nan, inf, 2.0, -3.0])),
        ("only_non_finite", t([nan, inf, -inf])),
        ("negative_zero_int_mode", t([-0.0, 0.0, 1.0])),
        ("sci_big", a(1, 6, 1, dtype=f32) * 1000000000),
        ("sci_small", a(1, 6, 1, dtype=f32) / 100000),
        ("sci_ratio_int_mode", t([1.0, 1001.0])),
        ("ratio_1000_int_mode", t([1.0, 1000.0])),
        ("sci_ratio_fraction", t([0.5, 600.25])),
        ("sci_over_1e8_int_mode", a(5, dtype=f32) * 100000000),
        ("min_at_1e-4", t([0.0001, 0.5])),
        ("wide_fixed", (a(10, dtype=f32) - 5) * 123.5),
        ("sci_with_nan", t([nan, 0.00001, 3.0, -inf])),
        # Wrapping.
        ("long_row_float", a(30, dtype=f32) / 7),
        ("long_row_int64", a(40) * 1000000007),
        ("wrapped_rows_2d", a(60, dtype=f32).reshape(3, 20) / 3),
        ("long_row_sci", a(1, 25, 1, dtype=f32) / 1000000),
        # Summarized (more than 1000 elements).
        ("summarized_1d", a(2000, dtype=f32) / 4),
        ("summarized_2d_int64", a(1200).reshape(40, 30)),
        ("summarized_3d", a(1200, dtype=f32).reshape(10, 10, 12) / 16),
        ("summarized_sci", (a(1500, dtype=f32) + 1) / 100000),
        ("summarized_wide_rows", a(1010, dtype=f32).reshape(1, 1010) * 0.5),
        ("summarized_column", a(1001, dtype=f32).reshape(1001, 1)),
        # Shapes and views.
        ("three_d", a(24, dtype=f32).reshape(2, 3, 4)),
        ("four_d", a(36, dtype=f32).reshape(2, 3, 2, 3) / 4),
        ("five_d_int64", a(32).reshape(2, 2, 2, 2, 2)),
        ("eight_d", a(20, dtype=f32).reshape(1, 1, 1, 1, 1, 1, 4, 5)),
        ("column", a(5, dtype=f32).reshape(5, 1)),
        ("single_element_3d", torch.full((1, 1, 1), 2.5)),
        ("transposed", a(6, dtype=f32).reshape(2, 3).t()),
        ("strided_slice", a(10)[2:8:2]),
        ("selected_column", a(12, dtype=f32).reshape(3, 4).select(1, 2)),
        ("expanded", a(3, dtype=f32).expand(2, 3)),
        # Integers and booleans.
        ("int64_negative", a(-3, 4)),
        ("int64_widths", t([-1000000, 5, 42], i64)),
        ("int64_limits", t([2**63 - 1, -(2**63)], i64)),
        ("bool_mixed", a(6) == t([0, 1, 5, 3, 2, 5], i64)),
        ("bool_2d_true", torch.ones(2, 3, dtype=torch.bool)),
        ("bool_summarized", (a(1100) == t([7], i64).expand(1100)).reshape(11, 100)),
        # float64 and requires_grad suffixes.
        ("float64_thirds", a(5, dtype=f64) / 3),
        ("float64_tiny", t([1e-300, 1.0], f64)),
        ("float64_huge", t([1e300, -2.5], f64)),
        ("requires_grad_short", with_grad(a(4, dtype=f32))),
        ("requires_grad_wraps", with_grad(a(12, dtype=f32))),
        ("requires_grad_float64", with_grad(a(14, dtype=f64))),
        ("requires_grad_2d", with_grad(a(6, dtype=f32).reshape(2, 3) / 4)),
        ("requires_grad_empty", with_grad(torch.zeros(0))),
        (
            "state_dict",
            collections.OrderedDict(
                [
                    ("fc.weight", t([[-0.0472, -0.4500], [-0.3051, -0.3033]])),
                    ("fc.bias", t([-0.1162, -0.4246])),
                    ("it's.step", t(3, i64)),
                ]
            ),
        ),
        ("state_dict_empty", collections.OrderedDict()),
    ]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    expected = "".join(f"### {name}\n{value!r}\n" for name, value in cases())
    run = subprocess.run([sys.argv[1]], capture_output=True, text=True, check=False)
    if run.returncode != 0:
        print(f"{sys.argv[1]} exited with {run.returncode}\n{run.stderr}")
        return 1
    n = expected.count("\n### ") + 1
    if run.stdout != expected:
        sys.stdout.writelines(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                run.stdout.splitlines(keepends=True),
                fromfile=f"PyTorch {torch.__version__}",
                tofile="aliasguard",
            )
        )
        print(f"FAIL: printing differs from PyTorch {torch.__version__} (of {n} cases)")
        return 1
    print(f"PASS: {n} cases print exactly as PyTorch {torch.__version__} prints them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
