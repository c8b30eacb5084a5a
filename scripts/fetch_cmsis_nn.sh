#!/usr/bin/env bash
# Downloads the pinned, unmodified CMSIS-NN and CMSIS-Core sources that the
# shared folder's third_party/README.md names, as GitHub archive tarballs, and
# installs into DEST (default: <repo root>/data/third_party):
#   CMSIS-NN/{Include,Source,LICENSE,README.md}  from ARM-software/CMSIS-NN
#   CMSIS-Core/{Include,LICENSE}                 from ARM-software/CMSIS_6
#                                                (CMSIS/Core/Include, LICENSE)
# The whole CMSIS/Core/Include folder is kept: a superset of the Cortex-M
# headers the shared copy holds. Each component also gets a FETCHED_FROM.txt.
# GitHub generates these tarballs on request and does not promise stable bytes,
# so instead of a sha256 the script checks that key files are present (and, if
# git is installed, the commit id git archive embeds in the tarball). Already
# installed components are kept, so re-running is cheap. Offline machines use a
# data root that already holds third_party/.
set -euo pipefail

NN_COMMIT="99f736a63036613032f9b70de36b493bcd7802d4"
CORE_COMMIT="7f62ddc8ab8e9af22039912b8f9f46a9290f49ba"
NN_URL="https://codeload.github.com/ARM-software/CMSIS-NN/tar.gz/$NN_COMMIT"
CORE_URL="https://codeload.github.com/ARM-software/CMSIS_6/tar.gz/$CORE_COMMIT"
NN_KEY="Include/arm_nnfunctions.h"        # presence means CMSIS-NN is installed
CORE_KEY="Include/cmsis_compiler.h"       # presence means CMSIS-Core is installed

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/data/third_party}"

if [ -f "$DEST/CMSIS-NN/$NN_KEY" ] && [ -f "$DEST/CMSIS-Core/$CORE_KEY" ]; then
  echo "fetch_cmsis_nn: CMSIS-NN and CMSIS-Core already present in $DEST"
  exit 0
fi

die() { echo "fetch_cmsis_nn: $*" >&2; exit 1; }

# Bounded timeouts so an offline machine fails in minutes instead of hanging.
download() {
  if command -v curl >/dev/null; then
    curl -fL --retry 3 --connect-timeout 20 --max-time 600 -o "$2" "$1"
  else
    timeout 1800 wget --tries=3 --timeout=20 -O "$2" "$1"
  fi
}

# A half-present component is never overwritten: the user decides what to keep.
refuse_partial() {
  [ -f "$DEST/$1/$2" ] || [ ! -e "$DEST/$1" ] || die "$DEST/$1 exists but lacks $2; remove it and run again"
}
refuse_partial CMSIS-NN "$NN_KEY"
refuse_partial CMSIS-Core "$CORE_KEY"

# Everything is staged in DEST/.tmp-cmsis.*, on DEST's file system, so the
# final mv is a rename; the staging dir is removed however the script ends.
mkdir -p "$DEST"
TMP="$(mktemp -d "$DEST/.tmp-cmsis.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# fetch NAME URL COMMIT: download and unpack a GitHub archive into $TMP/NAME
# (its top folder, <repo>-<commit>/, stripped).
fetch() {
  local name="$1" url="$2" commit="$3" tarball="$TMP/$1.tar.gz" id
  echo "fetch_cmsis_nn: downloading $name $commit from $url"
  download "$url" "$tarball" || die "download of $name failed ($url); check the network, or copy an existing third_party/ folder's contents into $DEST"
  if command -v git >/dev/null; then
    id="$(gzip -dc "$tarball" 2>/dev/null | git get-tar-commit-id 2>/dev/null || true)"
    if [ -n "$id" ] && [ "$id" != "$commit" ]; then
      die "$url is an archive of commit $id, expected $commit"
    fi
  fi
  mkdir "$TMP/$name"
  tar -xzf "$tarball" -C "$TMP/$name" --strip-components=1 || die "$url did not unpack as a tar.gz archive"
}

# require NAME DIR FILE...: every FILE must exist under DIR.
require() {
  local name="$1" dir="$2" f
  shift 2
  for f in "$@"; do
    [ -e "$dir/$f" ] || die "$name archive lacks $f; not installing it"
  done
}

mkdir "$TMP/stage"

if [ -f "$DEST/CMSIS-NN/$NN_KEY" ]; then
  echo "fetch_cmsis_nn: CMSIS-NN already present in $DEST"
else
  fetch CMSIS-NN "$NN_URL" "$NN_COMMIT"
  require CMSIS-NN "$TMP/CMSIS-NN" "$NN_KEY" Source/ConvolutionFunctions/arm_convolve_s8.c LICENSE README.md
  mkdir "$TMP/stage/CMSIS-NN"
  mv "$TMP/CMSIS-NN/Include" "$TMP/CMSIS-NN/Source" "$TMP/CMSIS-NN/LICENSE" "$TMP/CMSIS-NN/README.md" "$TMP/stage/CMSIS-NN/"
  printf 'Unmodified copy of github ARM-software/CMSIS-NN (Include/, Source/, LICENSE, README.md)\nurl: %s\ncommit: %s\n' \
    "$NN_URL" "$NN_COMMIT" >"$TMP/stage/CMSIS-NN/FETCHED_FROM.txt"
  mv "$TMP/stage/CMSIS-NN" "$DEST/CMSIS-NN"
  echo "fetch_cmsis_nn: installed CMSIS-NN $NN_COMMIT in $DEST/CMSIS-NN"
fi

if [ -f "$DEST/CMSIS-Core/$CORE_KEY" ]; then
  echo "fetch_cmsis_nn: CMSIS-Core already present in $DEST"
else
  fetch CMSIS_6 "$CORE_URL" "$CORE_COMMIT"
  require CMSIS_6 "$TMP/CMSIS_6" CMSIS/Core/"$CORE_KEY" CMSIS/Core/Include/core_cm4.h LICENSE
  mkdir "$TMP/stage/CMSIS-Core"
  mv "$TMP/CMSIS_6/CMSIS/Core/Include" "$TMP/CMSIS_6/LICENSE" "$TMP/stage/CMSIS-Core/"
  printf 'Unmodified copy of github ARM-software/CMSIS_6 CMSIS/Core/Include/ and LICENSE\nurl: %s\ncommit: %s\n' \
    "$CORE_URL" "$CORE_COMMIT" >"$TMP/stage/CMSIS-Core/FETCHED_FROM.txt"
  mv "$TMP/stage/CMSIS-Core" "$DEST/CMSIS-Core"
  echo "fetch_cmsis_nn: installed CMSIS-Core (CMSIS_6 $CORE_COMMIT) in $DEST/CMSIS-Core"
fi
echo "fetch_cmsis_nn: CMSIS-NN and CMSIS-Core ready in $DEST"
