#!/usr/bin/env bash
# Installs what aliasguard needs from Debian 12's packages, and only what is missing.
#   scripts/install-deps.sh            everything (build, tests, analyzer toolchain)
#   scripts/install-deps.sh --check    only report what is missing; exit 1 if anything is
# As root it runs apt-get; otherwise it prints the one command to run.
set -euo pipefail

packages=(
  cmake ninja-build g++ git pkg-config      # build (pkg-config: the installed-package test)
  googletest libgtest-dev libbenchmark-dev time  # tests and benchmarks (time: peak memory)
  python3-matplotlib                        # bench/run.sh's plots
  python3-jsonschema                        # SARIF output checked against its schema
  python3 python3-torch                     # conformance tests against real PyTorch
  python3-pytest                            # the Python package's tests and pytest plugin
  libdw-dev                                 # symbolized report stacks: headers (libdw.so.1 is dlopen'd)
  libgloo-dev                               # gloo headers c10d needs: the distributed-averaging test
  clang-19 clang-tidy-19 libclang-19-dev llvm-19-dev llvm-19-tools libtorch-dev  # analyzer
)

check_only=0
case "${1:-}" in
  --check) check_only=1 ;;
  "") ;;
  -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "install-deps.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" >/dev/null; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps: missing: ${missing[*]}"
[ "$check_only" -eq 1 ] && exit 1

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: not root; run:"
  echo "  sudo apt-get update && sudo $cmd"
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: $cmd"
# A fresh machine has empty or stale package lists: refresh them only when needed.
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  echo "install-deps: apt-get update, then retrying"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "install-deps: installed ${#missing[@]} package(s)"
