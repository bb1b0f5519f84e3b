#!/usr/bin/env bash
# Runs every virtops test suite, as README and CI do, with every compiler
# Debian 12 ships: the full suite (hosted tests at -O0 and -O2, codegen at
# -O2/-O3/-Os, freestanding link, package, ring 0 in QEMU and Bochs, the
# examples, valgrind, benchmark smoke runs) with g++-12 and clang++-14; the
# hosted tests again under ASan+UBSan with both; and with g++-11, clang++-15,
# clang++-16 and clang++-19 everything but valgrind and the API reference
# (which do not depend on the compiler), nor the PE/COFF tests (which use
# clang++-19 and lld whatever the tree's compiler).
# Build trees go to $VIRTOPS_BUILD_ROOT (default: build/ in the source tree);
# VIRTOPS_TEST_TREES="gcc-12 clang-14" runs only the trees named.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=packages.sh
. "$root/scripts/packages.sh"
ensure_packages "${VIRTOPS_TEST_PACKAGES[@]}"

builds=${VIRTOPS_BUILD_ROOT:-$root/build}
jobs=$(nproc)
# name | compiler | CMake options | ctest selection (empty: everything)
configs=(
  "gcc-12|g++-12|-DVIRTOPS_BUILD_BENCH=ON|"
  "clang-14|clang++-14|-DVIRTOPS_BUILD_BENCH=ON|"
  "gcc-12-asan|g++-12|-DVIRTOPS_SANITIZE=ON|-L hosted"
  "clang-14-asan|clang++-14|-DVIRTOPS_SANITIZE=ON|-L hosted"
  "gcc-11|g++-11||-LE valgrind|docs|coff"
  "clang-15|clang++-15||-LE valgrind|docs|coff"
  "clang-16|clang++-16||-LE valgrind|docs|coff"
  "clang-19|clang++-19||-LE valgrind|docs|coff"
)
passed=0 failed=0 report=() table=()
for config in "${configs[@]}"; do
  IFS='|' read -r name cxx args selection <<<"$config"
  if [ -n "${VIRTOPS_TEST_TREES:-}" ] && [[ " $VIRTOPS_TEST_TREES " != *" $name "* ]]; then
    continue
  fi
  dir=$builds/$name
  start=$SECONDS
  echo "=== $name ($cxx): configure and build"
  # shellcheck disable=SC2086
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER="$cxx" $args >/dev/null
  if ! cmake --build "$dir" -j "$jobs"; then
    # A tree that does not build fails as one test; the others still run.
    failed=$((failed + 1))
    report+=("$(printf '%-14s %-11s build FAILED  %4ds' "$name" "$cxx" "$((SECONDS - start))")")
    table+=("| $("$cxx" --version | head -1 | sed -E 's/ \(.*\)//; s/^Debian //') | $name | build failed | 0 passed, 1 failed | $((SECONDS - start)) s |")
    continue
  fi
  echo "=== $name: test ${selection:-(all)}"
  log=$dir/ctest.log
  sel=()
  if [ -n "$selection" ]; then read -r flag regex <<<"$selection"; sel=("$flag" "$regex"); fi
  set +e
  ctest --test-dir "$dir" -j "$jobs" --output-on-failure "${sel[@]}" 2>&1 | tee "$log"
  set -e
  summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  total=$(sed -E 's/.* out of ([0-9]+)/\1/' <<<"$summary")
  bad=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$summary")
  if [ -z "$summary" ]; then total=0 bad=1; fi
  passed=$((passed + total - bad)) failed=$((failed + bad))
  report+=("$(printf '%-14s %-11s %4d passed, %d failed  %4ds  %s' "$name" "$cxx" \
    "$((total - bad))" "$bad" "$((SECONDS - start))" "${selection:-all labels}")")
  # The suites (ctest labels) that ran, for the README's compiler table.
  labels=$(awk '/^Label Time Summary:/ { on = 1; next } on && NF == 0 { on = 0 }
    on { printf "%s%s", sep, $1; sep = ", " }' "$log")
  table+=("| $("$cxx" --version | head -1 | sed -E 's/ \(.*\)//; s/^Debian //') | $name | $labels | $((total - bad)) passed, $bad failed | $((SECONDS - start)) s |")
done
echo
echo "=== virtops test summary"
printf '%s\n' "${report[@]}"
echo "total: $passed passed, $failed failed"
# The README's compiler table comes from this file (scripts/update_readme.sh).
{
  echo "| compiler | tree | suites (ctest labels) | tests | time |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${table[@]}"
} >"$builds/compiler-table.md"
[ "$failed" -eq 0 ]
