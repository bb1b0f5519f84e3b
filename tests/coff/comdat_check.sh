#!/usr/bin/env bash
# Entries follow their function on PE/COFF: two objects with a copy each of
# an inline function with one site (-O0: not inlined, a COMDAT each) and an
# unreferenced function with one site (-ffunction-sections, as /Gy), linked with lld and dead code
# removed, must give a table with exactly one entry per RDMSR left in the
# image (the kept copy's), none for the dropped copy or the dead function.
#   comdat_check.sh <clang++> <include dir> <work dir> <verifier> <target>
set -euo pipefail
cxx=$1 include=$2 work=$3 verify=$4 target=$5
here=$(cd "$(dirname "$0")" && pwd)
bin=$(dirname "$(readlink -f "$(command -v "$cxx")")")
mkdir -p "$work"
flags=(--target="$target" -std=c++20 -ffreestanding -fno-exceptions -fno-rtti -nostdlib
       -mno-red-zone -fno-stack-protector -ffunction-sections -O0 -Wall -Wextra -Werror -I"$include")
for tu in a b; do "$cxx" "${flags[@]}" -c "$here/comdat_$tu.cpp" -o "$work/$tu.obj"; done
image=$work/comdat-$target.exe
case $target in
  *-msvc) "$bin/lld-link" /nodefaultlib /entry:comdat_start /subsystem:native /opt:ref \
            /debug:symtab "/out:$image" "$work/a.obj" "$work/b.obj" ;;
  *) "$bin/ld.lld" -m i386pep -e comdat_start --subsystem native --gc-sections -o "$image" \
       "$work/a.obj" "$work/b.obj" ;;
esac
# Both objects had a copy of the inline function's site.
for tu in a b; do
  objdump -d "$work/$tu.obj" >"$work/$tu.dis"
  grep -q $'\trdmsr' "$work/$tu.dis" || { echo "FAIL: $tu.obj has no RDMSR"; exit 1; }
done
objdump -d --no-show-raw-insn "$image" | grep -E $'^ +[0-9a-f]+:\trdmsr' |
  sed -E 's/^ +([0-9a-f]+):.*/\1/' >"$image.sites"
sites=$(wc -l <"$image.sites")
[ "$sites" -eq 1 ] || { echo "FAIL: $sites RDMSRs in the image, expected 1 (one copy kept, the dead function dropped)"; exit 1; }
"$verify" --list --expect-sites "$image.sites" "$image"
echo "comdat $target: one copy kept with its entry, the other copy's and the dead function's gone: OK"
