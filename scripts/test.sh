#!/usr/bin/env bash
# Runs every virtops test suite, as README and CI do: GCC and Clang builds
# (each hosted test at -O0 and -O2) and both again under ASan+UBSan, with
# the freestanding, package, codegen, ring-0 and example checks and a smoke
# run of the benchmarks. Build trees go to
# $VIRTOPS_BUILD_ROOT (default: build/ in the source tree).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=packages.sh
. "$root/scripts/packages.sh"
ensure_packages "${VIRTOPS_TEST_PACKAGES[@]}"

builds=${VIRTOPS_BUILD_ROOT:-$root/build}
jobs=$(nproc)
configs=(
  "gcc        -DCMAKE_CXX_COMPILER=g++ -DVIRTOPS_BUILD_BENCH=ON"
  "clang      -DCMAKE_CXX_COMPILER=clang++ -DVIRTOPS_BUILD_BENCH=ON"
  "gcc-asan   -DCMAKE_CXX_COMPILER=g++ -DVIRTOPS_SANITIZE=ON"
  "clang-asan -DCMAKE_CXX_COMPILER=clang++ -DVIRTOPS_SANITIZE=ON"
)
# The sanitizer builds rerun only the hosted tests; the rest is not
# sanitizer-dependent and runs once per compiler.
passed=0 failed=0 report=()
for config in "${configs[@]}"; do
  read -r name args <<<"$config"
  dir=$builds/$name
  echo "=== $name: configure and build"
  # shellcheck disable=SC2086
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug $args >/dev/null
  cmake --build "$dir" -j "$jobs"
  label=()
  [[ $name == *asan ]] && label=(-L hosted)
  echo "=== $name: test"
  log=$dir/ctest.log
  set +e
  ctest --test-dir "$dir" -j "$jobs" --output-on-failure "${label[@]}" 2>&1 | tee "$log"
  set -e
  summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  total=$(sed -E 's/.* out of ([0-9]+)/\1/' <<<"$summary")
  bad=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$summary")
  if [ -z "$summary" ]; then total=0 bad=1; fi
  passed=$((passed + total - bad)) failed=$((failed + bad))
  report+=("$(printf '%-11s %4d passed, %d failed' "$name" "$((total - bad))" "$bad")")
done
echo
echo "=== virtops test summary"
printf '%s\n' "${report[@]}"
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
