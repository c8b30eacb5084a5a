#!/usr/bin/env bash
# Downloads the official CIFAR-10 binary archive, checks its md5 and unpacks
# it to DEST/cifar-10-batches-bin. Default DEST: <repo root>/data/data, so the
# set lands in <repo>/data/data/cifar-10-batches-bin, mirroring the data root
# layout <root>/data/cifar-10-batches-bin (scripts/fetch_data.sh runs this).
# For online machines; offline ones use a data root that already holds it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/data/data}"
URL="https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
MD5="c32a1d4ab5d03f1284b67883e8d87530"
ARCHIVE="$DEST/cifar-10-binary.tar.gz"

# Bounded timeouts so an offline machine fails in minutes instead of hanging.
download() {
  if command -v curl >/dev/null; then
    curl -fL --retry 3 --connect-timeout 20 --max-time 600 -o "$2" "$1"
  else
    timeout 1800 wget --tries=3 --timeout=20 -O "$2" "$1"
  fi
}

mkdir -p "$DEST"
if [ -f "$DEST/cifar-10-batches-bin/test_batch.bin" ]; then
  echo "fetch_cifar10: $DEST/cifar-10-batches-bin already present"
  exit 0
fi
if [ ! -f "$ARCHIVE" ] || ! echo "$MD5  $ARCHIVE" | md5sum -c --status; then
  echo "fetch_cifar10: downloading $URL"
  if ! download "$URL" "$ARCHIVE.part"; then
    rm -f "$ARCHIVE.part"
    echo "fetch_cifar10: download failed ($URL); check the network, or copy cifar-10-binary.tar.gz into $DEST" >&2
    exit 1
  fi
  mv "$ARCHIVE.part" "$ARCHIVE"
fi
if ! echo "$MD5  $ARCHIVE" | md5sum -c --status; then
  echo "fetch_cifar10: $ARCHIVE has the wrong md5 (expected $MD5); delete it and retry" >&2
  exit 1
fi
tar -xzf "$ARCHIVE" -C "$DEST"
for f in data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch; do
  size=$(stat -c %s "$DEST/cifar-10-batches-bin/$f.bin")
  [ "$size" -eq 30730000 ] || { echo "fetch_cifar10: $f.bin has $size bytes, expected 30730000" >&2; exit 1; }
done
echo "fetch_cifar10: CIFAR-10 ready in $DEST/cifar-10-batches-bin"
