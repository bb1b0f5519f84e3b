#!/usr/bin/env bash
# check.sh <qemu|bochs> <cpu model> <kernel32.elf>, or check.sh uefi - <BOOTX64.EFI>: boots the minivisor and
# checks the story its log must tell, not only that it exited "ok".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "$1" = uefi ]; then  # check.sh uefi - <BOOTX64.EFI>: under OVMF
  out=$("$here/../uefi/run.sh" "$3" 90)
else
  out=$("$here/../baremetal/run.sh" "$1" "$2" "$3" 60)
fi
rc=$?
echo "$out"
[ $rc -eq 0 ] || exit 1
for line in "guest> Hello from the guest" "guest> virtops-mini" "exit: OUT port 0x510 value 333833500" \
            "exit: HLT, the guest is done" "expected 333833500: ok" \
            "(fault eaten while rebooting)" "-> reported: .* raised vector 6 at" "minivisor: all good"; do
  if ! grep -q -- "$line" <<<"$out"; then
    echo "FAIL: the minivisor log lacks: $line"
    exit 1
  fi
done
