/// \file
/// virtops: guest general-purpose registers, loaded before VM entry and
/// saved after VM exit by vmx::launch/resume and svm::vmrun(vmcb, gprs).
#pragma once

#include <cstddef>
#include <cstdint>

namespace virtops {

/// RSP and RIP live in the VMCS/VMCB. For SVM, RAX does too: gprs::rax is
/// neither loaded nor saved by svm::vmrun.
struct gprs {
  std::uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
  std::uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/// The entry/exit asm addresses these by fixed offsets.
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
