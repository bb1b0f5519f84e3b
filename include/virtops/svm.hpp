/// \file
/// virtops: AMD SVM instruction wrappers.
///
/// SVM instructions have no VMfail: they succeed or raise an exception (a bad
/// VMCB makes VMRUN exit at once with VMEXIT_INVALID instead). So the hot path
/// is the bare instruction and the only other way out is the fault label.
#pragma once

#include "config.hpp"
#include "detail/gpr_asm.hpp"
#include "detail/outcome.hpp"
#include "detail/std.hpp"
#include "extable.hpp"
#include "gprs.hpp"
#include "insn.hpp"
#include "policy.hpp"
#include "status.hpp"

namespace virtops::svm {

namespace detail = virtops::detail;

/// VMRUN without guest register state: the guest starts with the host's GPRs
/// (but RAX/RSP/RIP from the VMCB); what it leaves in them is zeroed after
/// `#VMEXIT` (RBX, RCX, RDX, RSI, RDI, RBP, R8-R15; RAX comes back from the
/// host save area), so the GPRs are clobbered but for RBX/RBP/RDI, saved by
/// hand. The guest must not change SIMD/x87 state the host relies on. GIF
/// handling (CLGI before, STGI after) is the caller's.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmrun(std::uint64_t vmcb_pa) noexcept {
  // RAX comes back from the host save area; RBX, RBP, RDI from the stack.
  // The fault stub needs no clearing: the guest never ran.
  asm volatile goto(
      VIRTOPS_DETAIL_SAVE_HOST VIRTOPS_DETAIL_SITE("1", "vmrun %%rax", "881f")
          VIRTOPS_DETAIL_CLEAR_GPRS_RDI VIRTOPS_DETAIL_RESTORE_HOST VIRTOPS_DETAIL_FAULT_STUB
      :
      : "a"(vmcb_pa), VIRTOPS_DETAIL_INSN_ID(vmrun)
      : VIRTOPS_DETAIL_GUEST_CLOBBERS
      : fault);
  VIRTOPS_DETAIL_SUCCESS_EDGE();
  return {};
fault:
  return detail::on_fault<P>();
}

/// Loads FS/GS/TR/LDTR hidden state, KernelGSBase, STAR/LSTAR/CSTAR/SFMASK and
/// SYSENTER MSRs from the VMCB at `pa`.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmload(std::uint64_t pa) noexcept {
  VIRTOPS_DETAIL_PLAIN_ASM(vmload, "%%rax", "a"(pa));
}

/// Stores the state vmload() loads into the VMCB at `pa`.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmsave(std::uint64_t pa) noexcept {
  VIRTOPS_DETAIL_PLAIN_ASM(vmsave, "%%rax", "a"(pa));
}

/// Sets the global interrupt flag.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status stgi() noexcept {
  VIRTOPS_DETAIL_PLAIN_ASM(stgi, "");
}

/// Clears the global interrupt flag.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status clgi() noexcept {
  VIRTOPS_DETAIL_PLAIN_ASM(clgi, "");
}

/// Invalidates the TLB mapping of virtual address `va` for `asid`.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status invlpga(std::uint64_t va, std::uint32_t asid) noexcept {
  VIRTOPS_DETAIL_PLAIN_ASM(invlpga, "%%rax, %%ecx", "a"(va), "c"(asid));
}

/// VMRUN with guest GPRs (what KVM's vmenter.S does for SVM): loads RBX..R15
/// from `regs`, runs the guest, and stores its GPRs back after `#VMEXIT`.
/// `regs.rax` is neither read nor written: the guest's RAX, RSP and RIP are
/// in the VMCB (save.rax, save.rsp, save.rip), so set the guest's RAX there
/// before and read it there after (KVM's svm_vcpu_run() copies
/// regs[VCPU_REGS_RAX] to and from save.rax around this). The host's RAX
/// (the VMCB address), RSP and RIP come back from the host save area. The
/// exit code is in the VMCB; VMEXIT_INVALID (a bad VMCB) is a normal return
/// here. GIF stays 0 after `#VMEXIT` until the caller's stgi(). After the
/// stores, every GPR that held a guest value (RBX, RCX, RDX, RSI, RBP,
/// R8-R15) is zeroed, as in KVM's vmenter.S. RAX is the host's (the VMCB
/// address) and is kept. A fault (the guest never ran) leaves the gprs'
/// values in the clobbered registers.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmrun(std::uint64_t vmcb_pa, gprs& regs) noexcept {
  // RAX (the VMCB address) comes back from the host save area, so it can be
  // an input; RDI points at the gprs (detail/gpr_asm.hpp).
  asm volatile goto(
      VIRTOPS_DETAIL_SAVE_HOST VIRTOPS_DETAIL_LOAD_GPRS
      "mov 0x28(%%rdi), %%rdi\n" VIRTOPS_DETAIL_SITE("1", "vmrun %%rax", "881f")
          VIRTOPS_DETAIL_RECOVER_RDI VIRTOPS_DETAIL_STORE_GPRS VIRTOPS_DETAIL_CLEAR_GPRS
              VIRTOPS_DETAIL_RESTORE_HOST VIRTOPS_DETAIL_FAULT_STUB
      :
      : "a"(vmcb_pa), "D"(&regs), VIRTOPS_DETAIL_INSN_ID(vmrun)
      : VIRTOPS_DETAIL_GUEST_CLOBBERS
      : fault);
  VIRTOPS_DETAIL_SUCCESS_EDGE();
  return {};
fault:
  return detail::on_fault<P>();
}

/// VMMCALL, from a guest: a hypercall when the hypervisor intercepts it, `#UD`
/// otherwise. Registers go in from and come back to `regs`.
/// After a fault `regs` keeps its inputs: the instruction never ran.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmmcall(hypercall_regs& regs) noexcept {
  asm volatile goto(
      VIRTOPS_DETAIL_SAVE_HOST VIRTOPS_DETAIL_LOAD_HYPERCALL VIRTOPS_DETAIL_SITE("1", "vmmcall",
                                                                                 "881f")
          VIRTOPS_DETAIL_STORE_HYPERCALL VIRTOPS_DETAIL_RESTORE_HOST VIRTOPS_DETAIL_FAULT_STUB
      :
      : "D"(&regs), VIRTOPS_DETAIL_INSN_ID(vmmcall)
      : "rax", "rcx", "rdx", "rsi", "memory"
      : fault);
  VIRTOPS_DETAIL_SUCCESS_EDGE();
  return {};
fault:
  return detail::on_fault<P>();
}

}  // namespace virtops::svm
