#!/usr/bin/env bash
# Installs every build, test and plotting dependency of tinyskip from Debian 12
# packages. Idempotent: apt-get skips what is already installed. Run as root.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  libeigen3-dev libtbb-dev nlohmann-json3-dev catch2 libspdlog-dev libfmt-dev
  libflatbuffers-dev flatbuffers-compiler libcli11-dev
  libpagmo-dev libboost-serialization-dev
  libunicorn-dev libcapstone-dev llvm
  gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi
  python3 python3-matplotlib python3-numpy
)


missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup.sh: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then exec sudo bash "$0" "$@"; fi
  echo "setup.sh: missing packages ${missing[*]}; run this script as root (apt-get needs it)" >&2
  exit 1
fi
echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
