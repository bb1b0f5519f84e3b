#!/usr/bin/env bash
# build.sh <g++|clang++> <include dir> <out dir>: builds kernel.elf (ELF64) and
# kernel32.elf (the same as ELF32, which QEMU's -kernel and GRUB load).
set -euo pipefail
cxx=$1 include=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
name=gcc; [[ $cxx == clang* ]] && name=clang
flags=(-std=c++20 -ffreestanding -fno-exceptions -fno-rtti -nostdlib -mno-red-zone
       -mgeneral-regs-only -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables -O2
       -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror
       -DRING0_COMPILER="\"$name\"" -I"$include" -I"$here")
objs=()
for src in "$here"/*.cpp "$here"/boot.S; do
  obj=$out/$(basename "$src").o
  "$cxx" "${flags[@]}" -c "$src" -o "$obj"
  objs+=("$obj")
done
link=(-nostdlib -static -Wl,-T,"$here/linker.ld" -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments)
[[ $name == gcc ]] && link+=(-no-pie)
"$cxx" "${link[@]}" "${objs[@]}" -o "$out/kernel.elf"
objcopy -O elf32-i386 "$out/kernel.elf" "$out/kernel32.elf"
