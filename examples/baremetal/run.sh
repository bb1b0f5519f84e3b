#!/usr/bin/env bash
# run.sh <qemu|bochs> <cpu model> <kernel32.elf> [timeout seconds] [CPUs]
# Boots a bare-metal program under `timeout`, prints what it wrote to port
# 0xE9, and passes only if the program ended with "EXIT ok" (see
# baremetal::exit_emulator): a hang, a crash or "EXIT fail" fails. With CPUs
# (default 1) the machine has that many; the kernel sees "cpus=N".
set -uo pipefail
emu=$1 model=$2 kernel=$3 limit=${4:-60} cpus=${5:-1}
[ -f "$kernel" ] || { echo "FAIL: no kernel at $kernel (build it first)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/out.txt
case $emu in
  qemu)
    command -v qemu-system-x86_64 >/dev/null || { echo "FAIL: qemu-system-x86_64 missing (apt-get install qemu-system-x86)"; exit 1; }
    timeout "$limit" qemu-system-x86_64 -cpu "$model" -smp "$cpus" -m 256 -display none -no-reboot \
      -debugcon "file:$log" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
      -kernel "$kernel" -append "emulator=qemu cpu=$model cpus=$cpus" >/dev/null 2>"$work/err.txt"
    rc=$?
    ;;
  bochs)
    for tool in bochs grub-mkrescue xorriso; do
      command -v $tool >/dev/null || { echo "FAIL: $tool missing (apt-get install bochs bochsbios vgabios grub-pc-bin grub-common xorriso mtools)"; exit 1; }
    done
    mkdir -p "$work/iso/boot/grub"
    cp "$kernel" "$work/iso/boot/kernel.elf"
    cat >"$work/iso/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
menuentry "virtops" {
  multiboot /boot/kernel.elf emulator=bochs cpu=$model cpus=$cpus
  boot
}
CFG
    grub-mkrescue -o "$work/boot.iso" "$work/iso" >/dev/null 2>&1 || { echo "FAIL: grub-mkrescue failed"; exit 1; }
    echo continue >"$work/rc"
    cat >"$work/bochsrc" <<RC
megs: 256
cpu: model=$model, count=$cpus, ips=10000000, reset_on_triple_fault=0, ignore_bad_msrs=0
clock: sync=none
display_library: rfb, options="timeout=0"
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path="$work/boot.iso", status=inserted
boot: cdrom
port_e9_hack: enabled=1
sound: driver=dummy
speaker: enabled=0
log: $work/bochs.log
error: action=report
panic: action=fatal
RC
    # Bochs prints port 0xE9 to stdout; it exits 1 on "Shutdown" whatever the
    # result. Its only display here, RFB, must bind a TCP port in 5900-5949
    # and panics when concurrent instances race for one: that is retried.
    for attempt in 1 2 3 4 5; do
      timeout "$limit" bochs -q -f "$work/bochsrc" -rc "$work/rc" >"$log" 2>"$work/err.txt" </dev/null
      rc=$?
      grep -q 'RFB could not bind' "$work/bochs.log" 2>/dev/null || break
      echo "(bochs: RFB port race, attempt $attempt; retrying)" >&2
      sleep "0.$((RANDOM % 9 + 1))"
    done
    ;;
  *) echo "usage: run.sh <qemu|bochs> <cpu model> <kernel32.elf> [timeout] [CPUs]"; exit 2 ;;
esac
grep -av '^[[:space:]]*$' "$log" | grep -avE 'Bochs x86 Emulator|Built from|Timestamp|^=+$|^[0-9]+[ie]\[|^Next at|^\([0-9]+\)|^<bochs'

if [ "$rc" -eq 124 ]; then
  echo "FAIL: TIMEOUT after ${limit}s ($emu $model): the kernel hung or the emulator did not exit"
  [ "$emu" = bochs ] && tail -5 "$work/bochs.log"
  exit 1
fi
verdict=$(grep -a '^EXIT ' "$log" | tail -1)
if [ "$verdict" = "EXIT ok" ]; then exit 0; fi
echo "FAIL: the program did not end with 'EXIT ok' ($emu $model, emulator exit $rc${verdict:+, $verdict})"
tail -5 "$work/err.txt"
[ "$emu" = bochs ] && grep -aE 'PANIC|ERROR|triple' "$work/bochs.log" | tail -5
exit 1
