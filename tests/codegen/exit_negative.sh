#!/usr/bin/env bash
# The exit-path check (exit_check.sh) must fail, and name every guest-entry
# function, on a copy of the headers with the zeroing XORs taken out.
#   exit_negative.sh <cxx> <include dir> <work dir> <FileCheck>
set -euo pipefail
cxx=$1 include=$2 work=$3 filecheck=$4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
cp -r "$include" "$work/include"
xors='"xor %%[a-z0-9]+, %%[a-z0-9]+\\n\\t"'
removed=$(cat "$work"/include/virtops/*.hpp "$work"/include/virtops/detail/*.hpp | grep -Eo "$xors" | wc -l)
[ "$removed" -ge 15 ] || { echo "FAIL: only $removed zeroing XORs found in the headers"; exit 1; }
sed -E -i "s/$xors//g" "$work"/include/virtops/*.hpp "$work"/include/virtops/detail/*.hpp
"$cxx" -std=c++20 -O2 -I"$work/include" "$here/sites.cpp" -o "$work/sites"
objdump -d --no-show-raw-insn "$work/sites" >"$work/sites.dis"
set +e
"$here/exit_check.sh" "$work/sites.dis" "$work/exit" "$filecheck" >"$work/out" 2>&1
rc=$?
set -e
tail -1 "$work/out"
[ $rc -eq 1 ] || { echo "FAIL: exit status $rc, expected 1"; exit 1; }
grep -q '^exit path: guest GPRs not stored and then zeroed in: cg_launch cg_resume cg_vmrun_gprs cg_vmrun$' \
  "$work/out" || { echo "FAIL: not every guest-entry function named"; exit 1; }
echo "exit-path check fails without the zeroing ($removed XORs taken out): OK"
