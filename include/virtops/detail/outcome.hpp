// virtops internals: the out-of-line ends of a wrapper (VMfail and fault).
// The work is in cold, never-inlined functions, so a wrapper's hot path is
// the instruction and, for VMX, one conditional branch; the inline shims
// that call them only tell the optimizer what they return.
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

namespace virtops::detail {

inline constexpr std::uint64_t vm_instruction_error_field = 0x4400;

// Reads the VM-instruction error field. Only reached after VMfailValid,
// when a current VMCS exists; still guarded, so a surprise yields none.
VIRTOPS_COLD inline vm_instruction_error read_vm_instruction_error() noexcept {
  std::uint64_t value = 0;
  asm volatile goto(
      "1: vmread %[field], %[value]\n\t"
      "jna %l[failed]\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "%l[failed]", "%c[id]")
      :
      : [value] "m"(value), [field] "r"(vm_instruction_error_field),
        [id] "i"(static_cast<int>(insn::vmread))
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
