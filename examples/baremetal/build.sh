#!/usr/bin/env bash
# build.sh <C++ compiler (GCC or Clang)> <virtops include dir> <out dir> <program dir>
# Builds the bare-metal platform (this directory) and the program's sources
# into out/kernel.elf (ELF64) and out/kernel32.elf (ELF32, which QEMU's
# -kernel and GRUB's multiboot load).
set -euo pipefail
cxx=$1 include=$2 out=$3 program=$4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
# The compiler's family and major version, from the compiler itself (a path
# like /usr/bin/clang++-19 or a g++-11 says nothing reliable by its name).
major=$(echo __GNUC__ __clang_major__ | "$cxx" -E -P -x c++ - | tr -s ' ')
case $major in
  *__clang_major__*) name=gcc-${major%% *} family=gcc ;;
  *) name=clang-${major##* } family=clang ;;
esac
flags=(-std=c++20 -ffreestanding -fno-exceptions -fno-rtti -nostdlib -mno-red-zone
       -mgeneral-regs-only -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables -O2
       -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror
       -DBAREMETAL_COMPILER="\"$name\"" -I"$include" -I"$here" -I"$program")
objs=()
for src in "$here"/*.cpp "$here"/boot.S "$program"/*.cpp; do
  obj=$out/$(basename "$(dirname "$src")")_$(basename "$src").o
  "$cxx" "${flags[@]}" -c "$src" -o "$obj"
  objs+=("$obj")
done
link=(-nostdlib -static -Wl,-T,"$here/linker.ld" -Wl,--build-id=none -Wl,-z,noexecstack
      -Wl,--no-warn-rwx-segments)
[[ $family == gcc ]] && link+=(-no-pie)
"$cxx" "${link[@]}" "${objs[@]}" -o "$out/kernel.elf"
objcopy -O elf32-i386 "$out/kernel.elf" "$out/kernel32.elf"
