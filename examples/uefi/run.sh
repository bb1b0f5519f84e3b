#!/usr/bin/env bash
# run.sh <BOOTX64.EFI> [timeout seconds]: boots a UEFI application under
# OVMF in QEMU (TCG, -cpu EPYC: SVM, no VMX) from a FAT directory, prints
# what it wrote to the debug console (port 0xE9) and exits 0 if it ended the
# run with "ok" through isa-debug-exit (QEMU's status 1).
set -uo pipefail
efi=$1 limit=${2:-60}
ovmf=${VIRTOPS_OVMF:-/usr/share/ovmf/OVMF.fd}
[ -f "$ovmf" ] || { echo "FAIL: no $ovmf (apt-get install ovmf)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/esp/EFI/BOOT"
cp "$efi" "$work/esp/EFI/BOOT/BOOTX64.EFI"
timeout "$limit" qemu-system-x86_64 -machine q35 -cpu EPYC -bios "$ovmf" \
  -drive file=fat:rw:"$work/esp",format=raw -display none -monitor none -net none \
  -debugcon file:"$work/debugcon.log" -global isa-debugcon.iobase=0xe9 \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial file:"$work/serial.log" \
  >/dev/null 2>"$work/err.txt"
rc=$?
cat "$work/debugcon.log"
if [ $rc -ne 1 ]; then
  echo "FAIL: QEMU exit status $rc (1 is the application's ok)"
  tail -20 "$work/serial.log" "$work/err.txt"
  exit 1
fi
