#!/usr/bin/env bash
# unexpected_exception.sh <kernel32.elf> [timeout seconds]
# The negative path of the trap handler: boots the test kernel in QEMU with
# `scaffold=unexpected_ud2`, which executes a UD2 that no table owns. Passes
# only if the kernel reports it as `FAIL unexpected_exception vector=6` at the
# UD2's address, ends with `EXIT fail` and QEMU exits with isa-debug-exit's
# (1 << 1) | 1 = 3: an unowned fault fails the run fast instead of hanging.
set -uo pipefail
kernel=$1 limit=${2:-20}
command -v qemu-system-x86_64 >/dev/null ||
  { echo "FAIL: qemu-system-x86_64 missing (apt-get install qemu-system-x86)"; exit 1; }
[ -f "$kernel" ] || { echo "FAIL: no kernel at $kernel (build it first)"; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
timeout "$limit" qemu-system-x86_64 -cpu qemu64,+svm -m 256 -display none -no-reboot \
  -debugcon "file:$log" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
  -kernel "$kernel" -append "emulator=qemu cpu=qemu64,+svm scaffold=unexpected_ud2" \
  >/dev/null 2>&1
rc=$?
cat "$log"
[ "$rc" -eq 124 ] && { echo "FAIL: TIMEOUT after ${limit}s: an unowned exception hung the kernel"; exit 1; }
rip=$(sed -n 's/^scaffold: unowned ud2 at rip=\(0x[0-9a-f]*\)$/\1/p' "$log")
[ -n "$rip" ] || { echo "FAIL: the kernel never reached the unowned UD2"; exit 1; }
grep -qx "FAIL unexpected_exception vector=6 rip=$rip err=0x0" "$log" ||
  { echo "FAIL: no 'FAIL unexpected_exception vector=6 rip=$rip err=0x0' line"; exit 1; }
grep -qx "EXIT fail" "$log" || { echo "FAIL: the run did not end with 'EXIT fail'"; exit 1; }
[ "$rc" -eq 3 ] || { echo "FAIL: QEMU exit status $rc, want 3 (isa-debug-exit value 1)"; exit 1; }
echo "PASS unexpected_exception_fails_the_run (QEMU exit $rc)"
