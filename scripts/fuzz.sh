#!/usr/bin/env bash
# Runs one fuzzer for a given time, starting from its seed corpus:
#   scripts/fuzz.sh <extable_fuzz|decode_fuzz|fault_fuzz> <seconds> [libFuzzer flags...]
# Needs Clang's libFuzzer (libclang-rt-14-dev). New inputs go to
# $VIRTOPS_BUILD_ROOT/fuzz/corpus-<name> (the repo's corpus is not touched);
# the last lines are libFuzzer's final statistics (executions, time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
name=${1:?fuzzer name}
seconds=${2:?seconds}
shift 2
# shellcheck source=packages.sh
. "$root/scripts/packages.sh"
ensure_packages cmake ninja-build clang libclang-rt-14-dev
builds=${VIRTOPS_BUILD_ROOT:-$root/build}
dir=$builds/fuzz
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
  -DVIRTOPS_BUILD_FUZZERS=ON -DVIRTOPS_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$dir" --target "$name"
corpus=$dir/corpus-$name
mkdir -p "$corpus"
cp -n "$root/fuzz/corpus/$name"/* "$corpus"/ 2>/dev/null || true
# No ASAN_OPTIONS needed: fault_fuzz installs its trap guard on its first
# input, on top of libFuzzer's and ASan's handlers, and passes them every
# fault that is not virtops' (reported as a crash, with the input saved).
exec "$dir/fuzz/$name" "$corpus" -max_total_time="$seconds" -print_final_stats=1 "$@"
