#!/usr/bin/env bash
# The main job: install what is missing, build, and show the seed question answered: by the
# checked runtime while the example runs, then by aliasguard-check before it runs.
#   scripts/demo.sh [--preset NAME]     (default preset: default = RelWithDebInfo)
set -euo pipefail
cd "$(dirname "$0")/.."

preset=default
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset="$2"; shift 2 ;;
    --preset=*) preset="${1#*=}"; shift ;;
    -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
echo "== configure and build (preset $preset, $jobs jobs)"
cmake --preset "$preset" >/dev/null
# The analyzer is configured only where Clang 19 was found (AG_BUILD_ANALYZER=AUTO).
targets=(seed_state_dict seed_state_dict_checked)
if ninja -C "build/$preset" -t targets all 2>/dev/null | grep '^aliasguard-check:' >/dev/null; then  # not -q: an early exit would SIGPIPE ninja under pipefail
  targets+=(aliasguard-check)
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
if [ ! -x "$analyzer" ]; then
  echo "-- $analyzer not built (it needs Clang 19: scripts/install-deps.sh, then rerun)"
  exit 0
fi
unexpected=0
for example in seed_state_dict seed_state_dict_deep; do
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
exit "$unexpected"
