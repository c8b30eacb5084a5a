#!/usr/bin/env bash
# Fuzzes every reader with libFuzzer under ASan+UBSan (tests/fuzz/README.md).
# Usage: scripts/fuzz.sh [--seconds N] [--shared DIR] [--build DIR] [TARGET...]
#   --seconds N   time per target (default 600); each run also has a 10 s
#                 per-input timeout and a 2 GB RSS limit; leaks are findings
#   --shared DIR  the shared models (default ../shared beside the checkout)
#   TARGET        model npy elf board_profile toolchain experiment_config
#                 winner_file points_csv (default: all)
# BUILD defaults to build-asan, shared with scripts/test.sh --sanitize
# address,undefined. Corpora grow in BUILD/corpus/<target> (kept between runs); a crashing,
# hanging or leaking input is saved to BUILD/findings/<target>/ and the script
# exits 1. The last line per target is libFuzzer's: executions, coverage
# (cov: edges, ft: features) and corpus size.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=600
SHARED="$(pwd)/../shared"
BUILD=build-asan
TARGETS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) SECONDS_PER_TARGET="$2"; shift 2 ;;
    --shared) SHARED="$2"; shift 2 ;;
    --build) BUILD="$2"; shift 2 ;;
    -h|--help) sed -n 2,14p "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) TARGETS+=("$1"); shift ;;
  esac
done
ALL=(model npy elf board_profile toolchain experiment_config winner_file points_csv)
[[ ${#TARGETS[@]} -eq 0 ]] && TARGETS=("${ALL[@]}")
command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (scripts/setup.sh installs clang)" >&2; exit 2; }

mkdir -p "$BUILD"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DTINYSKIP_FUZZ=ON $([[ -f "$BUILD/CMakeCache.txt" ]] || echo -DTINYSKIP_BUILD_TESTS=OFF) \
  -DTINYSKIP_SHARED_DIR="$SHARED" > "$BUILD/cmake.log" \
  || { cat "$BUILD/cmake.log"; exit 1; }
cmake --build "$BUILD" -j "$(nproc)" --target fuzz_write_seeds $(printf 'fuzz_%s ' "${TARGETS[@]}") > "$BUILD/build.log" \
  || { tail -50 "$BUILD/build.log"; exit 1; }

# Seeds: the shipped files, files written by the product's own writers, and
# the kinds of damage the tests apply by hand (truncation, a flipped byte).
SEEDS="$BUILD/seeds-$$"  # per invocation: two invocations may fuzz different targets at once
rm -rf "$SEEDS" && mkdir -p "$SEEDS"
trap 'rm -rf "$SEEDS"' EXIT
"$BUILD/tests/fuzz/fuzz_write_seeds" "$SEEDS"
mkdir -p "$SEEDS"/{model,npy,elf,board_profile,toolchain,experiment_config}
cp "$SHARED"/models/*.tflite "$SEEDS/model/" 2>/dev/null || echo "fuzz.sh: no models in $SHARED/models; model corpus starts empty" >&2
cp configs/*.json configs/bench/*.json "$SEEDS/experiment_config/"
cp configs/mcu/nucleo_*.json "$SEEDS/board_profile/"
cp configs/mcu/arm_none_eabi_gcc.json "$SEEDS/toolchain/"
/usr/bin/python3 - "$SEEDS/npy" <<'PY'
import sys, numpy as np
out = sys.argv[1]
np.save(f"{out}/images_u8.npy", np.arange(2 * 4 * 4 * 3, dtype=np.uint8).reshape(2, 4, 4, 3))
np.save(f"{out}/images_i8.npy", (np.arange(96) - 48).astype(np.int8).reshape(2, 4, 4, 3))
np.save(f"{out}/images_f32.npy", np.linspace(0, 1, 24, dtype=np.float32).reshape(2, 12))
np.save(f"{out}/labels_i64.npy", np.array([3, 1, 4, 1, 5], dtype=np.int64))
np.save(f"{out}/scalar_i32.npy", np.int32(7))
PY
if command -v arm-none-eabi-gcc >/dev/null; then
  printf 'int counter;\nint main(void) { return counter + 1; }\nvoid _exit(int c) { for (;;) (void)c; }\n' > "$SEEDS/elf/main.c"
  arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -nostartfiles -Wl,-e,main "$SEEDS/elf/main.c" -o "$SEEDS/elf/main.elf" 2>/dev/null \
    || echo "fuzz.sh: could not build the ELF seed" >&2
  rm -f "$SEEDS/elf/main.c"
fi
/usr/bin/python3 - "$SEEDS" <<'PY'
import os, sys
root = sys.argv[1]
for target in sorted(os.listdir(root)):
    folder = os.path.join(root, target)
    for name in sorted(os.listdir(folder)):
        data = open(os.path.join(folder, name), "rb").read()
        if len(data) < 8:
            continue
        open(os.path.join(folder, "cut_" + name), "wb").write(data[: len(data) // 2])
        flipped = bytearray(data)
        flipped[len(data) // 3] ^= 0x5A
        open(os.path.join(folder, "flip_" + name), "wb").write(bytes(flipped))
PY

status=0
for target in "${TARGETS[@]}"; do
  corpus="$BUILD/corpus/$target" findings="$BUILD/findings/$target"
  mkdir -p "$corpus" "$findings"
  log="$BUILD/fuzz_$target.log"
  max_len=$(( $(find "$SEEDS/$target" -type f -printf '%s\n' | sort -n | tail -1) + 4096 ))
  if ! "$BUILD/tests/fuzz/fuzz_$target" "$corpus" "$SEEDS/$target" -max_total_time="$SECONDS_PER_TARGET" \
      -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$findings/" \
      > "$log" 2>&1; then
    echo "fuzz_$target: FINDING (see $log and $findings/)"
    grep -m3 -E "ERROR|finding:|SUMMARY" "$log" || true
    status=1
    continue
  fi
  # libFuzzer's last status line: "#N DONE cov: E ft: F corp: C/S ..."
  last=$(grep -E "^#[0-9]+" "$log" | tail -1)
  execs=$(grep -m1 "stat::number_of_executed_units" "$log" | awk '{print $2}')
  cov=$(sed -E 's/.*cov: ([0-9]+).*/\1/' <<<"$last")
  ft=$(sed -E 's/.*ft: ([0-9]+).*/\1/' <<<"$last")
  corp=$(sed -E 's/.*corp: ([0-9]+).*/\1/' <<<"$last")
  echo "fuzz_$target: ${execs:-?} executions in ${SECONDS_PER_TARGET} s, coverage ${cov} edges / ${ft} features, corpus ${corp} inputs, no finding"
done
exit "$status"
