#!/usr/bin/env bash
# civid: the run command. Installs what is missing, builds the programs (release), and runs the
# walk-throughs with their data in ./civid-data (or $CIVID_DATA): scripts/walkthrough.sh (keys,
# DIDs, JWS, credentials in every format, revocation, offline) and
# scripts/walkthrough-services.sh (civid-issuer serve and civid-verifier serve on 127.0.0.1, a
# credential issued over HTTP, held and presented by the wallet, verified over HTTP, revoked).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$(nproc)" --target civid-issuer civid-verifier civid-wallet
CIVID_BIN=build/release bash scripts/walkthrough.sh
CIVID_BIN=build/release bash scripts/walkthrough-services.sh
