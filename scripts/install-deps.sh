#!/usr/bin/env bash
# Install, from Debian 12's package registry, whatever lagframe needs that is missing.
# Usage: scripts/install-deps.sh [extra packages...]   (run as root, or with sudo available)
set -euo pipefail
packages=(cmake g++ make pkg-config libfftw3-dev libxsimd-dev doctest-dev libtorch-dev
          libbenchmark-dev libstb-dev libhdf5-dev libtomlplusplus-dev libcli11-dev
          python3-numpy python3-matplotlib python3-h5py python3-healpy python3-scipy libopenmpi-dev openmpi-bin libfftw3-mpi-dev "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "lagframe: installing missing packages: ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "lagframe: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
