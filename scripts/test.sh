#!/usr/bin/env bash
# Installs what is missing, builds zload with AddressSanitizer and UBSan, and runs every test.
# Usage: scripts/test.sh [ctest arguments...]   e.g. scripts/test.sh -L fast
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

build=${ZLOAD_TEST_BUILD_DIR:-build/test-asan}
# Line tables only (-g1): the sanitizers' reports still name files and lines, and the build takes
# less time than with full debug information (-g). -O1, the level AddressSanitizer's own
# documentation suggests, builds in less time than -O2 for the same checks.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZLOAD_SANITIZE=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DZLOAD_BUILD_TESTS=ON -DZLOAD_BUILD_BENCHMARKS=ON
cmake --build "$build" --parallel "$(nproc)"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)" "$@"
