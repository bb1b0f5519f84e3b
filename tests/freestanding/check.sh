#!/usr/bin/env bash
# Builds tests/freestanding/kernel.cpp as a static freestanding ELF with the
# given compiler and fails if anything is left undefined; with the extable
# verifier as 4th argument, also checks every virtualization instruction in
# it has exactly one valid exception-table entry.
set -euo pipefail
cxx=$1 include=$2 out=$3 verify=${4:-}
insns='vmxon|vmxoff|vmclear|vmptrld|vmptrst|vmread|vmwrite|invept|invvpid|vmlaunch|vmresume|vmcall|vmrun|vmload|vmsave|stgi|clgi|invlpga|vmmcall|rdmsr|wrmsr|xsetbv'
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
flags=(-std=c++20 -ffreestanding -fno-exceptions -fno-rtti -nostdlib -mno-red-zone
       -mgeneral-regs-only -fno-pic -fno-stack-protector -static
       -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror -I"$include")
for opt in -O0 -O2 -Os; do
  elf=$out/kernel$opt.elf
  "$cxx" "${flags[@]}" "$opt" "$here/kernel.cpp" -o "$elf" -Wl,-e,_start
  undefined=$(nm -u "$elf")
  if [ -n "$undefined" ]; then
    echo "FAIL $cxx $opt: undefined symbols:"; echo "$undefined"; exit 1
  fi
  # 23 wrappers (launch/resume have 3 sites each, the rest 1) x 4 policies,
  # plus the VM-instruction-error read: 109 sites.
  size=$(readelf -SW "$elf" | awk '{ for (i = 1; i < NF; i++) if ($i == "virtops_extable") print $(i + 4) }')
  size=$(( 16#${size:-0} ))
  entries=$(( ${size:-0} / 12 ))
  if [ "$entries" -lt 109 ]; then
    echo "FAIL $cxx $opt: $entries exception-table entries, expected at least 109"; exit 1
  fi
  if [ -n "$verify" ]; then
    objdump -d --no-show-raw-insn "$elf" | grep -E $'^ +[0-9a-f]+:\t('"$insns"')( |$)' |
      sed -E 's/^ +([0-9a-f]+):.*/\1/' >"$elf.sites"
    "$verify" --expect-sites "$elf.sites" "$elf"
  fi
  echo "ok $cxx $opt: no undefined symbols, $entries exception-table entries"
done
