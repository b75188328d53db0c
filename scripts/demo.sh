#!/usr/bin/env bash
# The main job: install what is missing, build, and show the seed question answered.
#   scripts/demo.sh [--preset NAME]     (default preset: default = RelWithDebInfo)
set -euo pipefail
cd "$(dirname "$0")/.."

preset=default
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset="$2"; shift 2 ;;
    --preset=*) preset="${1#*=}"; shift ;;
    -h|--help) sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
echo "== configure and build (preset $preset, $jobs jobs)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs" --target seed_state_dict seed_state_dict_checked
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
