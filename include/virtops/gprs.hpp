/// \file
/// virtops: guest general-purpose registers, loaded before VM entry and
/// saved after VM exit by vmx::launch/resume and svm::vmrun(vmcb, gprs).
#pragma once

#include "detail/std.hpp"

namespace virtops {

/// The guest's GPRs, one register file for VMX and SVM (as KVM's
/// vcpu->arch.regs). RSP and RIP are not here: they live in the VMCS/VMCB.
///
/// SVM: VMRUN loads the guest's RAX from the VMCB (save.rax) and \#VMEXIT
/// stores it back there, so svm::vmrun(pa, gprs) neither reads nor writes
/// gprs::rax. The guest's RAX is vmcb.save.rax; a hypervisor that keeps it
/// in gprs::rax copies it in before VMRUN and out after, as KVM's
/// svm_vcpu_run() does (svm->vmcb->save.rax = regs[VCPU_REGS_RAX], and back).
struct gprs {
  /// VMX: the guest's RAX, loaded and saved by vmx::launch/resume.
  /// SVM: IGNORED by svm::vmrun; the guest's RAX is vmcb::vmcb::save.rax.
  std::uint64_t rax;
  std::uint64_t rbx, rcx, rdx, rsi, rdi, rbp;
  std::uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/// The entry/exit asm addresses these by fixed offsets (the SVM entry uses
/// 0x08 to 0x70 only: RBX to R15).
static_assert(offsetof(gprs, rax) == 0x00 && offsetof(gprs, rbx) == 0x08 &&
              offsetof(gprs, rcx) == 0x10 && offsetof(gprs, rdx) == 0x18 &&
              offsetof(gprs, rsi) == 0x20 && offsetof(gprs, rdi) == 0x28 &&
              offsetof(gprs, rbp) == 0x30 && offsetof(gprs, r8) == 0x38 &&
              offsetof(gprs, r15) == 0x70 && sizeof(gprs) == 0x78);

/// Hypercall registers (KVM's ABI: number in RAX, arguments in RBX, RCX, RDX,
/// RSI; the result comes back in RAX). All six are passed in and copied back.
struct hypercall_regs {
  std::uint64_t rax, rbx, rcx, rdx, rsi, rdi;
};

}  // namespace virtops
