#!/usr/bin/env bash
# Installs the Debian packages civid needs to build, test and fuzz.
# Idempotent: prints nothing and changes nothing when every package is present.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  clang libclang-rt-14-dev llvm
  libsodium-dev libssl-dev libsecp256k1-dev liblmdb-dev libcbor-dev
  libcurl4-openssl-dev libjansson-dev zlib1g-dev libmicrohttpd-dev libcmocka-dev
  curl python3
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "civid: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
