#!/usr/bin/env bash
# Builds tests/freestanding/kernel.cpp as a freestanding PE/COFF image for one
# Windows target at -O0, -O2 and -Os with Clang, links it with lld (lld-link
# for x86_64-pc-windows-msvc, ld.lld -m i386pep for x86_64-w64-windows-gnu;
# either fails on an undefined symbol) and checks its table with the verifier:
# every virtualization instruction in the image has exactly one valid entry,
# and there are at least as many as on ELF (check.sh).
#   check_coff.sh <clang++> <include dir> <work dir> <verifier> <target>
set -euo pipefail
cxx=$1 include=$2 out=$3 verify=$4 target=$5
insns='vmxon|vmxoff|vmclear|vmptrld|vmptrst|vmread|vmwrite|invept|invvpid|vmlaunch|vmresume|vmcall|vmrun|vmload|vmsave|stgi|clgi|invlpga|vmmcall|rdmsr|wrmsr|xsetbv'
here=$(cd "$(dirname "$0")" && pwd)
bin=$(dirname "$(readlink -f "$(command -v "$cxx")")")  # the lld next to this clang
mkdir -p "$out"
flags=(--target="$target" -std=c++20 -ffreestanding -fno-exceptions -fno-rtti -nostdlib
       -mno-red-zone -mgeneral-regs-only -fno-stack-protector
       -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror -I"$include")
for opt in -O0 -O2 -Os; do
  obj=$out/kernel-$target$opt.obj image=$out/kernel-$target$opt.exe
  "$cxx" "${flags[@]}" "$opt" -c "$here/kernel.cpp" -o "$obj"
  case $target in
    *-msvc) "$bin/lld-link" /nodefaultlib /entry:_start /subsystem:native /opt:ref /debug:symtab \
              "/out:$image" "$obj" ;;
    *-gnu) "$bin/ld.lld" -m i386pep -e _start --subsystem native --gc-sections -o "$image" "$obj" ;;
    *) echo "check_coff.sh: no linker for $target"; exit 2 ;;
  esac
  objdump -d --no-show-raw-insn "$image" | grep -E $'^ +[0-9a-f]+:\t('"$insns"')( |$)' |
    sed -E 's/^ +([0-9a-f]+):.*/\1/' >"$image.sites"
  "$verify" --expect-sites "$image.sites" "$image" | tee "$image.verify"
  # 23 wrappers (launch/resume have 3 sites each, the rest 1) x 4 policies,
  # plus the VM-instruction-error read: 109 sites.
  entries=$(sed -nE 's/.*\(PE\/COFF\): ([0-9]+) entries.*/\1/p' "$image.verify")
  if [ "${entries:-0}" -lt 109 ]; then
    echo "FAIL $target $opt: ${entries:-0} exception-table entries, expected at least 109"; exit 1
  fi
  echo "ok $cxx $target $opt: linked by lld, $entries exception-table entries, all valid"
done
