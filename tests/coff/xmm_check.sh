#!/usr/bin/env bash
# Win64 keeps XMM6-XMM15 callee-saved: a function that enters a guest
# (vmx::launch/resume, svm::vmrun with and without gprs) must save and
# restore all ten, since the guest may change them. Builds the codegen sites
# for x86_64-w64-windows-gnu with SSE on, and counts the distinct XMM6-15
# each such function stores to its stack.
#   xmm_check.sh <clang++> <include dir> <work dir>
set -euo pipefail
cxx=$1 include=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
"$cxx" --target=x86_64-w64-windows-gnu -fuse-ld=lld -std=c++20 -O2 -Wall -Wextra -Werror \
  -I"$include" "$here/../codegen/sites.cpp" -o "$work/sites.exe"
objdump -d --no-show-raw-insn "$work/sites.exe" >"$work/sites.dis"
fail=0
for fn in cg_launch cg_resume cg_vmrun cg_vmrun_gprs; do
  saved=$(awk -v f="<$fn>:" '$2 == f { on = 1; next } /^$/ { on = 0 } on' "$work/sites.dis" |
    grep -oE 'mov[au]ps +%xmm([6-9]|1[0-5]),' | sort -u | wc -l || true)
  echo "$fn: $saved of XMM6-XMM15 saved"
  [ "$saved" -eq 10 ] || fail=1
done
[ $fail -eq 0 ] && echo "Win64: every guest entry saves XMM6-XMM15: OK"
exit $fail
