// virtops internals: the mechanism every wrapper shares. The asm shapes
// (an instruction site with its exception-table entry, the VMfail branch,
// whole wrapper bodies for the common cases) and the out-of-line ends
// (VMfail and fault). The ends' work is in cold, never-inlined functions,
// so a wrapper's hot path is the instruction and, for VMX, one conditional
// branch; the inline shims that call them only tell the optimizer what they
// return.
#pragma once

#include "../config.hpp"
#include "../extable.hpp"
#include "../policy.hpp"
#include "../status.hpp"
#include "std.hpp"

// Starts a wrapper's success path. Clang 14 cannot thread a value through the
// fall-through edge of an asm goto (an LLVM callbr), so the caller's test of
// the returned status would stay on the hot path (xor/test/jne); an empty asm
// gives the success path a block of its own that jump threading can use. It
// emits nothing.
#define VIRTOPS_DETAIL_SUCCESS_EDGE() asm volatile("")

// An instruction site: the asm `text` at local label `label` (a number, as
// a string) and its exception-table entry, whose fault continues at `fixup`.
// The asm names the site's virtops::insn in an operand [id]
// (VIRTOPS_DETAIL_INSN_ID).
#define VIRTOPS_DETAIL_SITE(label, text, fixup) \
  label ":\t" text "\n\t" VIRTOPS_EXTABLE_ENTRY(label "b", fixup, "%c[id]")

// The [id] operand: virtops::insn::`mnemonic`.
#define VIRTOPS_DETAIL_INSN_ID(mnemonic) [id] "i"(static_cast<int>(::virtops::insn::mnemonic))

// After a VMX instruction: jna to a stub out of line, which branches to the
// C labels vmfail_invalid (CF=1) or vmfail_valid (ZF=1).
#define VIRTOPS_DETAIL_VMFAIL_BRANCH         \
  "jna 880f\n\t" VIRTOPS_DETAIL_OUT_OF_LINE( \
      "880:\tjc %l[vmfail_invalid]\n\tjmp %l[vmfail_valid]\n\t")

// The three out-of-line ends of a VMX wrapper, for the labels of its asm
// goto; P is the wrapper's fault policy. They meet in one block before they
// meet the success path, so the caller's test of the result folds into the
// jna (with three separate ends Clang keeps a select or branch on the hot
// path). `failure` is declared at the top of each wrapper: an asm goto may
// not jump over a declaration. VMREAD and VMWRITE pass their field, which
// the status then names.
#define VIRTOPS_DETAIL_VMX_OUTCOMES(instruction, ...)                                  \
  vmfail_invalid:                                                                      \
  failure = ::virtops::detail::vmfail_invalid(instruction __VA_OPT__(, ) __VA_ARGS__); \
  goto failed;                                                                         \
  vmfail_valid:                                                                        \
  failure = ::virtops::detail::vmfail_valid(instruction __VA_OPT__(, ) __VA_ARGS__);   \
  goto failed;                                                                         \
  fault:                                                                               \
  failure = ::virtops::detail::on_fault<P>(__VA_ARGS__);                               \
  failed:                                                                              \
  return failure

// The body of a wrapper of a VMX instruction that may VMfail or fault:
// virtops::insn::`mnemonic` with the asm operand text `operands` and the
// asm inputs `...`. Returns {} on success, else the VMfail status or what
// policy P makes of the fault. "memory": these instructions read or write
// memory (a region, a descriptor) or change what other accesses mean.
#define VIRTOPS_DETAIL_VMX_ASM(mnemonic, operands, ...)                           \
  ::virtops::status failure;                                                      \
  asm volatile goto(VIRTOPS_DETAIL_SITE("1", #mnemonic " " operands, "%l[fault]") \
                        VIRTOPS_DETAIL_VMFAIL_BRANCH                              \
                    :                                                             \
                    : __VA_ARGS__ __VA_OPT__(, ) VIRTOPS_DETAIL_INSN_ID(mnemonic) \
                    : "cc", "memory"                                              \
                    : vmfail_invalid, vmfail_valid, fault);                       \
  VIRTOPS_DETAIL_SUCCESS_EDGE();                                                  \
  return {};                                                                      \
  VIRTOPS_DETAIL_VMX_OUTCOMES(::virtops::insn::mnemonic)

// The body of a wrapper of an instruction that succeeds or faults (SVM,
// RDMSR/WRMSR, XSETBV): as VIRTOPS_DETAIL_VMX_ASM without the VMfail
// branch, so the hot path is the bare instruction.
#define VIRTOPS_DETAIL_PLAIN_ASM(mnemonic, operands, ...)                         \
  asm volatile goto(VIRTOPS_DETAIL_SITE("1", #mnemonic " " operands, "%l[fault]") \
                    :                                                             \
                    : __VA_ARGS__ __VA_OPT__(, ) VIRTOPS_DETAIL_INSN_ID(mnemonic) \
                    : "memory"                                                    \
                    : fault);                                                     \
  VIRTOPS_DETAIL_SUCCESS_EDGE();                                                  \
  return {};                                                                      \
  fault:                                                                          \
  return ::virtops::detail::on_fault<P>()

namespace virtops::detail {

inline constexpr std::uint64_t vm_instruction_error_field = 0x4400;

// Reads the VM-instruction error field. Only reached after VMfailValid,
// when a current VMCS exists; still guarded, so a surprise yields none.
VIRTOPS_COLD inline vm_instruction_error read_vm_instruction_error() noexcept {
  std::uint64_t value = 0;
  asm volatile goto(
      VIRTOPS_DETAIL_SITE("1", "vmread %[field], %[value]", "%l[failed]") "jna %l[failed]\n\t"
      :
      : [value] "m"(value), [field] "r"(vm_instruction_error_field), VIRTOPS_DETAIL_INSN_ID(vmread)
      : "cc", "memory"
      : failed);
  return static_cast<vm_instruction_error>(static_cast<std::uint32_t>(value));
failed:
  return vm_instruction_error::none;
}

VIRTOPS_COLD inline status cold_vmfail_invalid(insn i) noexcept {
  return status::vmfail_invalid(i);
}

VIRTOPS_COLD inline status cold_vmfail_valid(insn i) noexcept {
  return status::vmfail_valid(i, read_vm_instruction_error());
}

// VMREAD and VMWRITE: the same, naming the field.
VIRTOPS_COLD inline status cold_vmfail_invalid(insn i, std::uint64_t field) noexcept {
  return status::vmfail_invalid(i).with_field(field);
}

VIRTOPS_COLD inline status cold_vmfail_valid(insn i, std::uint64_t field) noexcept {
  return status::vmfail_valid(i, read_vm_instruction_error()).with_field(field);
}

// The fault continuation: the trap handler has filled the fault slot. A
// policy that declares it never resumes is held to it here, so the
// assumption in on_fault() below is a fact, not a promise.
template <fault_policy P>
VIRTOPS_COLD status cold_on_fault() noexcept {
  const fault_info f = fault_slot();
  if (P::on_fault(f) == fault_action::resume && can_resume<P>) return status{};
  return status::from_fault(f);
}

template <fault_policy P>
VIRTOPS_COLD status cold_on_fault(std::uint64_t field) noexcept {
  const status s = cold_on_fault<P>();
  return s.ok() ? s : s.with_field(field);
}

// What the wrappers call. The out-of-line calls return a status the
// optimizer cannot see into; saying that it is a failure lets the caller's
// test of the result fold away on these paths, and with it any state the
// caller would otherwise keep alive (callee-saved registers, a prologue)
// for a failure path that might resume its hot path.
#define VIRTOPS_DETAIL_FAILED(s) \
  if ((s).ok()) __builtin_unreachable()

// `field...`: the VMCS field of a VMREAD or VMWRITE, which the status names.
template <class... Field>
VIRTOPS_ALWAYS_INLINE status vmfail_invalid(insn i, Field... field) noexcept {
  const status s = cold_vmfail_invalid(i, field...);
  VIRTOPS_DETAIL_FAILED(s);
  return s;
}

template <class... Field>
VIRTOPS_ALWAYS_INLINE status vmfail_valid(insn i, Field... field) noexcept {
  const status s = cold_vmfail_valid(i, field...);
  VIRTOPS_DETAIL_FAILED(s);
  return s;
}

template <fault_policy P, class... Field>
VIRTOPS_ALWAYS_INLINE status on_fault(Field... field) noexcept {
  const status s = cold_on_fault<P>(field...);
  if constexpr (!can_resume<P>) VIRTOPS_DETAIL_FAILED(s);
  return s;
}

}  // namespace virtops::detail

#undef VIRTOPS_DETAIL_FAILED
