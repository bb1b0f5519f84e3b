#!/usr/bin/env bash
# The verifier must fail on bad_table.cpp and name each defect in it.
#   verify_negative.sh <cxx> <include dir> <work dir> <verifier> [flags...]
# Flags after the verifier go to the compiler: a --target for Windows (and
# -fuse-ld=lld) builds a PE/COFF image instead of an ELF one.
set -euo pipefail
cxx=$1 include=$2 work=$3 verify=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
image=$work/bad_table
case "$*" in *windows*) image=$work/bad_table.exe ;; esac
"$cxx" "$@" -std=c++20 -O2 -I"$include" "$here/bad_table.cpp" -o "$image"
objdump -d --no-show-raw-insn "$image" | grep -E $'^ +[0-9a-f]+:\t(vmxoff|vmread)( |$)' |
  sed -E 's/^ +([0-9a-f]+):.*/\1/' >"$work/expected"
set +e
"$verify" --expect-sites "$work/expected" "$image" >"$work/out" 2>&1
rc=$?
set -e
cat "$work/out"
[ $rc -eq 1 ] || { echo "FAIL: exit status $rc, expected 1"; exit 1; }
for defect in "no VMX/SVM instruction (entry says vmxoff)" "bytes at the site are vmxoff, entry says vmread" \
  "not in bad_fixup_elsewhere" "2 entries for one site" "unknown instruction id 200" \
  "a virtualization instruction without an entry" "entry for a site the disassembly does not list"; do
  grep -qF -- "$defect" "$work/out" || { echo "FAIL: not reported: $defect"; exit 1; }
done
# Seven: the nop's entry is also one for a site no disassembler calls a
# virtualization instruction.
[ "$(grep -c '^error:' "$work/out")" -eq 7 ] || { echo "FAIL: expected exactly 7 errors"; exit 1; }
echo "verifier names every defect: OK"
