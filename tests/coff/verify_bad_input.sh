#!/usr/bin/env bash
# The verifier on broken PE files: a good image (the planted-bad-entry one of
# coff_verify_negative) cut short at every header boundary and beyond, and
# with its sections' data pointing out of the file, must give a one-line diagnosis and exit
# status 1 or 2, never a crash.
#   verify_bad_input.sh <clang++> <include dir> <work dir> <verifier>
set -uo pipefail
cxx=$1 include=$2 work=$3 verify=$4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
image=$work/bad_table.exe
"$cxx" --target=x86_64-w64-windows-gnu -fuse-ld=lld -std=c++20 -O2 -I"$include" \
  "$here/../codegen/bad_table.cpp" -o "$image" || exit 1
size=$(stat -c %s "$image")
pe=$(od -An -tu4 -j60 -N4 "$image" | tr -d ' ')
fail=0
try() {  # name, file
  "$verify" "$2" >"$work/out" 2>&1
  local rc=$?
  if [ $rc -ne 1 ] && [ $rc -ne 2 ]; then
    echo "FAIL $1: exit status $rc"; cat "$work/out"; fail=1
  elif grep -qE 'Sanitizer|runtime error' "$work/out"; then
    echo "FAIL $1: a sanitizer report"; head -5 "$work/out"; fail=1
  elif [ ! -s "$work/out" ]; then
    echo "FAIL $1: no diagnosis"; fail=1
  else
    echo "ok $1 ($rc): $(head -1 "$work/out")"
  fi
}
for n in 1 2 63 64 $((pe + 3)) $((pe + 24)) $((pe + 24 + 100)) $((pe + 24 + 240)) \
         $((pe + 24 + 240 + 20)) 1024 $((size / 2)) $((size - 1)); do
  head -c "$n" "$image" >"$work/cut.exe"
  try "cut at $n bytes" "$work/cut.exe"
done
# Every section's raw data pointer (PointerToRawData) far beyond the file.
cp "$image" "$work/far.exe"
nsections=$(od -An -tu2 -j$((pe + 6)) -N2 "$image" | tr -d ' ')
opt_size=$(od -An -tu2 -j$((pe + 20)) -N2 "$image" | tr -d ' ')
table=$((pe + 24 + opt_size))
for k in $(seq 0 $((nsections - 1))); do
  printf '\x00\xf0\xff\xff' | dd of="$work/far.exe" bs=1 seek=$((table + k * 40 + 20)) conv=notrunc status=none
done
try "section data pointing out of the file" "$work/far.exe"
[ $fail -eq 0 ] && echo "broken PE files: a diagnosis each, no crash: OK"
exit $fail
