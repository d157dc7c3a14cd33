#!/usr/bin/env bash
# Install what is missing, build everything and run the whole test suite (unit + physics tiers).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset dev
cmake --build --preset dev -j "$(nproc)"
# Two tests at a time: many are partly serial (FFTW planning, Python checks, file I/O), so on
# two cores this halves the wall time (11.7 min of test time runs in 6.4 min); results do not
# depend on it (tests that compare thread counts set them themselves).
ctest --preset dev -j 2
