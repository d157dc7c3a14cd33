#!/usr/bin/env bash
# Install what is missing, build the quickstart example and the runner, and run both.
# Outputs: out/quickstart/ (the example: P(k) table, density slice PNG) and
# out/run_quickstart/ (lagframe-run on configs/quickstart.toml: P(k) tables and plots, slices,
# run summary).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --target quickstart lagframe-run -j "$(nproc)"
mkdir -p out/quickstart
./build/dev/examples/quickstart out/quickstart
echo
./build/dev/examples/lagframe-run configs/quickstart.toml --set 'output.directory="out/run_quickstart"'
