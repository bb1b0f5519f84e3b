#!/usr/bin/env bash
# build.sh <clang++ (17 or later)> <virtops include dir> <out dir> <program dir>
# Builds a program of the examples' platform (baremetal.hpp) as a UEFI
# application: this directory's platform, the shared guest set-up and the
# program's sources, for x86_64-w64-windows-gnu, freestanding, linked by
# ld.lld -m i386pep into out/BOOTX64.EFI (PE/COFF, virtops' PE/COFF table).
set -euo pipefail
cxx=$1 include=$2 out=$3 program=$4
here=$(cd "$(dirname "$0")" && pwd)
baremetal=$here/../baremetal
bin=$(dirname "$(readlink -f "$(command -v "$cxx")")")  # the lld next to this clang
mkdir -p "$out"
major=$(echo __clang_major__ | "$cxx" -E -P -x c++ - | tr -d ' ')
flags=(--target=x86_64-w64-windows-gnu -std=c++20 -ffreestanding -fno-exceptions -fno-rtti
       -nostdlib -mno-red-zone -mgeneral-regs-only -fno-stack-protector -O2
       -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror
       -DBAREMETAL_COMPILER="\"clang-$major, UEFI\"" -I"$include" -I"$baremetal" -I"$program")
objs=()
for src in "$here"/platform.cpp "$baremetal"/console.cpp "$baremetal"/guest_setup.cpp "$program"/*.cpp; do
  obj=$out/$(basename "$(dirname "$src")")_$(basename "$src").o
  "$cxx" "${flags[@]}" -c "$src" -o "$obj"
  objs+=("$obj")
done
"$bin/ld.lld" -m i386pep --subsystem efi_application -e efi_main -o "$out/BOOTX64.EFI" "${objs[@]}"
