/// \file
/// virtops: Intel VMX instruction wrappers.
///
/// Each wrapper is one `asm volatile goto`: the instruction, one `jna` to an
/// out-of-line stub that tells VMfailInvalid (CF) from VMfailValid (ZF), and
/// an exception-table entry whose fixup is the wrapper's fault label. The
/// `volatile` matters: GCC 12 deletes a non-volatile asm goto whose outputs
/// are unused.
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
#include "vmcs.hpp"

namespace virtops::detail {

// VMREAD giving a T: the untyped and the typed vmread share this asm, so
// neither adds a second merge of outcomes for the optimizer to see through.
template <class T, fault_policy P>
VIRTOPS_ALWAYS_INLINE result<T> vmread_as(std::uint64_t field) noexcept {
  status failure;
#if VIRTOPS_HAS_ASM_GOTO_OUTPUT
  std::uint64_t value;
  asm volatile goto(VIRTOPS_DETAIL_SITE("1", "vmread %[field], %[value]", "%l[fault]")
                        VIRTOPS_DETAIL_VMFAIL_BRANCH
                    : [value] "=r"(value)
                    : [field] "r"(field), VIRTOPS_DETAIL_INSN_ID(vmread)
                    : "cc"
                    : vmfail_invalid, vmfail_valid, fault);
#else
  // No asm goto outputs: VMREAD stores to memory, which the asm names as an
  // input and "memory" declares written.
  std::uint64_t value = 0;
  asm volatile goto(VIRTOPS_DETAIL_SITE("1", "vmread %[field], %[value]", "%l[fault]")
                        VIRTOPS_DETAIL_VMFAIL_BRANCH
                    :
                    : [value] "m"(value), [field] "r"(field), VIRTOPS_DETAIL_INSN_ID(vmread)
                    : "cc", "memory"
                    : vmfail_invalid, vmfail_valid, fault);
#endif
  VIRTOPS_DETAIL_SUCCESS_EDGE();
  return static_cast<T>(value);
  VIRTOPS_DETAIL_VMX_OUTCOMES(insn::vmread, field);
}

}  // namespace virtops::detail

namespace virtops::vmx {

namespace detail = virtops::detail;

struct invept_descriptor {
  std::uint64_t eptp;
  std::uint64_t reserved = 0;  ///< must be zero
};
static_assert(sizeof(invept_descriptor) == 16);

struct invvpid_descriptor {
  std::uint16_t vpid;
  std::uint16_t reserved[3] = {};  ///< must be zero
  std::uint64_t linear_address = 0;
};
static_assert(sizeof(invvpid_descriptor) == 16);

/// The INVEPT types (SDM Vol. 3C, 30.3, "INVEPT"): a type of its own, so that
/// an INVVPID type or a plain integer does not compile as one.
enum class invept_type : std::uint64_t { single_context = 1, all_context = 2 };

/// The INVVPID types (SDM Vol. 3C, 30.3, "INVVPID").
enum class invvpid_type : std::uint64_t {
  individual_address = 0,
  single_context = 1,
  all_context = 2,
  single_context_retaining_globals = 3,
};

/// Enters VMX root operation; `pa` is the physical address of the VMXON region.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmxon(std::uint64_t pa) noexcept {
  VIRTOPS_DETAIL_VMX_ASM(vmxon, "%[pa]", [pa] "m"(pa));
}

template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmxoff() noexcept {
  VIRTOPS_DETAIL_VMX_ASM(vmxoff, "");
}

template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmclear(std::uint64_t pa) noexcept {
  VIRTOPS_DETAIL_VMX_ASM(vmclear, "%[pa]", [pa] "m"(pa));
}

template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmptrld(std::uint64_t pa) noexcept {
  VIRTOPS_DETAIL_VMX_ASM(vmptrld, "%[pa]", [pa] "m"(pa));
}

/// The current-VMCS pointer (~0 if there is none). VMPTRST cannot VMfail.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE result<std::uint64_t> vmptrst() noexcept {
#if VIRTOPS_HAS_ASM_GOTO_OUTPUT
  std::uint64_t pa;  // no initial store: only the success path reads it
  asm volatile goto(VIRTOPS_DETAIL_SITE("1", "vmptrst %[pa]", "%l[fault]")
                    : [pa] "=m"(pa)
                    : VIRTOPS_DETAIL_INSN_ID(vmptrst)
                    :
                    : fault);
#else
  std::uint64_t pa = 0;
  asm volatile goto(VIRTOPS_DETAIL_SITE("1", "vmptrst %[pa]", "%l[fault]")
                    :
                    : [pa] "m"(pa), VIRTOPS_DETAIL_INSN_ID(vmptrst)
                    : "memory"
                    : fault);
#endif
  VIRTOPS_DETAIL_SUCCESS_EDGE();
  return pa;
fault:
  return detail::on_fault<P>();
}

template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE result<std::uint64_t> vmread(std::uint64_t field) noexcept {
  return detail::vmread_as<std::uint64_t, P>(field);
}

template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmwrite(std::uint64_t field, std::uint64_t value) noexcept {
  status failure;
  // Not the VIRTOPS_DETAIL_VMX_ASM shape: register operands only, so no
  // "memory", and the outcomes name the field. "r", not "rm": Clang
  // resolves "rm" to a stack slot, a store and a load on the hot path.
  asm volatile goto(VIRTOPS_DETAIL_SITE("1", "vmwrite %[value], %[field]", "%l[fault]")
                        VIRTOPS_DETAIL_VMFAIL_BRANCH
                    :
                    : [value] "r"(value), [field] "r"(field), VIRTOPS_DETAIL_INSN_ID(vmwrite)
                    : "cc"
                    : vmfail_invalid, vmfail_valid, fault);
  VIRTOPS_DETAIL_SUCCESS_EDGE();
  return {};
  VIRTOPS_DETAIL_VMX_OUTCOMES(insn::vmwrite, field);
}

/// VMREAD of an encoding from outside the program (a guest, a file, the
/// wire): errc::invalid_field, and no instruction executed, unless
/// vmcs::decode(field).valid. The unchecked vmread() leaves that check to
/// the CPU (VMfailValid 12, "unsupported VMCS component"), which keeps
/// its hot path the bare instruction.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE result<std::uint64_t> vmread_checked(std::uint64_t field) noexcept {
  if (!vmcs::decode(field).valid) return status::invalid_field(insn::vmread).with_field(field);
  return vmread<P>(field);
}

/// VMWRITE of an encoding and a value from outside the program: as
/// vmread_checked(), and errc::value_too_wide for a value with bits beyond
/// the field's width, which the CPU would drop without a word.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmwrite_checked(std::uint64_t field, std::uint64_t value) noexcept {
  if (!vmcs::decode(field).valid) return status::invalid_field(insn::vmwrite).with_field(field);
  if (const unsigned bits = vmcs::bits_of(field); bits < 64 && (value >> bits) != 0)
    return status::value_too_wide(insn::vmwrite).with_field(field);
  return vmwrite<P>(field, value);
}

/// VMREAD of a typed field: `vmx::vmread<vmcs::guest_rip>()` gives a
/// result<std::uint64_t>, `vmx::vmread<vmcs::guest_cs_selector>()` a
/// result<std::uint16_t>. Same asm, same outcomes as the untyped form.
/// The field comes first, the policy second: vmread<vmcs::guest_rip, P>().
template <vmcs::field_c F, fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE result<typename F::value_type> vmread() noexcept {
  return detail::vmread_as<typename F::value_type, P>(F::encoding);
}

/// vmread<P, F>(): the arguments swapped; says so instead of failing on
/// P::value_type.
template <fault_policy P, vmcs::field_c F>
result<typename F::value_type> vmread() noexcept {
  static_assert(vmcs::detail::always_false<P, F>,
                "vmx::vmread<F, P>(): the VMCS field comes first, then the fault policy, e.g. "
                "vmx::vmread<vmcs::guest_rip, policy::panic>()");
  return status{};
}

/// vmread<P>(): a policy but no field; says what is expected.
template <fault_policy P>
result<std::uint64_t> vmread() noexcept {
  static_assert(vmcs::detail::always_false<P>,
                "vmx::vmread<P>() has no field: vmx::vmread<F, P>() for a VMCS field type, e.g. "
                "vmx::vmread<vmcs::guest_rip, P>(), or vmx::vmread<P>(encoding)");
  return status{};
}

/// VMWRITE of a typed field: `vmx::vmwrite<vmcs::guest_cs_selector>(sel)`.
/// The value converts to vmcs::value_for<F>: an unsigned value no wider than
/// the field (e.g. std::uint16_t for a selector) at run time, or an integer
/// constant that fits (`vmwrite<vmcs::guest_cs_selector>(0)`). Writing a
/// read-only (VM-exit information) field does not compile, nor does a
/// constant that does not fit, nor a run-time value of a signed or wider
/// type (vmwrite_checked() takes those).
template <vmcs::field_c F, fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmwrite(vmcs::value_for<F> value) noexcept {
  static_assert(vmcs::writable<F>,
                "VMWRITE to a read-only VMCS field (VM-exit information): this field can only "
                "be read");
  return vmwrite<P>(F::encoding, value.value());
}

/// vmwrite<P, F>(v): the arguments swapped; says so.
template <fault_policy P, vmcs::field_c F, class V>
status vmwrite(V&&) noexcept {
  static_assert(vmcs::detail::always_false<P, F>,
                "vmx::vmwrite<F, P>(value): the VMCS field comes first, then the fault policy, "
                "e.g. vmx::vmwrite<vmcs::guest_rip, policy::panic>(rip)");
  return {};
}

/// vmwrite<P>(v): a policy and a value but no field; says what is expected.
template <fault_policy P, class V>
status vmwrite(V&&) noexcept {
  static_assert(vmcs::detail::always_false<P, V>,
                "vmx::vmwrite<P>(value) has no field: vmx::vmwrite<F, P>(value) for a VMCS field "
                "type, e.g. vmx::vmwrite<vmcs::guest_rip, P>(rip), or "
                "vmx::vmwrite<P>(encoding, value)");
  return {};
}

/// "memory": EPT and page-table stores must be visible before the flush.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status invept(invept_type t, const invept_descriptor& d) noexcept {
  const auto type = static_cast<std::uint64_t>(t);  // the asm takes the SDM's number
  VIRTOPS_DETAIL_VMX_ASM(invept, "%[desc], %[type]", [desc] "m"(d), [type] "r"(type));
}

template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status invvpid(invvpid_type t, const invvpid_descriptor& d) noexcept {
  const auto type = static_cast<std::uint64_t>(t);  // the asm takes the SDM's number
  VIRTOPS_DETAIL_VMX_ASM(invvpid, "%[desc], %[type]", [desc] "m"(d), [type] "r"(type));
}

// The body of launch() and resume() (policy P, the gprs `regs`): VM entry
// with guest GPRs (what KVM's vmenter.S does), as one asm goto:
//  - RDI points at the gprs; the host's RBP, RBX and RDI are saved on the
//    stack (detail/gpr_asm.hpp) and every other GPR is clobbered.
//  - HOST_RSP and HOST_RIP are written on every entry: each inlined copy of
//    the wrapper has its own landing label, and the stack depth differs.
//  - VM exit lands at 3: with RSP = HOST_RSP; the guest GPRs are stored back,
//    then every GPR that held a guest value is zeroed (RAX, RBX, RCX, RDX,
//    RSI, RBP, R8-R15; RDI holds the gprs pointer) before the host's RBP,
//    RBX and RDI come back from the stack, as KVM does after its stores.
//  - VMfail (out of line at 882) zeroes the same registers, which hold the
//    gprs' values there (as KVM's VM-Fail path does); CF survives the XORs
//    in EAX (SBB: -1 for VMfailInvalid, 0 for VMfailValid).
//  - a fault (`#UD` outside VMX operation, `#GP` at CPL>0) at either VMWRITE or
//    at VMLAUNCH/VMRESUME unwinds the stack in stub 881 and reports the
//    entry instruction; no guest ran, and the gprs' values stay in the
//    clobbered registers (the stub's bytes are what the extable verifier
//    recognises).
//  - the CPU loads host RFLAGS = 0x2 at VM exit: interrupts stay off until
//    the caller enables them.
// clang-format off
#define VIRTOPS_DETAIL_VMX_ENTER(mnemonic)                                            \
  ::virtops::status failure;                                                          \
  asm volatile goto(                                                                  \
      VIRTOPS_DETAIL_SAVE_HOST                                                        \
      "mov %[host_rsp], %%ecx\n"                                                      \
      VIRTOPS_DETAIL_SITE("2", "vmwrite %%rsp, %%rcx", "881f")                        \
      "lea 3f(%%rip), %%rdx\n\t"                                                      \
      "mov %[host_rip], %%ecx\n"                                                      \
      VIRTOPS_DETAIL_SITE("4", "vmwrite %%rdx, %%rcx", "881f")                        \
      "mov 0x00(%%rdi), %%rax\n\t" VIRTOPS_DETAIL_LOAD_GPRS                           \
      "mov 0x28(%%rdi), %%rdi\n"                                                      \
      VIRTOPS_DETAIL_SITE("1", #mnemonic, "881f")                                     \
      "jmp 882f\n" /* only a VMfail gets here */                                      \
      "3:\t" VIRTOPS_DETAIL_RECOVER_RDI                                               \
      "mov %%rax, 0x00(%%rdi)\n\t" VIRTOPS_DETAIL_STORE_GPRS                          \
      "xor %%eax, %%eax\n\t" VIRTOPS_DETAIL_CLEAR_GPRS VIRTOPS_DETAIL_RESTORE_HOST    \
      VIRTOPS_DETAIL_OUT_OF_LINE(                                                     \
          "882:\tsbb %%eax, %%eax\n\t" VIRTOPS_DETAIL_CLEAR_GPRS                      \
          VIRTOPS_DETAIL_RESTORE_HOST                                                 \
          "test %%eax, %%eax\n\t"                                                     \
          "jnz %l[vmfail_invalid]\n\t"                                                \
          "jmp %l[vmfail_valid]\n\t")                                                 \
      VIRTOPS_DETAIL_FAULT_STUB                                                       \
      :                                                                               \
      : "D"(&regs), VIRTOPS_DETAIL_INSN_ID(mnemonic),                                 \
        [host_rsp] "i"(::virtops::vmcs::host_rsp::encoding),                          \
        [host_rip] "i"(::virtops::vmcs::host_rip::encoding)                           \
      : "rax", VIRTOPS_DETAIL_GUEST_CLOBBERS                                          \
      : vmfail_invalid, vmfail_valid, fault);                                         \
  VIRTOPS_DETAIL_SUCCESS_EDGE();                                                      \
  return {};                                                                          \
  VIRTOPS_DETAIL_VMX_OUTCOMES(::virtops::insn::mnemonic)
// clang-format on

/// VMLAUNCH of the current VMCS with the guest GPRs in `regs`; on return from
/// a VM exit (ok()) `regs` holds the guest's GPRs and the exit reason is in
/// the VMCS. VMfail (e.g. error 4, 7, 8) and faults come back as usual. The
/// guest must not change SIMD/x87 state the host relies on.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status launch(gprs& regs) noexcept {
  VIRTOPS_DETAIL_VMX_ENTER(vmlaunch);
}

/// VMRESUME of the current (launched) VMCS; as launch().
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status resume(gprs& regs) noexcept {
  VIRTOPS_DETAIL_VMX_ENTER(vmresume);
}

/// VMCALL, from a guest (a hypercall: exits to the hypervisor) or from VMX
/// root operation, where it fails with VM-instruction error 1 (or VMfailInvalid
/// without a current VMCS). Registers go in from and come back to `regs`.
/// After a fault `regs` keeps its inputs: the instruction never ran.
/// CF and ZF are cleared first (test of RSP), so flags the hypervisor leaves
/// untouched across the exit do not read as VMfail.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status vmcall(hypercall_regs& regs) noexcept {
  status failure;
  asm volatile goto(VIRTOPS_DETAIL_SAVE_HOST VIRTOPS_DETAIL_LOAD_HYPERCALL
                    "test %%rsp, %%rsp\n" VIRTOPS_DETAIL_SITE("1", "vmcall", "881f")
                        VIRTOPS_DETAIL_STORE_HYPERCALL VIRTOPS_DETAIL_RESTORE_HOST
                            VIRTOPS_DETAIL_VMFAIL_BRANCH VIRTOPS_DETAIL_FAULT_STUB
                    :
                    : "D"(&regs), VIRTOPS_DETAIL_INSN_ID(vmcall)
                    : "rax", "rcx", "rdx", "rsi", "cc", "memory"
                    : vmfail_invalid, vmfail_valid, fault);
  VIRTOPS_DETAIL_SUCCESS_EDGE();
  return {};
  VIRTOPS_DETAIL_VMX_OUTCOMES(insn::vmcall);
}

}  // namespace virtops::vmx

#undef VIRTOPS_DETAIL_VMX_ENTER
