#!/usr/bin/env bash
# The virtops demo: builds the minivisor (examples/minivisor) and boots it on
# an emulated CPU, where it runs a guest, handles its exits, and goes through
# an emergency shutdown whose faults virtops eats or reports by policy.
#
#   scripts/demo.sh              QEMU, AMD SVM (software emulation)
#   scripts/demo.sh bochs-vmx    Bochs, Intel VMX (Skylake-X)
#   scripts/demo.sh bochs-svm    Bochs, AMD SVM (Ryzen)
#   scripts/demo.sh userspace    every wrapper faulting in ring 3, per policy
#   scripts/demo.sh uefi         QEMU, AMD SVM, the minivisor as a UEFI application under OVMF
#   scripts/demo.sh smp          QEMU, 4 CPUs, SVM: every CPU in SVM with its own
#                                guest, per-CPU fault records, NMIs, the
#                                emergency flow (NMI shootdown) and teardown
#   scripts/demo.sh bochs-vmx-smp  the same on Bochs, 4 CPUs, Intel VMX (Skylake-X)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=packages.sh
. "$root/scripts/packages.sh"
mode=${1:-qemu}
dir=${VIRTOPS_BUILD_ROOT:-$root/build}/demo
case $mode in
  userspace)
    ensure_packages cmake ninja-build g++
    cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=g++ -DVIRTOPS_BUILD_TESTS=OFF >/dev/null
    cmake --build "$dir" --target userspace >/dev/null
    exec "$dir/examples/userspace"
    ;;
  uefi)
    ensure_packages clang-19 lld-19 qemu-system-x86 ovmf
    echo "Building the minivisor as a UEFI application (clang-19, lld, PE/COFF)..."
    "$root/examples/uefi/build.sh" clang++-19 "$root/include" "$dir/minivisor-uefi" "$root/examples/minivisor"
    echo "Booting it under OVMF in QEMU (EPYC):"
    echo
    exec "$root/examples/uefi/run.sh" "$dir/minivisor-uefi/BOOTX64.EFI" 90
    ;;
  qemu) ensure_packages g++ binutils qemu-system-x86; emulator=qemu model=EPYC ;;
  bochs-vmx) emulator=bochs model=corei7_skylake_x ;;
  bochs-svm) emulator=bochs model=ryzen ;;
  smp) ensure_packages g++ binutils qemu-system-x86; emulator=qemu model=EPYC cpus=4 ;;
  bochs-vmx-smp) emulator=bochs model=corei7_skylake_x cpus=4 ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
[ "$emulator" = bochs ] && ensure_packages g++ binutils bochs bochsbios vgabios grub-pc-bin grub-common xorriso mtools
if [ -n "${cpus:-}" ]; then
  # The SMP demo is the SMP ring-0 kernel: it prints what each CPU did.
  echo "Building the SMP kernel (g++, freestanding, virtops headers only)..."
  "$root/examples/baremetal/build.sh" g++ "$root/include" "$dir/smp" "$root/tests/ring0/smp"
  echo "Booting it on $emulator ($model, $cpus CPUs):"
  echo
  exec "$root/examples/baremetal/run.sh" "$emulator" "$model" "$dir/smp/kernel32.elf" 90 "$cpus"
fi
echo "Building the minivisor (g++, freestanding, virtops headers only)..."
"$root/examples/baremetal/build.sh" g++ "$root/include" "$dir/minivisor" "$root/examples/minivisor"
echo "Booting it on $emulator ($model):"
echo
exec "$root/examples/baremetal/run.sh" "$emulator" "$model" "$dir/minivisor/kernel32.elf" 60
