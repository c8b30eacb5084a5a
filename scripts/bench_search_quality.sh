#!/usr/bin/env bash
# Search quality against the exhaustive front on the ResNet-8 benchmark
# subspaces (configs/bench/resnet8_subspace_*.json). Each exhaustive grid is
# run once into results/<subspace>/exhaustive and reused (resumed if it was
# interrupted); then build/tests/bench_search_quality replays NSGA-II, random
# search and the greedy start against it at equal budgets.
# Usage: scripts/bench_search_quality.sh [budget fraction, default 0.05] [seeds, default 10] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
FRACTION="${1:-0.05}"
SEEDS="${2:-10}"
BUILD="${3:-build}"
for config in configs/bench/resnet8_subspace_*.json; do
  name="$(basename "$config" .json)"
  run="results/$name/exhaustive"
  if ! grep -q '"status": "finished"' "$run/run.json" 2>/dev/null; then
    resume=()
    [ -d "$run" ] && resume=(--resume)
    "$BUILD/tinyskip" run "$config" --run-id exhaustive "${resume[@]}"
  fi
  "$BUILD/tests/bench_search_quality" "$run" "$FRACTION" "$SEEDS"
done
