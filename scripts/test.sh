#!/usr/bin/env bash
# Builds tinyskip with warnings as errors and runs every test suite (ctest).
# Usage: scripts/test.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
JOBS="$(nproc)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTINYSKIP_WERROR=ON
cmake --build "$BUILD" -j "$JOBS"
ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS" --timeout 1800
