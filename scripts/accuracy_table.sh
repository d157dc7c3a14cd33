#!/usr/bin/env bash
# Reproduce the accuracy table of docs/user_guide.md §3: build examples/accuracy_table and run it.
# The table is written to out/accuracy_table/table.md (the reference run is kept there and
# reused; about 15 minutes on two cores the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --target accuracy_table -j "$(nproc)"
./build/dev/examples/accuracy_table out/accuracy_table
