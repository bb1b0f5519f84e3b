#!/usr/bin/env bash
# Installs virtops to a scratch prefix, then builds and runs the consumer
# against the install tree, the source tree, and through FetchContent. Each
# build checks the consumer's exception table (virtops_check_image); in the
# install tree's build, two planted defects must fail their checks. Last, a
# program built with pkg-config's flags from the install tree.
#   check.sh <source dir> <work dir> <compiler>
set -euo pipefail
src=$1 work=$2 cxx=$3
rm -rf "$work" && mkdir -p "$work"
cmake -S "$src" -B "$work/virtops-build" -DCMAKE_CXX_COMPILER="$cxx" \
  -DVIRTOPS_BUILD_TESTS=OFF -DVIRTOPS_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$work/virtops-build" >/dev/null  # the verifier
cmake --install "$work/virtops-build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/virtops/virtops.hpp"
test -x "$work/prefix/bin/virtops-extable-verify"

fail() { echo "FAIL: $*"; exit 1; }
for mode in package subdirectory fetchcontent; do
  cmake --no-warn-unused-cli -S "$src/tests/consumer" -B "$work/$mode" -DCMAKE_CXX_COMPILER="$cxx" \
    -DVIRTOPS_CONSUME=$mode -DVIRTOPS_SOURCE_DIR="$src" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
  cmake --build "$work/$mode" >/dev/null
  log=$work/$mode/virtops-check/consumer/verify.log
  for line in '^disassembly: .* each with one entry: yes$' '^hot path: .* jmp or call: yes ' '^OK$'; do
    grep -qE "$line" "$log" || { cat "$log"; fail "$mode: the consumer's check did not say $line"; }
  done
  echo "$mode: $("$work/$mode/consumer")"
done

# A planted defect: its build must fail, name each message, and leave no image.
expect_rejected() {  # target, messages
  local target=$1 out=$work/$1.out image=$work/package/$1
  shift
  for attempt in first second; do  # the second: no stale image passes for built
    if cmake --build "$work/package" --target "$target" >"$out" 2>&1; then
      cat "$out"; fail "$target built on the $attempt attempt: its check passed"
    fi
  done
  for message in "$@" "failed the exception-table check"; do
    grep -qF -- "$message" "$out" || { cat "$out"; fail "$target: not reported: $message"; }
  done
  if ! { test -f "$image.rejected" && test ! -e "$image"; }; then
    fail "$target: the image was not set aside"
  fi
}
expect_rejected planted_bad_entry "bytes at the site are no VMX/SVM instruction (entry says vmxoff)"
expect_rejected planted_hot_path 'each with one entry: yes' \
  'hot path of "vmxoff" in planted_jmp: "jbe ' '" then "jmp ' 'a taken jump on its success path' \
  'hot path of "vmread %rax,%rcx" in planted_ex: "jmp ' \
  'hot path of "vmload" in planted_call: "call ' 'a call on its success path'
[ "$(grep -c '^error:' "$work/package/virtops-check/planted_hot_path/verify.log")" -eq 3 ] ||
  fail "planted_hot_path: expected exactly 3 errors"
echo "virtops_check_image: a bad entry and three hot-path defects fail the build"

# pkg-config, from the install tree and from a copy of it elsewhere (the
# .pc file's paths are relative to it).
command -v pkg-config >/dev/null || fail "no pkg-config (the Debian package pkg-config)"
cp -r "$work/prefix" "$work/moved"
for prefix in prefix moved; do
  pcdir=$work/$prefix/share/pkgconfig
  PKG_CONFIG_PATH=$pcdir pkg-config --exists --print-errors 'virtops >= 0.1'
  read -ra cflags <<<"$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags virtops)"
  if ! { [ ${#cflags[@]} -eq 1 ] && [ "${cflags[0]#-I}" != "${cflags[0]}" ]; }; then
    fail "pkg-config --cflags virtops: ${cflags[*]}, expected one -I"
  fi
  [ "$(cd "${cflags[0]#-I}" && pwd -P)" = "$(cd "$work/$prefix/include" && pwd -P)" ] ||
    fail "pkg-config --cflags virtops: ${cflags[0]}, not $work/$prefix/include"
  mkdir -p "$work/pkgconfig-$prefix"
  "$cxx" -std=c++20 "${cflags[@]}" "$src/tests/consumer/main.cpp" -o "$work/pkgconfig-$prefix/consumer"
  echo "pkg-config ($prefix, $(PKG_CONFIG_PATH=$pcdir pkg-config --modversion virtops)):" \
    "$("$work/pkgconfig-$prefix/consumer")"
done
