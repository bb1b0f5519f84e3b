#!/usr/bin/env bash
# Builds tests/freestanding/vocabulary.cpp as a static freestanding ELF with
# the given compiler at -O0, -O2 and -Os and fails if anything is left
# undefined (a memset the compiler made of a bitmap fill, say).
#   vocabulary_check.sh <compiler> <include dir> <output dir>
set -euo pipefail
cxx=$1 include=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
flags=(-std=c++20 -ffreestanding -fno-exceptions -fno-rtti -nostdlib -mno-red-zone
       -mgeneral-regs-only -fno-pic -fno-stack-protector -static
       -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror -I"$include")
for opt in -O0 -O2 -Os; do
  elf=$out/vocabulary$opt.elf
  "$cxx" "${flags[@]}" "$opt" "$here/vocabulary.cpp" -o "$elf" -Wl,-e,_start
  undefined=$(nm -u "$elf")
  if [ -n "$undefined" ]; then
    echo "FAIL $cxx $opt: undefined symbols:"; echo "$undefined"; exit 1
  fi
  echo "ok $cxx $opt: no undefined symbols"
done
