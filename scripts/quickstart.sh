#!/usr/bin/env bash
# Install what is missing, build the quickstart example and run it.
# Outputs (P(k) table, density slice PNG) go to out/quickstart/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --target quickstart -j "$(nproc)"
mkdir -p out/quickstart
./build/dev/examples/quickstart out/quickstart
