#!/usr/bin/env bash
# civid: the run command. Installs what is missing, builds the programs (release), and runs the
# walk-through in scripts/walkthrough.sh with its data in ./civid-data (or $CIVID_DATA).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$(nproc)" --target civid-issuer civid-verifier
CIVID_BIN=build/release bash scripts/walkthrough.sh
