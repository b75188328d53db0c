#!/usr/bin/env bash
# The main job: install what is missing, build, and show the seed question answered: by the
# checked runtime while the example runs, by aliasguard-check before it runs, by the LibTorch
# layer in real LibTorch programs, and by `python3 -m aliasguard` in the seed's own PyTorch
# program (the last two where LibTorch and PyTorch were found).
#   scripts/demo.sh [--preset NAME]     (default preset: default = RelWithDebInfo)
set -euo pipefail
cd "$(dirname "$0")/.."

preset=default
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset="$2"; shift 2 ;;
    --preset=*) preset="${1#*=}"; shift ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
echo "== configure and build (preset $preset, $jobs jobs)"
cmake --preset "$preset" >/dev/null
# The analyzer is configured only where Clang 19 was found (AG_BUILD_ANALYZER=AUTO), the
# LibTorch examples only where LibTorch was (AG_BUILD_TORCH=AUTO).
targets=(seed_state_dict seed_state_dict_checked)
all_targets=$(ninja -C "build/$preset" -t targets all 2>/dev/null || true)
has_target() { grep "^$1:" >/dev/null <<<"$all_targets"; }  # not -q: see SIGPIPE under pipefail
if has_target aliasguard-check; then
  targets+=(aliasguard-check)
fi
torch_examples=(seed_state_dict best_model)
has_torch=0
if has_target torch_best_model_checked; then
  has_torch=1
  for example in "${torch_examples[@]}"; do targets+=("torch_$example" "torch_${example}_checked"); done
fi
has_python=0
if has_target aliasguard_pytorch; then
  has_python=1
  targets+=(aliasguard_pytorch)
fi
cmake --build --preset "$preset" -j "$jobs" --target "${targets[@]}"
exe="build/$preset/examples/seed_state_dict_checked"

for mode in shallow deep; do
  echo
  echo "================================================================================"
  echo "== examples/seed_state_dict --$mode, linked with aliasguard::runtime_checked"
  if [ "$mode" = shallow ]; then
    echo "== (a = m.state_dict() kept as is: it shares storage with the model)"
  else
    echo "== (a = aliasguard::deep_copy(a): the snapshot has its own storage)"
  fi
  echo "================================================================================"
  # Reports go to stderr, interleaved with the program's output as they happen.
  status=0
  stdbuf -oL "$exe" "--$mode" 2>&1 || status=$?
  echo "-- exit status $status (the checked runtime exits 23 when it reported violations)"
done

analyzer="build/$preset/analyzer/aliasguard-check"
echo
echo "================================================================================"
echo "== aliasguard-check on examples/: the same question before the code runs"
echo "================================================================================"
unexpected=0
if [ ! -x "$analyzer" ]; then
  echo "-- $analyzer not built (it needs Clang 19: scripts/install-deps.sh, then rerun)"
fi
for example in seed_state_dict seed_state_dict_deep; do
  [ -x "$analyzer" ] || break
  file="examples/$example.cpp"
  echo
  echo "\$ $analyzer $file -- -std=c++20 -I runtime/include"
  status=0
  errors=$(mktemp)
  # Exit 1 means findings, which is what the first example is for; 2 is a real failure.
  findings=$("$analyzer" "$file" -- -std=c++20 -I runtime/include 2>"$errors") || status=$?
  if [ "$status" -ge 2 ]; then
    cat "$errors" >&2
    rm -f "$errors"
    echo "demo.sh: aliasguard-check failed on $file (exit $status)" >&2
    exit 2
  fi
  rm -f "$errors"
  findings=${findings//"$PWD/"/}   # the tool prints absolute paths
  [ -n "$findings" ] && printf '%s\n' "$findings"
  count=$(printf '%s\n' "$findings" | grep -c ': warning: .*\[aliasguard-' || true)
  case "$example:$count" in
    seed_state_dict:1) echo "$example.cpp: 1 finding (expected: the shallow path writes through the dict)" ;;
    seed_state_dict_deep:0) echo "$example.cpp: no findings (expected: the deep copy is always made)" ;;
    *) echo "$example.cpp: $count finding(s) -- UNEXPECTED"; unexpected=1 ;;
  esac
done

echo
echo "================================================================================"
echo "== LibTorch: examples/libtorch/, real LibTorch programs, each linked twice:"
echo "== with AliasGuard::torch (no checking) and AliasGuard::torch_checked (every ATen"
echo "== operator call checked through LibTorch's dispatcher; docs/libtorch.md)"
echo "================================================================================"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Whether the checked run printed what the plain one did ($out/plain, $out/checked).
compare_stdout() {
  if cmp -s "$out/plain" "$out/checked"; then
    echo "-- stdout of $1: identical ($(wc -l <"$out/checked") lines)"
  else
    echo "-- stdout of $1 DIFFERS -- UNEXPECTED:"
    diff "$out/plain" "$out/checked" || true
    unexpected=1
  fi
}
if [ "$has_torch" -eq 0 ]; then
  echo "-- skipped: LibTorch was not found when build/$preset was configured"
  echo "-- (apt-get install libtorch-dev, or scripts/install-deps.sh, then rerun)"
  torch_examples=()
fi
dir="build/$preset/examples/libtorch"
for example in "${torch_examples[@]}"; do
  for mode in shallow deep; do
    echo
    echo "\$ $dir/torch_${example}_checked --$mode"
    # stdout and stderr apart, so the checked run's stdout can be compared with the plain one's.
    plain=0 checked=0
    "$dir/torch_$example" "--$mode" >"$out/plain" 2>"$out/plain.err" || plain=$?
    "$dir/torch_${example}_checked" "--$mode" >"$out/checked" 2>"$out/checked.err" || checked=$?
    cat "$out/checked"
    sed "s|$PWD/||g" "$out/checked.err"   # reports name absolute paths (__FILE__ of the build)
    echo "-- exit status $checked (checked), $plain (unchecked)"
    compare_stdout "the checked and the unchecked build"
    reports=$(grep -c '^==[0-9]*==WARNING: AliasGuard:' "$out/checked.err" || true)
    case "$mode:$checked:$plain:$reports" in
      shallow:23:0:[1-9]*) echo "-- expected: the snapshot shares storage with the model; $reports report(s), exit 23" ;;
      deep:0:0:0) echo "-- expected: the deep copy has storage of its own; no report" ;;
      *) echo "-- $example --$mode: $reports report(s), exit $checked / $plain -- UNEXPECTED"; unexpected=1 ;;
    esac
    if [ -s "$out/plain.err" ]; then
      echo "-- the unchecked build wrote to stderr -- UNEXPECTED:"
      cat "$out/plain.err"
      unexpected=1
    fi
  done
done

echo
echo "================================================================================"
echo "== PyTorch: examples/python/seed_state_dict.py, the seed question's own program,"
echo "== run by python3 and by python3 -m aliasguard (docs/python.md)"
echo "================================================================================"
if [ "$has_python" -eq 0 ]; then
  echo "-- skipped: the Python package was not built in build/$preset (it needs LibTorch, and"
  echo "-- a build without sanitizers: apt-get install libtorch-dev python3-torch, then rerun)"
  exit "$unexpected"
fi
# The Python whose PyTorch the tests use (cmake/AliasGuardPython.cmake), which need not be
# the python3 first on PATH.
python=$(sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' "build/$preset/CMakeCache.txt")
python=${python:-python3}
example=examples/python/seed_state_dict.py
for mode in shallow deep; do
  echo
  echo "\$ PYTHONPATH=build/$preset/python $python -m aliasguard $example $mode"
  plain=0 checked=0
  "$python" "$example" "$mode" >"$out/plain" 2>"$out/plain.err" || plain=$?
  PYTHONPATH="build/$preset/python" "$python" -m aliasguard "$example" "$mode" >"$out/checked" \
    2>"$out/checked.err" || checked=$?
  cat "$out/checked" "$out/checked.err"
  echo "-- exit status $checked (python3 -m aliasguard), $plain (python3)"
  reports=$(grep -c '^==[0-9]*==WARNING: AliasGuard:' "$out/checked.err" || true)
  compare_stdout "python3 and of python3 -m aliasguard"
  case "$mode:$checked:$plain:$reports" in
    shallow:23:0:[1-9]*) echo "-- expected: a = m.state_dict() shares storage with m; $reports report(s), exit 23" ;;
    deep:0:0:0)
      if cmp -s "$out/plain.err" "$out/checked.err"; then
        echo "-- expected: after a = copy.deepcopy(a), exactly what python3 prints; exit 0"
      else
        echo "-- stderr differs from python3's -- UNEXPECTED"; unexpected=1
      fi ;;
    *) echo "-- $example $mode: $reports report(s), exit $checked / $plain -- UNEXPECTED"; unexpected=1 ;;
  esac
done
exit "$unexpected"
