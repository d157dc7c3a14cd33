#!/usr/bin/env bash
# Install what is missing, build the main example (and nothing else) and run it.
# Outputs in out/quickstart/: quickstart_pk.txt and quickstart_pk.png (P(k) against linear
# theory), quickstart_slice.npy and quickstart_slice.png (a projected density slice).
# The configurable runner (lagframe-run) is built separately: see README.md, "The runner".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --target quickstart -j "$(nproc)"
mkdir -p out/quickstart
./build/dev/examples/quickstart out/quickstart
