#!/usr/bin/env bash
# Installs virtops to a scratch prefix, then builds and runs the consumer
# against the install tree, the source tree, and through FetchContent.
set -euo pipefail
src=$1 work=$2 cxx=$3
rm -rf "$work" && mkdir -p "$work"
cmake -S "$src" -B "$work/virtops-build" -DCMAKE_CXX_COMPILER="$cxx" \
  -DVIRTOPS_BUILD_TESTS=OFF -DVIRTOPS_BUILD_EXAMPLES=OFF >/dev/null
cmake --install "$work/virtops-build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/virtops/virtops.hpp"
for mode in package subdirectory fetchcontent; do
  cmake --no-warn-unused-cli -S "$src/tests/consumer" -B "$work/$mode" -DCMAKE_CXX_COMPILER="$cxx" \
    -DVIRTOPS_CONSUME=$mode -DVIRTOPS_SOURCE_DIR="$src" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
  cmake --build "$work/$mode" >/dev/null
  echo "$mode: $("$work/$mode/consumer")"
done
