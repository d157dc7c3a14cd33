#!/usr/bin/env bash
# Install what is missing, build everything and run the whole test suite (unit + physics tiers).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset dev
cmake --build --preset dev -j "$(nproc)"
ctest --preset dev
