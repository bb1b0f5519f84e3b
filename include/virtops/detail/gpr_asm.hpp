// virtops internals: asm text shared by the wrappers that hand the whole
// register file to a guest (VM entry) or to a hypervisor (hypercalls).
//
// RBP and RBX are never clobbered: they may be the frame or base pointer
// (LLVM uses RBX as base pointer in realigned frames, e.g. under ASan, and
// ignores a clobber of it), so they are saved below the red zone and
// restored on every way out. RDI carries the register-block pointer in and
// is restored too, so it can be an input operand.
#pragma once

// Saves RBP, RBX and RDI below the 128-byte red zone of hosted code.
#define VIRTOPS_DETAIL_SAVE_HOST \
  "lea -128(%%rsp), %%rsp\n\t"   \
  "push %%rbp\n\t"               \
  "push %%rbx\n\t"               \
  "push %%rdi\n\t"

// Undoes VIRTOPS_DETAIL_SAVE_HOST; changes no flag.
#define VIRTOPS_DETAIL_RESTORE_HOST \
  "pop %%rdi\n\t"                   \
  "pop %%rbx\n\t"                   \
  "pop %%rbp\n\t"                   \
  "lea 128(%%rsp), %%rsp\n\t"

// Loads RBX, RCX, RDX, RSI, RBP and R8-R15 from the virtops::gprs at (%rdi).
#define VIRTOPS_DETAIL_LOAD_GPRS \
  "mov 0x08(%%rdi), %%rbx\n\t"   \
  "mov 0x10(%%rdi), %%rcx\n\t"   \
  "mov 0x18(%%rdi), %%rdx\n\t"   \
  "mov 0x20(%%rdi), %%rsi\n\t"   \
  "mov 0x30(%%rdi), %%rbp\n\t"   \
  "mov 0x38(%%rdi), %%r8\n\t"    \
  "mov 0x40(%%rdi), %%r9\n\t"    \
  "mov 0x48(%%rdi), %%r10\n\t"   \
  "mov 0x50(%%rdi), %%r11\n\t"   \
  "mov 0x58(%%rdi), %%r12\n\t"   \
  "mov 0x60(%%rdi), %%r13\n\t"   \
  "mov 0x68(%%rdi), %%r14\n\t"   \
  "mov 0x70(%%rdi), %%r15\n\t"

// The reverse of VIRTOPS_DETAIL_LOAD_GPRS.
#define VIRTOPS_DETAIL_STORE_GPRS \
  "mov %%rbx, 0x08(%%rdi)\n\t"    \
  "mov %%rcx, 0x10(%%rdi)\n\t"    \
  "mov %%rdx, 0x18(%%rdi)\n\t"    \
  "mov %%rsi, 0x20(%%rdi)\n\t"    \
  "mov %%rbp, 0x30(%%rdi)\n\t"    \
  "mov %%r8, 0x38(%%rdi)\n\t"     \
  "mov %%r9, 0x40(%%rdi)\n\t"     \
  "mov %%r10, 0x48(%%rdi)\n\t"    \
  "mov %%r11, 0x50(%%rdi)\n\t"    \
  "mov %%r12, 0x58(%%rdi)\n\t"    \
  "mov %%r13, 0x60(%%rdi)\n\t"    \
  "mov %%r14, 0x68(%%rdi)\n\t"    \
  "mov %%r15, 0x70(%%rdi)\n\t"

// After the guest/hypervisor ran: the guest's RDI is saved into the block
// whose pointer is on the stack, and RDI points at the block again.
#define VIRTOPS_DETAIL_RECOVER_RDI \
  "push %%rdi\n\t"                 \
  "mov 8(%%rsp), %%rdi\n\t"        \
  "popq 0x28(%%rdi)\n\t"

// Loads RAX, RBX, RCX, RDX, RSI and finally RDI from the
// virtops::hypercall_regs at (%rdi) (same offsets as in virtops::gprs).
#define VIRTOPS_DETAIL_LOAD_HYPERCALL \
  "mov 0x00(%%rdi), %%rax\n\t"        \
  "mov 0x08(%%rdi), %%rbx\n\t"        \
  "mov 0x10(%%rdi), %%rcx\n\t"        \
  "mov 0x18(%%rdi), %%rdx\n\t"        \
  "mov 0x20(%%rdi), %%rsi\n\t"        \
  "mov 0x28(%%rdi), %%rdi\n\t"

// Stores them back (RDI via VIRTOPS_DETAIL_RECOVER_RDI); changes no flag.
#define VIRTOPS_DETAIL_STORE_HYPERCALL \
  VIRTOPS_DETAIL_RECOVER_RDI           \
  "mov %%rax, 0x00(%%rdi)\n\t"         \
  "mov %%rbx, 0x08(%%rdi)\n\t"         \
  "mov %%rcx, 0x10(%%rdi)\n\t"         \
  "mov %%rdx, 0x18(%%rdi)\n\t"         \
  "mov %%rsi, 0x20(%%rdi)\n\t"

// The fault stub (label 881): restore the host, leave through the fault
// label. (VIRTOPS_DETAIL_OUT_OF_LINE is extable.hpp's, which every user of
// this header includes.)
#define VIRTOPS_DETAIL_FAULT_STUB \
  VIRTOPS_DETAIL_OUT_OF_LINE("881:\t" VIRTOPS_DETAIL_RESTORE_HOST "jmp %l[fault]\n\t")

// Zeroes RBX, RCX, RDX, RSI, RBP and R8-R15 (a 32-bit XOR zeroes the whole
// register), as KVM's vmenter.S does after a VM exit: once the guest's
// values are stored, no register keeps one for a later speculative gadget.
// RBX and RBP are zeroed although the stack restores them next (KVM's
// reason: a pop that misses the cache could let speculation run on the
// guest's value). RAX and RDI are the wrapper's to zero or keep (VMX
// zeroes the guest's RAX; SVM's RAX is the host's VMCB address; RDI holds
// the gprs address). Changes the flags. Not in the fault stub: no guest ran
// there, and the extable verifier (tools/extable_verify.cpp, also run on
// users' images) recognises the stub by its exact bytes.
#define VIRTOPS_DETAIL_CLEAR_GPRS \
  "xor %%ebx, %%ebx\n\t"          \
  "xor %%ecx, %%ecx\n\t"          \
  "xor %%edx, %%edx\n\t"          \
  "xor %%esi, %%esi\n\t"          \
  "xor %%ebp, %%ebp\n\t"          \
  "xor %%r8d, %%r8d\n\t"          \
  "xor %%r9d, %%r9d\n\t"          \
  "xor %%r10d, %%r10d\n\t"        \
  "xor %%r11d, %%r11d\n\t"        \
  "xor %%r12d, %%r12d\n\t"        \
  "xor %%r13d, %%r13d\n\t"        \
  "xor %%r14d, %%r14d\n\t"        \
  "xor %%r15d, %%r15d\n\t"

// The same and RDI, for an entry without a register block: there RDI holds
// the guest's RDI too.
#define VIRTOPS_DETAIL_CLEAR_GPRS_RDI VIRTOPS_DETAIL_CLEAR_GPRS "xor %%edi, %%edi\n\t"

// Clobbered by a guest: every GPR but RAX (listed where it is not an input),
// RSP, and RBX/RBP/RDI (restored); on Win64 also XMM6-XMM15, which are
// callee-saved there, so the compiler saves them around the wrapper. Only
// where SSE is on: with -mgeneral-regs-only the compiler can save no XMM
// register (Clang ignores the clobber) and the guest must leave them alone.
#if defined(_WIN64) && defined(__SSE__)
#define VIRTOPS_DETAIL_WIN64_XMM \
  , "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
#else
#define VIRTOPS_DETAIL_WIN64_XMM
#endif
#define VIRTOPS_DETAIL_GUEST_CLOBBERS                                              \
  "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc", \
      "memory" VIRTOPS_DETAIL_WIN64_XMM
