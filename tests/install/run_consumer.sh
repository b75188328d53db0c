#!/usr/bin/env bash
# The install tests (tests/install/CMakeLists.txt, label `install`): install this build tree
# into a prefix, then build tests/install/consumer against that prefix only, as an outside
# project would, and run it.
#
#   run_consumer.sh install    cmake --install the build tree into $AG_PREFIX; check the layout
#   run_consumer.sh cmake      find_package(AliasGuard): Debug links the checked runtime (report
#                              on stderr, exit 23), Release the unchecked one (exit 0, silent)
#   run_consumer.sh pkgconfig  the same program compiled with pkg-config's aliasguard-checked
#                              (report, 23) and aliasguard (exit 0); 77 (skip) without pkg-config
#
# Settings come from the environment (set by CTest): AG_BUILD_DIR AG_SOURCE_DIR AG_CONFIG
# AG_PREFIX AG_LIBDIR AG_WORK_DIR AG_GENERATOR AG_CXX AG_PKG_CONFIG AG_HAS_ANALYZER AG_HAS_TORCH
# AG_VERSION.
set -euo pipefail

step=${1:?usage: run_consumer.sh install|cmake|pkgconfig}
here=$(cd "$(dirname "$0")" && pwd)
consumer="$here/consumer"
# What the user's environment could change: where `cmake --install` writes, and the checked
# runtime's options (the expectations below are for the defaults: report to stderr, exit 23).
unset DESTDIR ALIASGUARD_OPTIONS

fail() { echo "FAIL: $*" >&2; exit 1; }
run() { echo "+ $*"; "$@"; }

# check_run NAME EXE EXPECTED_STATUS EXPECT_REPORT(yes|no) EXPECTED_CHECKED(1|0)
check_run() {
  local name=$1 exe=$2 want_rc=$3 want_report=$4 want_checked=$5
  local out="$AG_WORK_DIR/$name.stdout" err="$AG_WORK_DIR/$name.stderr" rc=0
  echo "+ $exe  (stdout: $out, stderr: $err)"
  "$exe" >"$out" 2>"$err" || rc=$?
  sed 's/^/  stdout| /' "$out"
  sed 's/^/  stderr| /' "$err" | head -n 40
  [ "$rc" -eq "$want_rc" ] || fail "$name: exit status $rc, expected $want_rc"
  grep -q "^checked=$want_checked " "$out" || fail "$name: stdout does not say checked=$want_checked"
  if [ "$want_report" = yes ]; then
    grep -q "WARNING: AliasGuard: stale-snapshot-read" "$err" || fail "$name: no stale-snapshot-read report on stderr"
    grep -q "best_model.cpp" "$err" || fail "$name: the report does not name best_model.cpp"
    grep -q "^AliasGuard: reported [1-9][0-9]* violation" "$err" || fail "$name: no 'AliasGuard: reported N violations' summary"
  else
    if grep -q "AliasGuard" "$err"; then fail "$name: unexpected AliasGuard output on stderr"; fi
  fi
  echo "ok: $name (exit $rc$([ "$want_report" = yes ] && echo ', report on stderr'))"
}

case "$step" in
install)
  rm -rf "$AG_PREFIX"
  run cmake --install "$AG_BUILD_DIR" --prefix "$AG_PREFIX" --config "$AG_CONFIG"
  expected=(
    include/aliasguard/aliasguard.h include/aliasguard/check.h include/aliasguard/tracker/tracker.h
    include/aliasguard/tracker/tracker_c.h
    "$AG_LIBDIR/libaliasguard_runtime.a" "$AG_LIBDIR/libaliasguard_runtime_checked.a"
    "$AG_LIBDIR/libaliasguard_tracker.a" "$AG_LIBDIR/libaliasguard_extent.a"
    "$AG_LIBDIR/cmake/AliasGuard/AliasGuardConfig.cmake"
    "$AG_LIBDIR/cmake/AliasGuard/AliasGuardConfigVersion.cmake"
    "$AG_LIBDIR/cmake/AliasGuard/AliasGuardTargets.cmake"
    "$AG_LIBDIR/cmake/AliasGuard/AliasGuardRuntime.cmake"
    "$AG_LIBDIR/pkgconfig/aliasguard.pc" "$AG_LIBDIR/pkgconfig/aliasguard-checked.pc"
    bin/aliasguard-report)
  if [ "$AG_HAS_ANALYZER" = ON ]; then
    expected+=(bin/aliasguard-check "$AG_LIBDIR/aliasguard/AliasGuardTidyPlugin.so"
               "$AG_LIBDIR/aliasguard/AliasGuardClangPlugin.so")
  fi
  if [ "${AG_HAS_TORCH:-OFF}" = ON ]; then
    expected+=(include/aliasguard/torch.h include/aliasguard/torch_call_site.h "$AG_LIBDIR/libaliasguard_torch.so" "$AG_LIBDIR/libaliasguard_torch_checked.so"
               "$AG_LIBDIR/cmake/AliasGuard/AliasGuardTorchTargets.cmake"
               "$AG_LIBDIR/pkgconfig/aliasguard-torch.pc" "$AG_LIBDIR/pkgconfig/aliasguard-torch-checked.pc")
  fi
  for f in "${expected[@]}"; do
    [ -f "$AG_PREFIX/$f" ] || fail "not installed: $f"
  done
  echo "ok: ${#expected[@]} expected files installed"
  # aliasguard-report (runtime reports to SARIF; what it does is tests/report's business) runs
  # from the prefix and says the project's version.
  [ -x "$AG_PREFIX/bin/aliasguard-report" ] || fail "bin/aliasguard-report is not executable"
  report_version=$("$AG_PREFIX/bin/aliasguard-report" --version) || fail "installed aliasguard-report --version failed"
  [ "$report_version" = "aliasguard-report $AG_VERSION" ] || fail "installed aliasguard-report says '$report_version', expected version $AG_VERSION"
  echo "ok: $report_version runs from the prefix"
  # Private headers stay private.
  if find "$AG_PREFIX/include" -type f ! -name '*.h' | grep . >/dev/null; then fail "non-header files under include/"; fi
  [ -z "$(find "$AG_PREFIX/include" -name 'tracker_internal.h' -o -name 'tensor_impl.h')" ] || fail "private headers installed"
  # Self-contained: nothing installed points back into the source or build tree (the prefix
  # is inside the build tree, so relative paths are the only acceptable ones).
  if grep -rl -e "$AG_SOURCE_DIR" -e "$AG_BUILD_DIR" "$AG_PREFIX/$AG_LIBDIR/cmake" "$AG_PREFIX/$AG_LIBDIR/pkgconfig"; then
    fail "the package files above name the source or build directory"
  fi
  echo "ok: the CMake package and .pc files are relocatable"
  # The LibTorch layer's .pc files resolve from the prefix (compiling against them takes a
  # LibTorch build per program; the examples' tests cover the libraries themselves).
  if [ "${AG_HAS_TORCH:-OFF}" = ON ] && [ -n "${AG_PKG_CONFIG:-}" ] && command -v "$AG_PKG_CONFIG" >/dev/null; then
    for pc in aliasguard-torch aliasguard-torch-checked; do
      flags=$(PKG_CONFIG_PATH="$AG_PREFIX/$AG_LIBDIR/pkgconfig" "$AG_PKG_CONFIG" --cflags --libs $pc) \
        || fail "pkg-config does not resolve $pc"
      echo "$pc: $flags"
      lib=-l${pc//-/_}   # aliasguard-torch-checked -> -laliasguard_torch_checked
      case " $flags " in
        *" $lib "*) ;;
        *) fail "$pc: Libs do not name $lib" ;;
      esac
    done
    echo "ok: the LibTorch layer's .pc files resolve from the prefix"
  fi
  # The installed tool and plugins lose the build tree's RUNPATH: their shared libraries
  # (libclang-cpp, libLLVM) must still resolve. (What they do is tests/analyzer's business.)
  if [ "$AG_HAS_ANALYZER" = ON ] && command -v ldd >/dev/null; then
    for f in bin/aliasguard-check "$AG_LIBDIR/aliasguard/AliasGuardTidyPlugin.so" "$AG_LIBDIR/aliasguard/AliasGuardClangPlugin.so"; do
      echo "+ ldd $AG_PREFIX/$f"
      if ldd "$AG_PREFIX/$f" | grep "not found"; then fail "$f: shared libraries not found"; fi
    done
    echo "ok: the installed analyzer's shared libraries resolve"
    # The installed tool, on the consumer's source against the installed headers: it finds
    # Clang's resource directory from wherever it is installed, and flags the snapshot.
    echo "+ $AG_PREFIX/bin/aliasguard-check $consumer/best_model.cpp -- -std=c++20 -I$AG_PREFIX/include"
    status=0
    out=$("$AG_PREFIX/bin/aliasguard-check" "$consumer/best_model.cpp" -- -std=c++20 \
          "-I$AG_PREFIX/include" 2>&1) || status=$?
    echo "$out"
    [ "$status" -eq 1 ] || fail "installed aliasguard-check exited $status, expected 1 (one finding)"
    echo "$out" | grep "warning: 'best' is passed to 'load_state_dict' as a snapshot.*\[aliasguard-stale-snapshot\]" >/dev/null \
      || fail "installed aliasguard-check did not flag the stale snapshot"
    echo "ok: the installed aliasguard-check flags the consumer's snapshot"
  fi
  ;;

cmake)
  mkdir -p "$AG_WORK_DIR"
  for config in Debug Release; do
    build="$AG_WORK_DIR/build-$config"
    rm -rf "$build"
    # CMAKE_PREFIX_PATH is the only way to aliasguard: no package registry, no build tree.
    run cmake -S "$consumer" -B "$build" -G "$AG_GENERATOR" -DCMAKE_BUILD_TYPE=$config \
        -DCMAKE_CXX_COMPILER="$AG_CXX" -DCMAKE_PREFIX_PATH="$AG_PREFIX" \
        -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DAG_EXPECT_ANALYZER="$AG_HAS_ANALYZER" \
        | tee "$AG_WORK_DIR/configure-$config.log"
    grep -q "AliasGuard $AG_VERSION from $AG_PREFIX/" "$AG_WORK_DIR/configure-$config.log" \
      || fail "$config: find_package(AliasGuard) did not find version $AG_VERSION under $AG_PREFIX"
    run cmake --build "$build" --config $config
    exe="$build/best_model"
    [ -x "$exe" ] || exe="$build/$config/best_model"  # multi-config generators
    if [ $config = Debug ]; then
      check_run cmake-debug "$exe" 23 yes 1
    else
      check_run cmake-release "$exe" 0 no 0
    fi
  done
  ;;

pkgconfig)
  if [ -z "${AG_PKG_CONFIG:-}" ] || ! command -v "$AG_PKG_CONFIG" >/dev/null; then
    echo "SKIP: pkg-config not found (apt-get install pkgconf)"
    exit 77
  fi
  mkdir -p "$AG_WORK_DIR"
  export PKG_CONFIG_PATH="$AG_PREFIX/$AG_LIBDIR/pkgconfig"
  echo "+ export PKG_CONFIG_PATH=$PKG_CONFIG_PATH"
  for pc in aliasguard-checked aliasguard; do
    version=$("$AG_PKG_CONFIG" --modversion $pc) || fail "pkg-config does not find $pc"
    [ "$version" = "$AG_VERSION" ] || fail "$pc: version $version, expected $AG_VERSION"
    flags=$("$AG_PKG_CONFIG" --cflags --libs $pc)
    echo "$pc $version: $flags"
    # Static archives: the libraries come after the source that uses them.
    # shellcheck disable=SC2086
    run "$AG_CXX" -g "$consumer/best_model.cpp" $flags -o "$AG_WORK_DIR/best_model-$pc"
    if [ $pc = aliasguard-checked ]; then
      check_run pkgconfig-checked "$AG_WORK_DIR/best_model-$pc" 23 yes 1
    else
      check_run pkgconfig-unchecked "$AG_WORK_DIR/best_model-$pc" 0 no 0
    fi
  done
  ;;

*)
  fail "unknown step '$step' (install, cmake or pkgconfig)"
  ;;
esac
