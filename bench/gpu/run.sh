#!/usr/bin/env bash
# The GPU run in one command. Two steps, because the GPU machine is lent briefly and has no
# build tools of ours:
#
#   bench/gpu/run.sh pack              here: build with CUDA (Release) and put stripped test
#                                      and GPU benchmark binaries in build/gpu-carry (small
#                                      enough to carry; JOBS=n limits the build's parallelism)
#   bench/gpu/run.sh run OUT [CARRY]   on the GPU machine: run the CUDA test suite from CARRY
#                                      (default build/gpu-carry), then the GPU benchmarks (ours
#                                      and PyTorch's) and write logs, JUnit XML, JSON, a summary
#                                      and gpu_table.md to OUT within 8 minutes; exit non-zero
#                                      if a test or our benchmark failed or if no GPU was usable
#                                      (so a skipped run is never read as a pass)
#
# See bench/README.md ("GPU runs") for how to carry the folder to a lent device.
set -euo pipefail
cd "$(dirname "$0")/../.."

cmd="${1:-}"
case "$cmd" in
  pack)
    build=build/gpu
    carry=build/gpu-carry
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAG_ENABLE_CUDA=ON >/dev/null
    cmake --build "$build" -j "${JOBS:-$(nproc)}" --target aliasguard_runtime_tests aliasguard_checked_tests \
      seed_state_dict aliasguard_gpu_bench
    rm -rf "$carry" && mkdir -p "$carry"
    for exe in tests/runtime/aliasguard_runtime_tests tests/checked/aliasguard_checked_tests examples/seed_state_dict \
               bench/aliasguard_gpu_bench; do
      strip -o "$carry/$(basename "$exe")" "$build/$exe"
    done
    git rev-parse HEAD > "$carry/COMMIT" 2>/dev/null || echo unknown > "$carry/COMMIT"
    du -sh "$carry"
    echo "carry '$carry' to the GPU machine and run: bench/gpu/run.sh run \"\$OUT\" $carry"
    ;;
  run)
    [ $# -ge 2 ] || { echo "run.sh: usage: bench/gpu/run.sh run OUT [CARRY] (OUT: the folder for the results)" >&2; exit 2; }
    out="$2"
    carry="${3:-build/gpu-carry}"
    [ -x "$carry/aliasguard_runtime_tests" ] || { echo "run.sh: $carry/aliasguard_runtime_tests not found; run 'bench/gpu/run.sh pack' first" >&2; exit 2; }
    mkdir -p "$out"
    # One budget for the whole run (the device is lent for minutes): each step gets at most
    # its own cap and never more than what is left of 450 s, so the run ends within 8 minutes.
    deadline=$((SECONDS + 450))
    budget() { local left=$((deadline - SECONDS)); [ "$left" -gt 5 ] || left=5; [ "$left" -lt "$1" ] || left=$1; echo "$left"; }
    {
      echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
      echo "commit: $(cat "$carry/COMMIT" 2>/dev/null || echo unknown)"
      echo "host: $(hostname) ($(nproc) cores)"
      nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | sed 's/^/gpu: /' || echo "gpu: nvidia-smi not available"
    } | tee "$out/machine.txt"
    status=0
    # The whole suite: host and CUDA instantiations of every test (CUDA ones skip without a GPU).
    timeout "$(budget 210)" "$carry/aliasguard_runtime_tests" --gtest_output="xml:$out/runtime_tests.xml" \
      > "$out/runtime_tests.log" 2>&1 || status=$?
    passed=$(grep -c '^\[       OK \]' "$out/runtime_tests.log" || true)
    failed=$(grep -c '^\[  FAILED  \].*(' "$out/runtime_tests.log" || true)
    skipped=$(grep -c '^\[  SKIPPED \]' "$out/runtime_tests.log" || true)
    # Device-parameterised suites name their CUDA instantiation /cuda or /CUDA0.
    cuda_ran=$(grep -cE '^\[       OK \] .*/(cuda|CUDA0) \(' "$out/runtime_tests.log" || true)
    {
      echo "runtime tests: $passed passed, $failed failed, $skipped skipped (exit $status)"
      echo "CUDA test cases that ran and passed: $cuda_ran"
    } | tee "$out/summary.txt"
    if [ "$cuda_ran" -eq 0 ]; then
      echo "run.sh: no CUDA test ran: no usable GPU here (see $out/runtime_tests.log)" | tee -a "$out/summary.txt" >&2
      [ "$status" -ne 0 ] || status=3
    fi
    # The checked runtime on CUDA storage (its CUDA test skips without a GPU).
    ALIASGUARD_OPTIONS=report_format=json timeout "$(budget 60)" "$carry/aliasguard_checked_tests" \
      --gtest_output="xml:$out/checked_tests.xml" > "$out/checked_tests.log" 2>&1 || status=$?
    echo "checked runtime tests: $(grep -c '^\[       OK \]' "$out/checked_tests.log" || true) passed, $(grep -c '^\[  FAILED  \].*(' "$out/checked_tests.log" || true) failed" | tee -a "$out/summary.txt"
    # The seed example on the host, as a smoke test of the carried build.
    timeout "$(budget 10)" "$carry/seed_state_dict" --shallow > "$out/seed_shallow.txt" 2>&1 || status=$?
    # The GPU benchmarks (bench/README.md, "GPU runs"): ours, then PyTorch's on the same GPU,
    # then the table. Only where CUDA tests ran: without a GPU there is nothing to measure.
    if [ "$cuda_ran" -eq 0 ]; then
      echo "run.sh: GPU benchmarks not run: no usable GPU" | tee -a "$out/summary.txt" >&2
      exit "$status"
    fi
    # The first interpreter that imports torch: $PYTHON, python3 on PATH (a GPU image keeps
    # torch in a virtual environment there), then Debian's /usr/bin/python3.
    python=
    for candidate in ${PYTHON:+"$PYTHON"} python3 /usr/bin/python3; do
      if "$candidate" -c 'import torch' >/dev/null 2>&1; then python=$candidate; break; fi
    done
    if [ -z "$python" ]; then
      echo "run.sh: no python3 here imports torch; PyTorch's rows will read 'not measured'" | tee -a "$out/summary.txt" >&2
      python=python3
    fi
    echo "python: $(command -v "$python") ($("$python" -c 'import torch; print("torch", torch.__version__)' 2>/dev/null || echo 'no torch'))" \
      | tee -a "$out/machine.txt"
    bench_status=0
    timeout "$(budget 60)" "$carry/aliasguard_gpu_bench" --out "$out/gpu_bench.json" \
      > "$out/gpu_bench.log" 2>&1 || bench_status=$?
    echo "GPU benchmark (ours): exit $bench_status (gpu_bench.log, gpu_bench.json)" | tee -a "$out/summary.txt"
    [ "$bench_status" -eq 0 ] || status=$bench_status
    # PyTorch is the peer: if it is missing or fails, its rows read "not measured".
    torch_status=0
    timeout "$(budget 150)" "$python" bench/gpu/pytorch_gpu.py --out "$out/pytorch_gpu.json" \
      > "$out/pytorch_gpu.log" 2>&1 || torch_status=$?
    echo "GPU benchmark (PyTorch): exit $torch_status (pytorch_gpu.log, pytorch_gpu.json)" | tee -a "$out/summary.txt"
    if [ -s "$out/gpu_bench.json" ]; then
      "$python" bench/gpu/table.py "$out/gpu_bench.json" "$out/pytorch_gpu.json" > "$out/gpu_table.md" || status=$?
      cat "$out/gpu_table.md"
    fi
    echo "run.sh: finished in ${SECONDS}s" | tee -a "$out/summary.txt"
    exit "$status"
    ;;
  ''|-h|--help)
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    echo "run.sh: unknown command '$cmd': use 'pack' or 'run OUT [CARRY]' (try --help)" >&2
    exit 2
    ;;
esac
