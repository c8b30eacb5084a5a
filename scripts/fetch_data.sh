#!/usr/bin/env bash
# The one command a fresh online machine runs before the README's main command:
# makes sure a data root exists (models/, data/cifar-10-batches-bin/,
# third_party/CMSIS-NN and CMSIS-Core, the layout ${data_root} in configs uses).
# A data root that is already there (TINYSKIP_DATA_ROOT, or the shared folder
# beside the checkout) is used as is; otherwise everything is downloaded into
# <repo>/data. Each fetch script skips what it already has, so re-running is cheap.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRIPTS="$ROOT/scripts"
SHARED="$(cd "$ROOT/.." && pwd)/shared"

# 1. An explicit data root wins, as in tinyskip itself (engine/config/tinyskip_paths.h).
if [ -n "${TINYSKIP_DATA_ROOT:-}" ]; then
  if [ -d "$TINYSKIP_DATA_ROOT/models" ]; then
    echo "fetch_data: using TINYSKIP_DATA_ROOT=$TINYSKIP_DATA_ROOT as the data root; nothing to fetch"
    exit 0
  fi
  echo "fetch_data: TINYSKIP_DATA_ROOT=$TINYSKIP_DATA_ROOT has no models/ folder; populate it, or unset it to download into $ROOT/data" >&2
  exit 1
fi

# 2. The complete shared folder beside the checkout (dev machines).
if [ -d "$SHARED/models" ] && [ -d "$SHARED/data/cifar-10-batches-bin" ] && [ -d "$SHARED/third_party/CMSIS-NN" ]; then
  echo "fetch_data: using the shared data root $SHARED; nothing to fetch"
  exit 0
fi
if [ -d "$SHARED/models" ]; then
  # tinyskip picks ../shared whenever it has models/, so say how to use the download.
  echo "fetch_data: note: $SHARED is incomplete but has models/, so tinyskip will still use it as the data root;"
  echo "fetch_data:       run with TINYSKIP_DATA_ROOT=$ROOT/data (or --data-root) to use what is downloaded now"
fi

# 3. Download everything into <repo>/data, mirroring the shared layout.
"$SCRIPTS/fetch_models.sh"     # -> data/models/*.tflite
"$SCRIPTS/fetch_cifar10.sh"    # -> data/data/cifar-10-batches-bin/*.bin
"$SCRIPTS/fetch_cmsis_nn.sh"   # -> data/third_party/{CMSIS-NN,CMSIS-Core}
echo "fetch_data: data root is $ROOT/data"
