// virtops: AMD SVM instruction wrappers.
//
// SVM instructions have no VMfail: they succeed or raise an exception (a bad
// VMCB makes VMRUN exit at once with VMEXIT_INVALID instead). So the hot path
// is the bare instruction and the only other way out is the fault label.
#pragma once

#include <cstdint>

#include "config.hpp"
#include "detail/outcome.hpp"
#include "extable.hpp"
#include "insn.hpp"
#include "policy.hpp"
#include "status.hpp"

namespace virtops::svm {

namespace detail = virtops::detail;

// VMRUN without guest register state: the guest starts with the host's GPRs
// (but RAX/RSP/RIP from the VMCB) and leaves its own behind, so every GPR is
// clobbered; RBP is saved by hand. The guest must not change SIMD/x87 state
// the host relies on. GIF handling (CLGI before, STGI after) is the caller's.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmrun(std::uint64_t vmcb_pa) noexcept {
  // The push skips the 128-byte red zone of hosted x86-64 code.
  asm volatile goto(
      "lea -128(%%rsp), %%rsp\n\t"
      "push %%rbp\n"
      "1:\tvmrun %%rax\n\t"
      "pop %%rbp\n\t"
      "lea 128(%%rsp), %%rsp\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "880f", "%c[id]")
      ".subsection 1\n"
      "880:\tpop %%rbp\n\t"
      "lea 128(%%rsp), %%rsp\n\t"
      "jmp %l[fault]\n\t"
      ".subsection 0\n\t"
      :
      : "a"(vmcb_pa), [id] "i"(static_cast<int>(insn::vmrun))
      : "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
        "cc", "memory"
      : fault);
  return {};
fault:
  return detail::on_fault<P>();
}

// Loads FS/GS/TR/LDTR hidden state, KernelGSBase, STAR/LSTAR/CSTAR/SFMASK and
// SYSENTER MSRs from the VMCB at `pa`.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmload(std::uint64_t pa) noexcept {
  asm volatile goto("1: vmload %%rax\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "%l[fault]", "%c[id]")
                    :
                    : "a"(pa), [id] "i"(static_cast<int>(insn::vmload))
                    : "memory"
                    : fault);
  return {};
fault:
  return detail::on_fault<P>();
}

// Stores the state vmload() loads into the VMCB at `pa`.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmsave(std::uint64_t pa) noexcept {
  asm volatile goto("1: vmsave %%rax\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "%l[fault]", "%c[id]")
                    :
                    : "a"(pa), [id] "i"(static_cast<int>(insn::vmsave))
                    : "memory"
                    : fault);
  return {};
fault:
  return detail::on_fault<P>();
}

// Sets the global interrupt flag.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status stgi() noexcept {
  asm volatile goto("1: stgi\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "%l[fault]", "%c[id]")
                    :
                    : [id] "i"(static_cast<int>(insn::stgi))
                    : "memory"
                    : fault);
  return {};
fault:
  return detail::on_fault<P>();
}

// Clears the global interrupt flag.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status clgi() noexcept {
  asm volatile goto("1: clgi\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "%l[fault]", "%c[id]")
                    :
                    : [id] "i"(static_cast<int>(insn::clgi))
                    : "memory"
                    : fault);
  return {};
fault:
  return detail::on_fault<P>();
}

// Invalidates the TLB mapping of virtual address `va` for `asid`.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status invlpga(std::uint64_t va, std::uint32_t asid) noexcept {
  asm volatile goto("1: invlpga %%rax, %%ecx\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "%l[fault]", "%c[id]")
                    :
                    : "a"(va), "c"(asid), [id] "i"(static_cast<int>(insn::invlpga))
                    : "memory"
                    : fault);
  return {};
fault:
  return detail::on_fault<P>();
}

}  // namespace virtops::svm
