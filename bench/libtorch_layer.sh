#!/usr/bin/env bash
# The LibTorch layer's cost on real LibTorch programs, and the sanitizers' on the same steps;
# prints a markdown table (bench/libtorch_layer_table.py). Needs LibTorch (libtorch-dev).
#   - checked / unchecked: aliasguard_libtorch_layer_bench, one process linked with
#     aliasguard::torch_checked, each iteration a block with the layer's dispatch key off and
#     one with it on (a 25M-parameter MLP step, a 6.8K-parameter Adam step, a 64-float add_
#     on a plain, a watched and a snapshotted tensor, a view, a call that touches no values)
#   - ASan / plain and TSan / plain: aliasguard_libtorch_step_bench{,_asan,_tsan}, the same two
#     steps on LibTorch alone, only the benchmark program instrumented
# Each benchmark is repeated (default 5, in random order within a run) and the programs run in
# rounds (default 3), alternating; figures are medians over the rounds of the runs' medians.
#   bench/libtorch_layer.sh [--repetitions N] [--rounds N] [--build DIR] [--jobs N] [--keep DIR]
# --build: a build folder; configured Release (as bench/run.sh does) if it has no CMakeCache.txt,
# used as configured otherwise. --keep: copy the JSON and the sanitizers' logs there.
set -euo pipefail
cd "$(dirname "$0")/.."

reps=5
rounds=3
build=build/bench
jobs=$(nproc)
keep=
while [ $# -gt 0 ]; do
  case "$1" in
    --repetitions|--rounds|--build|--jobs|--keep)
      [ $# -ge 2 ] || { echo "libtorch_layer.sh: $1 needs a value (try --help)" >&2; exit 2; }
      case "$1" in
        --repetitions) reps="$2" ;;
        --rounds) rounds="$2" ;;
        --jobs) jobs="$2" ;;
        --keep) keep="$2" ;;
        *) build="$2" ;;
      esac
      shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "libtorch_layer.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
for option in "--repetitions $reps" "--rounds $rounds" "--jobs $jobs"; do
  case "${option#* }" in
    ''|*[!0-9]*|0) echo "libtorch_layer.sh: ${option% *} takes a whole number of at least 1, not '${option#* }'" >&2; exit 2 ;;
  esac
done

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAG_ENABLE_CUDA=OFF -DBUILD_TESTING=OFF \
    -DAG_BUILD_EXAMPLES=OFF -DAG_BUILD_ANALYZER=OFF >/dev/null
fi
targets=$(cmake --build "$build" --target help)
if ! grep -q aliasguard_libtorch_layer_bench <<<"$targets"; then
  echo "libtorch_layer.sh: $build has no LibTorch layer (LibTorch not found: apt-get install libtorch-dev)" >&2
  exit 1
fi
# The sanitized step programs exist only where the folder's own flags name no sanitizer
# (bench/CMakeLists.txt); without them their rows say why.
sanitized=()
for variant in asan tsan; do
  grep -q "aliasguard_libtorch_step_bench_$variant" <<<"$targets" && sanitized+=("aliasguard_libtorch_step_bench_$variant")
done
echo "== building the LibTorch layer benchmarks in $build ($(grep -m1 '^CMAKE_BUILD_TYPE:' "$build/CMakeCache.txt" | cut -d= -f2))" >&2
cmake --build "$build" -j "$jobs" --target aliasguard_libtorch_layer_bench aliasguard_libtorch_step_bench \
  "${sanitized[@]}" >&2

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
common=(--benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true
        --benchmark_report_aggregates_only=true --benchmark_format=json)
# LibTorch's own allocations are reachable at exit, not leaked; a leak report would only make
# the exit status non-zero. Other ASan errors stop the run, as they should.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
# LibTorch is not instrumented, so TSan sees none of its synchronisation; its reports on
# LibTorch's threads would be false positives. Report them (in the log, counted in the table)
# and exit 0 after them (exitcode=0): the figure is the cost, and the table counts the reports.
# At one intra-op thread the steps run on one thread.
export TSAN_OPTIONS=${TSAN_OPTIONS:-report_signal_unsafe=0:halt_on_error=0:exitcode=0}
for round in $(seq "$rounds"); do
  for variant in layer plain asan tsan; do
    echo "== LibTorch layer benchmarks: $variant, round $round" >&2
    case "$variant" in
      layer) exe="$build/bench/aliasguard_libtorch_layer_bench" ;;
      plain) exe="$build/bench/aliasguard_libtorch_step_bench" ;;
      *) exe="$build/bench/aliasguard_libtorch_step_bench_$variant" ;;
    esac
    # A sanitizer that cannot run here (TSan needs a memory layout some kernels refuse) leaves
    # its rows "not measured" with the reason from its log; the layer's own run must succeed.
    if [ ! -x "$exe" ]; then
      echo "not built: $build's CMAKE_CXX_FLAGS already name a sanitizer" > "$out/lt-$variant-$round.log"
      continue
    fi
    status=0
    "$exe" "${common[@]}" > "$out/lt-$variant-$round.json" 2> "$out/lt-$variant-$round.log" || status=$?
    if [ "$status" -ne 0 ]; then
      if [ "$variant" = layer ] || [ "$variant" = plain ]; then
        cat "$out/lt-$variant-$round.log" >&2
        exit 1
      fi
      echo "libtorch_layer.sh: the $variant run failed (exit status $status); its log begins:" >&2
      head -c 600 "$out/lt-$variant-$round.log" >&2
      rm -f "$out/lt-$variant-$round.json"
    fi
  done
done
if [ -n "$keep" ]; then
  mkdir -p "$keep"
  cp "$out"/lt-* "$keep"/
fi
python3 bench/libtorch_layer_table.py "$out"
