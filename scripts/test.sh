#!/usr/bin/env bash
# Builds tinyskip with warnings as errors and runs every test suite (ctest).
# Usage: scripts/test.sh [--sanitize address,undefined|thread] [BUILD_DIR] [-- CTEST_ARGS...]
#   default BUILD_DIR: build (build-asan / build-tsan with --sanitize)
#   --sanitize address,undefined   the whole suite under ASan+UBSan (any report
#                                  fails its test)
#   --sanitize thread              the multi-threaded parts under TSan: the
#                                  simulator, the evaluator and batch
#                                  evaluation, the flash and latency tables
set -euo pipefail
cd "$(dirname "$0")/.."
SANITIZE=""
BUILD=""
CTEST_ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sanitize) SANITIZE="$2"; shift 2 ;;
    --) shift; CTEST_ARGS+=("$@"); break ;;
    -*) echo "test.sh: unknown option $1" >&2; exit 2 ;;
    *) BUILD="$1"; shift ;;
  esac
done
case "$SANITIZE" in
  "") BUILD="${BUILD:-build}" ;;
  address,undefined) BUILD="${BUILD:-build-asan}" ;;  # clang: the same build holds the fuzz targets
  thread)
    BUILD="${BUILD:-build-tsan}"
    [[ ${#CTEST_ARGS[@]} -eq 0 ]] && CTEST_ARGS=(-R "$(tr '\n' '|' < tests/tsan_tests.txt | sed 's/|$//')") ;;
  *) echo "test.sh: --sanitize takes address,undefined or thread, not '$SANITIZE'" >&2; exit 2 ;;
esac
JOBS="$(nproc)"
# Sanitizer reports abort the test that hit them; leaks are reported at exit.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}"
case "$SANITIZE" in
  "") cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTINYSKIP_WERROR=ON ;;
  # clang with the libFuzzer instrumentation too, so that scripts/fuzz.sh
  # --build build-asan reuses these libraries; RelWithDebInfo (-O2 -g) keeps the suite's
  # run time reasonable with the sanitizers' checks.
  address,undefined)
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DTINYSKIP_FUZZ=ON -DTINYSKIP_BUILD_TESTS=ON ;;
  thread) cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTINYSKIP_SANITIZE=thread ;;
esac
cmake --build "$BUILD" -j "$JOBS"
ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS" --timeout 1800 "${CTEST_ARGS[@]}"
