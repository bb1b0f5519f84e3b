#!/usr/bin/env bash
# Builds a test program as a UEFI application (Clang for
# x86_64-w64-windows-gnu, freestanding; ld.lld -m i386pep --subsystem
# efi_application), checks its exception table with the verifier, boots it
# from a FAT directory under OVMF in QEMU (TCG, -cpu EPYC) and checks what it
# printed to the debug console (port 0xE9): no failure, and the foreign #UD
# it ends with reported by the firmware (serial console) at the address it
# printed, so the adapter left it alone.
#   uefi_run.sh <clang++> <include dir> <work dir> <verifier> <source> <-O level>
set -euo pipefail
cxx=$1 include=$2 work=$3 verify=$4 source=$5 opt=$6
bin=$(dirname "$(readlink -f "$(command -v "$cxx")")")  # the lld next to this clang
name=$(basename "$source" .cpp)$opt
dir=$work/$name
rm -rf "$dir" && mkdir -p "$dir/esp/EFI/BOOT"
"$cxx" --target=x86_64-w64-windows-gnu -std=c++20 -ffreestanding -fno-exceptions -fno-rtti \
  -nostdlib -mno-red-zone -fno-stack-protector "$opt" \
  -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror -I"$include" -c "$source" -o "$dir/$name.o"
"$bin/ld.lld" -m i386pep --subsystem efi_application -e efi_main -o "$dir/$name.efi" "$dir/$name.o"
"$verify" "$dir/$name.efi"
cp "$dir/$name.efi" "$dir/esp/EFI/BOOT/BOOTX64.EFI"
ovmf=${VIRTOPS_OVMF:-/usr/share/ovmf/OVMF.fd}
timeout 90 qemu-system-x86_64 -machine q35 -cpu EPYC -bios "$ovmf" \
  -drive file=fat:rw:"$dir/esp",format=raw -display none -monitor none -net none \
  -debugcon file:"$dir/debugcon.log" -global isa-debugcon.iobase=0xe9 \
  -serial file:"$dir/serial.log" >"$dir/qemu.log" 2>&1 &
qemu=$!
# The firmware halts after reporting the foreign #UD: stop QEMU then.
for _ in $(seq 180); do
  grep -q 'Exception Type' "$dir/serial.log" 2>/dev/null && break
  kill -0 $qemu 2>/dev/null || break
  sleep 0.5
done
sleep 0.5
kill $qemu 2>/dev/null || true
wait $qemu 2>/dev/null || true
cat "$dir/debugcon.log"
fail() { echo "FAIL: $*"; exit 1; }
grep -q '^0x0000000000000000 failures$' "$dir/debugcon.log" || fail "the application reported failures or did not finish"
! grep -q '^FAIL' "$dir/debugcon.log" || fail "a check failed"
at=$(sed -nE 's/^not ours: ud2 at 0x([0-9a-f]+)$/\1/p' "$dir/debugcon.log")
[ -n "$at" ] || fail "no foreign #UD"
report=$(grep -A1 'X64 Exception Type - 06' "$dir/serial.log" || true)
echo "$report"
grep -qi "RIP  - $at" <<<"$report" || fail "the firmware did not report the foreign #UD at $at"
echo "uefi $name: OK"
