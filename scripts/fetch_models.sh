#!/usr/bin/env bash
# Downloads the five int8 TFLite models tinyskip is tested and demonstrated on
# from their public origins (see shared/models/SOURCES.md) into DEST (default:
# <repo root>/data/models) and checks each file's sha256. Files already present
# with the right hash are kept, so re-running is cheap. Offline machines point
# configs at an existing models directory instead.
set -euo pipefail

# One line per model: saved file name, source URL, sha256. The lenet URL pins
# the full commit; the MLPerf Tiny ones follow mlcommons/tiny master, and the
# hash check catches any upstream change.
ATAMAN="https://raw.githubusercontent.com/GeorgeMentzos/ATAMAN-AuTo-driven-Approximation-and-Microcontroller-AcceleratioN-Toolkit/8a1a93d846cce9d52e121a1db5098ed177f26b9e"
TINY="https://raw.githubusercontent.com/mlcommons/tiny/master/benchmark/training"
MODELS=(
  "lenet_cifar10_int8.tflite   $ATAMAN/tflite_models/LeNet_Cifar10_INT8.tflite b098b746f2be1cc697eb540e45a28c5760b6e8fe9449b0cede27533ae0445f93"
  "resnet8_cifar10_int8.tflite $TINY/image_classification/trained_models/pretrainedResnet_quant.tflite 3c002613d1b2475eb51dd78dfb85a546c8ae658dee71cf6ade43b022fe205415"
  "kws_ref_model.tflite        $TINY/keyword_spotting/trained_models/kws_ref_model.tflite aeea436800704fce17b17292e4412630ad856e9d777c044c64ef748a880bd0ae"
  "vww_96_int8.tflite          $TINY/visual_wake_words/trained_models/vww_96_int8.tflite 597a384c8c2c8a1276f04702f25013b7838f2f814f1ca7c174d295b73e3d6b7b"
  "ad01_int8.tflite            $TINY/anomaly_detection/trained_models/ad01_int8.tflite 87cf24194ef93d1d9b11a591d805526b98008e351655d29883c825c9c106ba24"
)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/data/models}"
mkdir -p "$DEST"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# Bounded timeouts so an offline machine fails in minutes instead of hanging.
download() {
  if command -v curl >/dev/null; then
    curl -fL --retry 3 --connect-timeout 20 --max-time 120 -o "$2" "$1"
  else
    wget --tries=3 --timeout=20 -O "$2" "$1"
  fi
}

for line in "${MODELS[@]}"; do
  read -r file url sha <<<"$line"
  target="$DEST/$file"
  if [ -f "$target" ] && [ "$(sha_of "$target")" = "$sha" ]; then
    echo "fetch_models: $file present, sha256 verified"
    continue
  fi
  if [ -f "$target" ]; then
    echo "fetch_models: $file present but its sha256 is $(sha_of "$target"), expected $sha; downloading again"
  fi
  echo "fetch_models: downloading $file from $url"
  if ! download "$url" "$target.part"; then
    rm -f "$target.part"
    echo "fetch_models: download of $file failed ($url); check the network or copy the file into $DEST" >&2
    exit 1
  fi
  actual="$(sha_of "$target.part")"
  if [ "$actual" != "$sha" ]; then
    echo "fetch_models: $file has the wrong sha256: expected $sha, got $actual (kept as $target.part)" >&2
    exit 1
  fi
  mv "$target.part" "$target"
  echo "fetch_models: $file downloaded, sha256 verified"
done
echo "fetch_models: all ${#MODELS[@]} models ready in $DEST"
