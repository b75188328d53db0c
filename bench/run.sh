#!/usr/bin/env bash
# Builds the benchmarks (Release, CUDA off) and prints one markdown table of the figures
# issues 3 and 5 ask for, each a ratio of two things measured in the same run:
#   - tracker write cost with 1 .. 10,000 live views of one flat buffer
#   - an unchanged read; bytes per handle
#   - checked / unchecked runtime on the same tensor ops (64 .. 1M elements) and on an MLP
#     training step (25M parameters)
#   - aliasguard / LibTorch (Debian's libtorch-dev, 1 thread each) on the same ops, on a
#     ResNet-50-shaped state-dict cycle, and on that cycle with one float per entry (the
#     cost per entry apart from the bytes)
#   - aliasguard / the same loop on raw buffers (the memory's limit) for the 1M-float ops
#   - then, with LibTorch, bench/libtorch_layer.sh's table: the LibTorch layer checked /
#     unchecked, and ASan's and TSan's cost, on LibTorch training steps
# Repeats each benchmark (default 5, in random order within each program run, so that a
# burst of load on a shared machine hits every row alike), runs the ops programs in rounds
# (default 3, the variants alternating), reports medians, and draws bench/*.png (matplotlib).
#   bench/run.sh [--repetitions N] [--rounds N] [--build DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

reps=5
rounds=3
build=build/bench
while [ $# -gt 0 ]; do
  case "$1" in
    --repetitions|--rounds|--build)
      [ $# -ge 2 ] || { echo "run.sh: $1 needs a value (try --help)" >&2; exit 2; }
      case "$1" in
        --repetitions) reps="$2" ;;
        --rounds) rounds="$2" ;;
        *) build="$2" ;;
      esac
      shift 2 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

for option in "--repetitions $reps" "--rounds $rounds"; do
  case "${option#* }" in
    ''|*[!0-9]*|0) echo "run.sh: ${option% *} takes a whole number of at least 1, not '${option#* }'" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh >/dev/null
echo "== building benchmarks in $build (Release)" >&2
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAG_ENABLE_CUDA=OFF -DBUILD_TESTING=OFF \
  -DAG_BUILD_EXAMPLES=OFF -DAG_BUILD_ANALYZER=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target aliasguard_tracker_bench aliasguard_ops_bench aliasguard_ops_bench_checked \
  aliasguard_limit_bench >&2
if cmake --build "$build" --target help | grep aliasguard_libtorch_bench >/dev/null; then
  cmake --build "$build" -j "$(nproc)" --target aliasguard_libtorch_bench >&2
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
common=(--benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true
        --benchmark_report_aggregates_only=true --benchmark_format=json)
echo "== tracker benchmarks ($reps repetitions)" >&2
"$build/bench/aliasguard_tracker_bench" "${common[@]}" > "$out/tracker.json"
# Alternate the builds (the bare loops and LibTorch, the peers) so drift on the machine hits all alike.
variants=(plain checked limit)
[ -x "$build/bench/aliasguard_libtorch_bench" ] && variants+=(libtorch)
for round in $(seq "$rounds"); do
  for variant in "${variants[@]}"; do
    echo "== ops benchmarks: $variant, round $round" >&2
    case "$variant" in
      plain) exe="$build/bench/aliasguard_ops_bench" ;;
      checked) exe="$build/bench/aliasguard_ops_bench_checked" ;;
      limit) exe="$build/bench/aliasguard_limit_bench" ;;
      libtorch) exe="$build/bench/aliasguard_libtorch_bench" ;;
    esac
    "$exe" "${common[@]}" > "$out/ops-${variant}-$round.json"
  done
done
python3 bench/table.py "$out"
# The LibTorch layer (plugins/libtorch) on LibTorch programs, and ASan's and TSan's cost on the
# same steps: a table of its own, when this build has the layer (LibTorch found).
if cmake --build "$build" --target help | grep aliasguard_libtorch_layer_bench >/dev/null; then
  echo >&2
  echo "== LibTorch layer (bench/libtorch_layer.sh)" >&2
  echo
  bench/libtorch_layer.sh --build "$build" --repetitions "$reps" --rounds "$rounds"
fi
echo "== plots: bench/write-cost-vs-views.png, bench/overhead-vs-size.png" >&2
# The first interpreter that imports matplotlib: $PYTHON, python3 on PATH, then Debian's
# (scripts/install-deps.sh installs python3-matplotlib for it; a pyenv or venv python3 earlier
# on PATH would not see it).
plot_python=
for candidate in ${PYTHON:+"$PYTHON"} python3 /usr/bin/python3; do
  if "$candidate" -c 'import matplotlib' >/dev/null 2>&1; then plot_python=$candidate; break; fi
done
if [ -z "$plot_python" ]; then
  echo "run.sh: no python3 here imports matplotlib (apt-get install python3-matplotlib); plots not drawn" >&2
  exit 1
fi
"$plot_python" bench/plot.py "$out" bench
