#!/usr/bin/env bash
# Runs every benchmark with GCC and Clang and regenerates docs/benchmarks.md
# (between its bench:begin/bench:end markers) and docs/bench/*.png. Usage:
#   scripts/bench.sh                      # 10 interleaved repetitions
#   VIRTOPS_BENCH_REPS=3 scripts/bench.sh # quicker, noisier
# Build trees and raw results go to $VIRTOPS_BUILD_ROOT/bench-{gcc,clang}
# (default: build/ in the source tree). Builds use at most
# $VIRTOPS_BENCH_JOBS (default 2) jobs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=packages.sh
. "$root/scripts/packages.sh"
ensure_packages cmake ninja-build g++ clang binutils libbenchmark-dev gnuplot-nox
command -v python3 >/dev/null || ensure_packages python3

builds=${VIRTOPS_BUILD_ROOT:-$root/build}
reps=${VIRTOPS_BENCH_REPS:-10}
jobs=${VIRTOPS_BENCH_JOBS:-2}
min_time=${VIRTOPS_BENCH_MIN_TIME:-0.2}  # seconds per repetition
benches=(handler_bench extable_bench fault_bench)
mkdir -p "$builds"
# The load when the run starts: the machine is shared.
uptime >"$builds/bench-load.txt"

for compiler in gcc clang; do
  cxx=g++
  [ $compiler = clang ] && cxx=clang++
  dir=$builds/bench-$compiler
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=$cxx \
    -DVIRTOPS_BUILD_BENCH=ON -DVIRTOPS_BUILD_TESTS=OFF -DVIRTOPS_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build "$dir" -j "$jobs" --target "${benches[@]}" bench_codesize
  for b in "${benches[@]}"; do
    echo "=== $compiler $b"
    # All variants in one process, interleaved at random, repeated: ratios
    # come from the same minutes of the same machine. Every repetition is
    # kept in the JSON; the report takes medians.
    "$dir/bench/$b" --benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true \
      --benchmark_min_time="$min_time" --benchmark_display_aggregates_only=true \
      --benchmark_out="$dir/$b.json" --benchmark_out_format=json
  done
done

python3 "$root/bench/report.py" "$builds" "$root/docs"
echo "docs/benchmarks.md and docs/bench/*.png regenerated"

# Compile time of the headers: its own section of docs/benchmarks.md.
VIRTOPS_BUILD_ROOT=$builds "$root/scripts/compile_time.sh"
