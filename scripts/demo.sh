#!/usr/bin/env bash
# The virtops demo: builds the examples and runs the user-space one, in which
# every wrapper faults for real and each fault policy handles it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=packages.sh
. "$root/scripts/packages.sh"
ensure_packages cmake ninja-build g++
dir=${VIRTOPS_BUILD_ROOT:-$root/build}/demo
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=g++ -DVIRTOPS_BUILD_TESTS=OFF >/dev/null
cmake --build "$dir" --target userspace >/dev/null
"$dir/examples/userspace"
