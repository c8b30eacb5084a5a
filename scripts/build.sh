#!/usr/bin/env bash
# Configures and builds tinyskip (Release) into BUILD_DIR (default: build).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD" -j "$(nproc)"
