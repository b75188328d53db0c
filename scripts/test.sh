#!/usr/bin/env bash
# Runs every test: installs what is missing, then for each preset configures, builds and runs
# ctest. By default:
#   default  everything (unit, tracker, checked runtime, conformance vs real PyTorch, examples,
#            analyzer, install), then aliasguard-check over our own sources, gated by the
#            committed baseline .aliasguard-baseline.json (docs/ci.md): new findings fail
#   asan     everything again under AddressSanitizer + UBSan, but the unchecked runtime's
#            tests (the checked runtime's run the same sources through the same kernels) and
#            the numeric comparisons with PyTorch (conformance: the default preset's)
#   tsan     the multi-threaded tracker tests (label tsan) under ThreadSanitizer
#   scripts/test.sh [--preset NAME]... [-- ctest arguments]
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
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[ "${#presets[@]}" -eq 0 ] && presets=(default asan tsan)

scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
status=0
for preset in "${presets[@]}"; do
  targets=()
  labels=()
  if [ "$preset" = asan ]; then
    # A sanitizer finds memory errors, not wrong numbers: every test once, not twice.
    labels=(-LE '^(runtime|conformance)$')
  fi
  if [ "$preset" = tsan ]; then
    # ThreadSanitizer is for the code that runs threads: the tracker's stress tests.
    targets=(--target aliasguard_tracker_stress aliasguard_tracker_tests)
    labels=(-L tsan)
  fi
  echo "== preset $preset: configure and build ($jobs jobs)"
  cmake --preset "$preset"
  cmake --build --preset "$preset" -j "$jobs" "${targets[@]}"
  echo "== preset $preset: ctest"
  if ! ctest --preset "$preset" -j "$jobs" "${labels[@]}" "${ctest_args[@]}"; then
    status=1
  fi
  if [ "$preset" = default ] && [ "${#ctest_args[@]}" -eq 0 ] && [ -x build/default/analyzer/aliasguard-check ]; then
    # Dogfooding, as docs/ci.md tells users to gate their pull requests.
    echo "== preset default: aliasguard-check over examples, runtime, tests and bench (baseline .aliasguard-baseline.json)"
    if ! build/default/analyzer/aliasguard-check -p build/default -j "$jobs" \
         --filter '/(examples|runtime|tests|bench)/[^ ]*\.cpp$' --baseline .aliasguard-baseline.json; then
      echo "== aliasguard-check: new findings or errors above (accept on purpose: docs/ci.md, 'Baselines')"
      status=1
    fi
  fi
done
exit $status
