// For comparison only: the pattern Linux KVM used last before asm goto,
// __kvm_handle_fault_on_reboot() alias __ex(): after the instruction an
// unconditional jmp over a call to a "spurious fault" handler, which the
// exception-table entry made the fixup. (Older kernels kept that call in
// .fixup, off the hot path.) Written from its description, not copied; the
// handler here just records that it ran.
#pragma once

#include <virtops/extable.hpp>

// "used": only the asm calls it.
extern "C" [[gnu::used, gnu::noinline]] inline void legacy_spurious_fault() noexcept {
  static volatile int faults;
  faults = faults + 1;
}

// insn; jmp 2f; 1: call legacy_spurious_fault; 2:  + entry(site, 1b). The
// asm using it names the virtops::insn id as operand [id].
#define LEGACY_EX(insn)                \
  "666: " insn                         \
  "\n\t"                               \
  "jmp 668f\n"                         \
  "667:\tcall legacy_spurious_fault\n" \
  "668:\n\t" VIRTOPS_EXTABLE_ENTRY("666b", "667b", "%c[id]")
