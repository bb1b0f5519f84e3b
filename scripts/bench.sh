#!/usr/bin/env bash
# Runs every benchmark with GCC and Clang and regenerates docs/benchmarks.md
# (tables between its markers) and docs/bench/*.png. Usage:
#   scripts/bench.sh            # 10 interleaved repetitions of each benchmark
#   VIRTOPS_BENCH_REPS=3 scripts/bench.sh
# Build trees and JSON go to $VIRTOPS_BUILD_ROOT/bench-{gcc,clang}.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=packages.sh
. "$root/scripts/packages.sh"
ensure_packages cmake ninja-build g++ clang libbenchmark-dev gnuplot-nox python3 binutils
builds=${VIRTOPS_BUILD_ROOT:-$root/build}
reps=${VIRTOPS_BENCH_REPS:-10}
for compiler in gcc clang; do
  cxx=g++
  [ $compiler = clang ] && cxx=clang++
  dir=$builds/bench-$compiler
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=$cxx \
    -DVIRTOPS_BUILD_BENCH=ON -DVIRTOPS_BUILD_TESTS=OFF -DVIRTOPS_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build "$dir" --target handler_bench extable_bench fault_bench
  for b in handler_bench extable_bench fault_bench; do
    echo "=== $compiler $b"
    # All variants in one process, interleaved at random, repeated: ratios
    # come from the same minutes of the same machine.
    "$dir/bench/$b" --benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true \
      --benchmark_min_time=0.2 --benchmark_report_aggregates_only=true \
      --benchmark_out="$dir/$b.json" --benchmark_out_format=json
  done
  # Code size: the variants' handlers in their own sections, so the VMfail
  # stubs (.subsection 1) stay with their function.
  "$cxx" -std=c++20 -O2 -ffunction-sections -I"$root/include" -c "$root/bench/handler_bench.cpp" \
    -o "$dir/handler_sections.o"
done
# Compile time of the umbrella header against an empty translation unit.
printf '#include <virtops/virtops.hpp>\n' >"$builds/bench-include.cpp"
printf '\n' >"$builds/bench-empty.cpp"
for cxx in g++ clang++; do
  for tu in empty include; do
    start=$(date +%s%N)
    for _ in $(seq 20); do "$cxx" -std=c++20 -fsyntax-only -I"$root/include" "$builds/bench-$tu.cpp"; done
    echo "$cxx $tu $(( ($(date +%s%N) - start) / 20000 ))"
  done
done >"$builds/bench-compile-time.txt"
python3 "$root/scripts/bench_report.py" "$builds" "$root/docs"
echo "docs/benchmarks.md and docs/bench/*.png regenerated"
