#!/usr/bin/env bash
# civid: the test command. Installs what is missing, then builds and runs every test twice:
#  1. clang with AddressSanitizer + UndefinedBehaviorSanitizer and libFuzzer: the cmocka suites,
#     the command-line tests, and a short smoke run of every fuzz target over its seed corpus;
#  2. gcc, optimised, warnings as errors: the same suites, fuzz targets replaying their corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh

jobs=$(nproc)
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

echo "== civid: sanitizer + fuzz build (clang, ASan, UBSan, libFuzzer)"
cmake -S . -B build/sanitize -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
      -DCIVID_SANITIZE=ON -DCIVID_FUZZ=ON -DCIVID_BENCH=OFF >/dev/null
cmake --build build/sanitize -j"$jobs"
ctest --test-dir build/sanitize --output-on-failure -j"$jobs"

echo "== civid: release build (gcc, -O2, -Werror)"
cmake -S . -B build/release -G Ninja -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j"$jobs"
ctest --test-dir build/release --output-on-failure -j"$jobs"
