#!/usr/bin/env bash
# Runs every test: installs what is missing, builds the default preset and runs ctest, then
# builds and runs the suite again under AddressSanitizer + UBSan (the asan preset).
#   scripts/test.sh [--preset NAME]... [ctest arguments after --]
#   e.g. scripts/test.sh --preset default -- -R conformance
set -euo pipefail
cd "$(dirname "$0")/.."

presets=()
ctest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) presets+=("$2"); shift 2 ;;
    --preset=*) presets+=("${1#*=}"); shift ;;
    --) shift; ctest_args=("$@"); break ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[ "${#presets[@]}" -eq 0 ] && presets=(default asan)

scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
status=0
for preset in "${presets[@]}"; do
  echo "== preset $preset: configure and build ($jobs jobs)"
  cmake --preset "$preset"
  cmake --build --preset "$preset" -j "$jobs"
  echo "== preset $preset: ctest"
  if ! ctest --preset "$preset" -j "$jobs" "${ctest_args[@]}"; then
    status=1
  fi
done
exit $status
