"""Real PyTorch programs run under `python3 -m aliasguard` (tests/python/programs): what is
reported, where, and what the program keeps of its own behaviour (output, traceback, exit
status). Expected lines are found in the programs by their marker comments, never written
here. Run by ctest (label python) through run_pytest.py, with PYTHONPATH at the built package.
"""

import json
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "programs")
SOURCE = os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(SOURCE, "examples", "python")
REPORT_TOOL = os.path.join(SOURCE, "tools", "aliasguard-report")
SUMMARY = re.compile(r"^SUMMARY: AliasGuard: ([\w-]+) (.+?):(\d+)(?: in (.+))?$", re.M)


def program(name):
    return os.path.join(PROGRAMS, name)


def run(path, *args, checked=True, options=None, env=None, cwd=None):
    command = [sys.executable] + (["-m", "aliasguard"] if checked else []) + [path, *args]
    environment = dict(os.environ)
    environment.pop("ALIASGUARD_OPTIONS", None)
    if options:
        environment["ALIASGUARD_OPTIONS"] = options
    environment.update(env or {})
    return subprocess.run(command, capture_output=True, text=True, env=environment, cwd=cwd, timeout=600)


def line_of(path, marker):
    """The line of `path` that carries the comment `# marker`."""
    with open(path, encoding="utf-8") as f:
        lines = [n for n, text in enumerate(f, 1) if text.rstrip().endswith("# " + marker)]
    assert len(lines) == 1, f"{marker!r} marks {len(lines)} lines of {path}"
    return lines[0]


def summaries(stderr):
    """[(kind, file, line, function)] of the reports' SUMMARY lines."""
    return [(kind, file, int(line), function) for kind, file, line, function in SUMMARY.findall(stderr)]


def kinds_at(stderr, path):
    return sorted((kind, line) for kind, file, line, _ in summaries(stderr) if os.path.samefile(file, path))


def skip_without_gloo():
    import torch.distributed
    if not torch.distributed.is_available() or not torch.distributed.is_gloo_available():
        pytest.skip("this PyTorch has no gloo backend")


def test_seed_shallow_reports_the_halving_line():
    path = os.path.join(EXAMPLES, "seed_state_dict.py")
    result = run(path, "shallow")
    assert result.returncode == 23, result.stderr
    with open(path, encoding="utf-8") as f:
        halving = next(n for n, text in enumerate(f, 1) if text.startswith("for k in a: a[k].data -= 0.5 * a[k].data"))
    reports = summaries(result.stderr)
    assert ("stale-snapshot-read", halving) in [(k, line) for k, _, line, _ in reports], result.stderr
    assert "AliasGuard: reported" in result.stderr
    assert "copy.deepcopy(model.state_dict())" in result.stderr  # the Python fix


def test_seed_deep_is_plain_python():
    path = os.path.join(EXAMPLES, "seed_state_dict.py")
    checked = run(path, "deep")
    plain = run(path, "deep", checked=False)
    assert checked.returncode == 0, checked.stderr
    assert (checked.stdout, checked.stderr) == (plain.stdout, plain.stderr)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_best_model_kept_is_reported(optimizer):
    path = program("best_model.py")
    result = run(path, optimizer, "keep")
    assert result.returncode == 23, result.stderr
    assert ("stale-snapshot-read", line_of(path, "restore-model")) in kinds_at(result.stderr, path), result.stderr
    # The optimizer's snapshot is stale too: its momentum buffers (SGD) or moments (Adam).
    assert ("stale-snapshot-read", line_of(path, "restore-optimizer")) in kinds_at(result.stderr, path)
    assert f"handle created at {path}:{line_of(path, 'snapshot-model')}" in result.stderr


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_best_model_deep_copied_is_silent(optimizer):
    path = program("best_model.py")
    checked = run(path, optimizer, "deepcopy")
    plain = run(path, optimizer, "deepcopy", checked=False)
    assert checked.returncode == 0, checked.stderr
    assert (checked.stdout, checked.stderr) == (plain.stdout, plain.stderr)


# idioms.py's modes that write parameters or gradients on purpose (docs/precision.md's intended rows).
INTENDED_IDIOMS = ["init", "init-params", "exact-init", "grad-accumulation", "freeze", "checkpoint", "swa",
                   "checkpoint-average", "grad-clip", "perturb-deepcopy", "optimizer-params-read", "reset-then-init",
                   "all-reduce"]


@pytest.mark.parametrize("name,args", [("ema.py", ["timm"]), ("ema.py", ["yolo"]), ("soft_update.py", []),
                                       ("surgery.py", [])] + [("idioms.py", [mode]) for mode in INTENDED_IDIOMS],
                         ids=["ema-timm", "ema-yolo", "soft-update", "surgery", *INTENDED_IDIOMS])
def test_intended_updates_are_silent(name, args):
    if args == ["all-reduce"]:
        skip_without_gloo()
    path = program(name)
    checked = run(path, *args)
    plain = run(path, *args, checked=False)
    assert checked.returncode == 0, checked.stderr
    assert (checked.stdout, checked.stderr) == (plain.stdout, plain.stderr)


def test_best_model_snapshot_written_is_reported():
    path = program("idioms.py")
    result = run(path, "write-copy")
    assert result.returncode == 23, result.stderr
    # Reported where the model reads the bytes, with the write through the "copy" as its origin.
    assert kinds_at(result.stderr, path) == [("write-through-snapshot", line_of(path, "forward-after-write"))]
    assert f"#0 {path}:{line_of(path, 'write-copy')} in write_copy" in result.stderr, result.stderr


def test_best_model_snapshot_saved_stale_is_reported():
    path = program("idioms.py")
    result = run(path, "save-stale")
    assert result.returncode == 23, result.stderr
    assert kinds_at(result.stderr, path) == [("stale-snapshot-read", line_of(path, "save-stale"))]


# The run time cannot tell a kept handle that is the parameter itself from the live one: these
# pin that the bug is missed, and fail (strict) once it is reported.
OWN_TENSORS = "the kept handles are the model's own parameters: the run time sees no second tensor to go stale"


@pytest.mark.xfail(strict=True, reason=OWN_TENSORS)
def test_best_model_kept_parameters_list_is_reported():
    path = program("kept_weights.py")
    result = run(path, "parameters", "tracked")
    assert kinds_at(result.stderr, path) == [("stale-kept-read", line_of(path, "restore-no-grad"))], result.stderr


@pytest.mark.xfail(strict=True, reason=OWN_TENSORS)
def test_best_model_kept_named_parameters_is_reported():
    path = program("kept_weights.py")
    result = run(path, "named-parameters", "tracked")
    assert kinds_at(result.stderr, path) == [("stale-kept-read", line_of(path, "restore-dict"))], result.stderr


@pytest.mark.xfail(strict=True, reason="copy.copy(model) shares the model's parameters: the run time sees only them")
def test_best_model_shallow_module_copy_is_reported():
    path = program("kept_weights.py")
    result = run(path, "copy-module", "tracked")
    assert kinds_at(result.stderr, path) == [("stale-snapshot-read", line_of(path, "restore-module"))], result.stderr


UNTRACKED = "a detach() or .data handle taken before any state_dict() call is not told from its parameter"
# (mode, the restore's marker): detach() or .data handles restored with p.data.copy_ or p.copy_
# under no_grad, or a project's state_dict() helper of detach()es loaded with load_state_dict.
KEPT_HANDLES = [("detach", "restore-data"), ("detach-no-grad", "restore-no-grad"), ("helper", "restore-dict"),
                ("data", "restore-data"), ("data-no-grad", "restore-no-grad")]


# The misses when the model is not tracked first are one limit whatever the restore: pinned for
# the two kinds of handle, detach() and .data.
UNTRACKED_CASES = [(mode, restore, tracking) for tracking in ("tracked-late", "untracked")
                   for mode, restore in KEPT_HANDLES if mode in ("detach", "data")]


@pytest.mark.parametrize("mode,restore,tracking", [
    *[(mode, restore, "tracked") for mode, restore in KEPT_HANDLES],
    *[pytest.param(*case, marks=pytest.mark.xfail(strict=True, reason=UNTRACKED)) for case in UNTRACKED_CASES]],
    ids=[f"{mode}-tracked" for mode, _ in KEPT_HANDLES] + [f"{mode}-{tracking}" for mode, _, tracking in UNTRACKED_CASES])
def test_best_model_kept_detached_parameters_restored_is_reported(mode, restore, tracking):
    path = program("kept_weights.py")
    result = run(path, mode, tracking)
    assert result.returncode == 23, result.stderr
    assert kinds_at(result.stderr, path) == [("stale-kept-read", line_of(path, restore))], result.stderr
    # The first parameter restored, and the optimizer's step that moved it after it was kept.
    assert "READ through module '0.weight'" in result.stderr, result.stderr
    assert f"#0 {path}:{line_of(path, 'step')} in train" in result.stderr, result.stderr


def test_stale_snapshot_deep_copied_late_then_loaded_is_reported():
    # copy.deepcopy is no use of the snapshot, but its copy restored into the model is the
    # stale read it skipped (Note [Late deep copies]).
    path = program("stale_snapshots.py")
    result = run(path, "rewind")
    assert result.returncode == 23, result.stderr
    assert kinds_at(result.stderr, path) == [("stale-snapshot-read", line_of(path, "load-rewound"))], result.stderr
    assert f"handle created at {path}:{line_of(path, 'snapshot-init')}" in result.stderr, result.stderr
    assert f"deep-copied at {path}:{line_of(path, 'load-rewound')}, after the write" in result.stderr, result.stderr
    # One report for the four entries loaded; the exit summary names the other three.
    assert (f"AliasGuard: the stale-snapshot-read at {path}:{line_of(path, 'load-rewound')} also covers 3 more "
            "entries: '0.bias', '2.weight', '2.bias'") in result.stderr, result.stderr


def test_stale_snapshot_kept_across_reset_parameters_is_reported():
    path = program("stale_snapshots.py")
    result = run(path, "reset")
    assert result.returncode == 23, result.stderr
    assert kinds_at(result.stderr, path) == [("stale-snapshot-read", line_of(path, "load-after-reset"))], result.stderr
    assert f"handle created at {path}:{line_of(path, 'snapshot-before-reset')}" in result.stderr
    assert f"#0 {path}:{line_of(path, 'reset-head')} in reset" in result.stderr, result.stderr


def test_flat_buffer_disjoint_views_are_silent():
    path = program("flat_buffer.py")
    quiet = run(path)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    control = run(path, "control")  # the entry whose bytes were written is reported
    assert control.returncode == 23
    assert kinds_at(control.stderr, path) == [("stale-snapshot-read", line_of(path, "read-overlapping"))]


def test_exception_keeps_traceback_and_status():
    path = program("raises.py")
    checked = run(path)
    plain = run(path, checked=False)
    assert plain.returncode == 1 and "ValueError: batch 1 is corrupt" in plain.stderr
    assert (checked.returncode, checked.stdout, checked.stderr) == (plain.returncode, plain.stdout, plain.stderr)


def test_argv_main_and_exit_status_are_the_programs():
    path = program("argv_main.py")
    checked = run(path, "7", "--flag")
    plain = run(path, "7", "--flag", checked=False)
    assert plain.returncode == 7
    assert (checked.returncode, checked.stdout, checked.stderr) == (plain.returncode, plain.stdout, plain.stderr)


def test_thread_is_checked():
    path = program("threads.py")
    result = run(path)
    assert result.returncode == 23, result.stderr
    assert kinds_at(result.stderr, path) == [("stale-snapshot-read", line_of(path, "restore-in-thread"))]
    assert re.search(r"SUMMARY: .* in train$", result.stderr, re.M), result.stderr


def test_dataloader_workers_keep_the_loop_checked():
    path = program("dataloader.py")
    result = run(path)
    assert result.returncode == 23, result.stderr
    assert result.stdout == "trained\n"
    assert kinds_at(result.stderr, path) == [("stale-snapshot-read", line_of(path, "restore-after-loader"))]


def test_checking_from_code_covers_its_block_and_what_follows_enable():
    path = program("in_code.py")
    result = run(path, checked=False, options="dedup=0:stack_depth=1")
    assert result.returncode == 23, result.stderr
    callers = {int(line) for file, line in re.findall(r"^    #1 (.+):(\d+) in <module>$", result.stderr, re.M)}
    assert callers == {line_of(path, "checked-call"), line_of(path, "enabled-call")}, result.stderr
    assert "enabled inside the block only: False" in result.stdout
    assert ("stale-snapshot-read", line_of(path, "early-read")) in kinds_at(result.stderr, path)
    # weight and bias at two restores, and the early snapshot: nothing for keep_vars=True
    assert "reported: 5" in result.stdout, result.stdout


def test_suppressions_match_python_files_and_functions(tmp_path):
    path = program("best_model.py")
    for pattern in ("restore_best", "best_model.py"):
        rules = tmp_path / f"{pattern}.supp"
        rules.write_text(f"stale-snapshot-read:{pattern}\n")
        result = run(path, "sgd", "keep", options=f"suppressions={rules}")
        assert result.returncode == 0, result.stderr
        assert "AliasGuard: suppressed" in result.stderr and "reported" not in result.stderr


def test_json_reports_become_sarif(tmp_path):
    path = program("best_model.py")
    result = run(path, "adam", "keep", options=f"report_format=json:log_path={tmp_path / 'ag'}")
    assert result.returncode == 23
    logs = sorted(tmp_path.glob("ag.*"))
    assert len(logs) == 1
    records = [json.loads(line) for line in logs[0].read_text().splitlines()]
    reads = [r for r in records if "kind" in r]
    assert {(r["kind"], r["observer"]["line"]) for r in reads} == {
        ("stale-snapshot-read", line_of(path, "restore-model")),
        ("stale-snapshot-read", line_of(path, "restore-optimizer"))}
    assert all(r["observer"]["file"] == path for r in reads)


def test_version_mismatch_names_both_versions(tmp_path):
    fake = tmp_path / "torch"
    fake.mkdir()
    (fake / "__init__.py").write_text("__version__ = '2.1.0'\n")
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    result = run(program("argv_main.py"), "0", env=env)
    assert result.returncode == 1
    assert "built for PyTorch 1." in result.stderr and "imports PyTorch 2.1.0" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_pytest_plugin_fails_only_the_test_that_made_a_violation(tmp_path):
    cases = program("plugin_cases.py")
    command = [sys.executable, "-m", "pytest", "-p", "aliasguard.pytest", "-p", "no:cacheprovider", "-q",
               "-rf", cases]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=600,
                            env={k: v for k, v in os.environ.items() if k != "ALIASGUARD_OPTIONS"})
    output = result.stdout
    assert "2 failed, 1 passed" in output, output + result.stderr
    failed = re.findall(r"^FAILED \S+::(\w+)", output, re.M)
    assert sorted(failed) == ["test_keeps_stale_snapshot", "test_keeps_stale_snapshot_again"], output
    assert output.count("AliasGuard: 1 violation reported during call of") == 2, output
    assert f"SUMMARY: AliasGuard: stale-snapshot-read {cases}:{line_of(cases, 'stale-in-test')}" in output
    assert result.returncode == 23  # the process reported a violation, as every checked program


def test_distributed_ranks_each_report_and_merge_into_one_sarif_run(tmp_path):
    skip_without_gloo()
    path = program("distributed.py")
    result = run(path, str(tmp_path / "init"), options=f"report_format=json:log_path={tmp_path / 'ag'}")
    assert result.returncode == 23, result.stderr
    logs = sorted(tmp_path.glob("ag.*"))
    assert len(logs) == 2, f"{logs}\n{result.stderr}"  # one per rank, none from the launcher
    restore = line_of(path, "restore-rank")
    for log in logs:
        kinds = {(r["kind"], r["observer"]["line"]) for r in map(json.loads, log.read_text().splitlines()) if "kind" in r}
        assert ("stale-snapshot-read", restore) in kinds, log.read_text()
    sarif = tmp_path / "ranks.sarif"
    converted = subprocess.run([sys.executable, REPORT_TOOL, "--to-sarif", "--output", str(sarif), *map(str, logs)],
                               check=True, timeout=120, capture_output=True, text=True)
    document = json.loads(sarif.read_text())
    assert len(document["runs"]) == 1
    # Both ranks report the same line: one result, merged from both files.
    assert "from 2 inputs" in converted.stderr and "(1 duplicates merged)" in converted.stderr, converted.stderr
    results = document["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results
            ] == [("stale-snapshot-read", restore)]
    schema = os.path.join(SOURCE, "..", "shared", "sarif", "sarif-schema-2.1.0.json")
    if os.path.exists(schema):  # ../shared is absent from users' clones
        jsonschema = pytest.importorskip("jsonschema", reason="validating SARIF needs python3-jsonschema")
        with open(schema, encoding="utf-8") as f:
            jsonschema.validate(document, json.load(f))
