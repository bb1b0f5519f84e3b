/// \file
/// virtops: VMX basic exit reasons (Intel SDM Vol. 3D, Appendix C): bits 15:0
/// of the VM-exit reason field.
#pragma once

#include "detail/std.hpp"

namespace virtops::vmx {

#define VIRTOPS_VMX_EXIT_REASONS(X)        \
  X(exception_or_nmi, 0)                   \
  X(external_interrupt, 1)                 \
  X(triple_fault, 2)                       \
  X(init_signal, 3)                        \
  X(startup_ipi, 4)                        \
  X(io_smi, 5)                             \
  X(other_smi, 6)                          \
  X(interrupt_window, 7)                   \
  X(nmi_window, 8)                         \
  X(task_switch, 9)                        \
  X(cpuid, 10)                             \
  X(getsec, 11)                            \
  X(hlt, 12)                               \
  X(invd, 13)                              \
  X(invlpg, 14)                            \
  X(rdpmc, 15)                             \
  X(rdtsc, 16)                             \
  X(rsm, 17)                               \
  X(vmcall, 18)                            \
  X(vmclear, 19)                           \
  X(vmlaunch, 20)                          \
  X(vmptrld, 21)                           \
  X(vmptrst, 22)                           \
  X(vmread, 23)                            \
  X(vmresume, 24)                          \
  X(vmwrite, 25)                           \
  X(vmxoff, 26)                            \
  X(vmxon, 27)                             \
  X(control_register_access, 28)           \
  X(mov_dr, 29)                            \
  X(io_instruction, 30)                    \
  X(rdmsr, 31)                             \
  X(wrmsr, 32)                             \
  X(entry_failure_invalid_guest_state, 33) \
  X(entry_failure_msr_loading, 34)         \
  X(mwait, 36)                             \
  X(monitor_trap_flag, 37)                 \
  X(monitor, 39)                           \
  X(pause, 40)                             \
  X(entry_failure_machine_check, 41)       \
  X(tpr_below_threshold, 43)               \
  X(apic_access, 44)                       \
  X(virtualized_eoi, 45)                   \
  X(gdtr_idtr_access, 46)                  \
  X(ldtr_tr_access, 47)                    \
  X(ept_violation, 48)                     \
  X(ept_misconfiguration, 49)              \
  X(invept, 50)                            \
  X(rdtscp, 51)                            \
  X(preemption_timer_expired, 52)          \
  X(invvpid, 53)                           \
  X(wbinvd_wbnoinvd, 54)                   \
  X(xsetbv, 55)                            \
  X(apic_write, 56)                        \
  X(rdrand, 57)                            \
  X(invpcid, 58)                           \
  X(vmfunc, 59)                            \
  X(encls, 60)                             \
  X(rdseed, 61)                            \
  X(page_modification_log_full, 62)        \
  X(xsaves, 63)                            \
  X(xrstors, 64)                           \
  X(pconfig, 65)                           \
  X(spp_related_event, 66)                 \
  X(umwait, 67)                            \
  X(tpause, 68)                            \
  X(loadiwkey, 69)                         \
  X(enclv, 70)                             \
  X(enqcmd_pasid_translation_failure, 72)  \
  X(enqcmds_pasid_translation_failure, 73) \
  X(bus_lock, 74)                          \
  X(instruction_timeout, 75)               \
  X(seamcall, 76)                          \
  X(tdcall, 77)                            \
  X(rdmsrlist, 78)                         \
  X(wrmsrlist, 79)                         \
  X(urdmsr, 80)                            \
  X(uwrmsr, 81)                            \
  X(rdmsr_immediate, 84)                   \
  X(wrmsrns_immediate, 85)

/// A basic exit reason; numbers not listed (the reserved 35, 38, 42, 71, 82
/// and 83, and newer ones) stay representable. 75 is the SDM's "instruction
/// timeout" (Linux: EXIT_REASON_NOTIFY); 84 and 85 are RDMSR and WRMSRNS with
/// an immediate operand (Linux: MSR_READ_IMM, MSR_WRITE_IMM). docs/tables.md
/// says where each number was checked.
enum class exit_reason : std::uint16_t {
#define VIRTOPS_X(name, number) name = number,
  VIRTOPS_VMX_EXIT_REASONS(VIRTOPS_X)
#undef VIRTOPS_X
};

/// The basic exit reason of a VM-exit reason field value (bits 15:0).
constexpr exit_reason basic_exit_reason(std::uint64_t exit_reason_field) noexcept {
  return static_cast<exit_reason>(exit_reason_field & 0xffff);
}

/// True if the VM-exit reason field says VM entry failed (bit 31).
constexpr bool is_entry_failure(std::uint64_t exit_reason_field) noexcept {
  return (exit_reason_field >> 31) & 1;
}

/// The bits above the basic exit reason in the VM-exit reason field (SDM
/// Vol. 3C, 25.9.1); bits 16-25 and 30 are 0.
namespace exit_reason_bits {
/// Bit 26: the exit was incident to a bus lock (with the secondary control
/// "VMM bus-lock detection"); Linux's bus_lock_detected.
inline constexpr std::uint32_t bus_lock_detected = 1u << 26;
/// Bit 27: the exit came from enclave mode.
inline constexpr std::uint32_t enclave_mode = 1u << 27;
/// Bit 28: a monitor trap flag VM exit was pending.
inline constexpr std::uint32_t pending_mtf = 1u << 28;
/// Bit 29: the exit came from VMX root operation (an SMM VM exit).
inline constexpr std::uint32_t from_vmx_root = 1u << 29;
/// Bit 31: VM entry failed (exit reasons 33, 34 and 41).
inline constexpr std::uint32_t entry_failure = 1u << 31;
}  // namespace exit_reason_bits

/// The whole VM-exit reason field, decoded.
struct exit_reason_word {
  exit_reason basic;       ///< bits 15:0
  bool bus_lock_detected;  ///< bit 26
  bool enclave_mode;       ///< bit 27
  bool pending_mtf;        ///< bit 28
  bool from_vmx_root;      ///< bit 29
  bool entry_failure;      ///< bit 31
  /// Bits that the SDM says are 0 (16-25, 30, 32-63) but are not.
  std::uint64_t reserved;
};

constexpr exit_reason_word decode_exit_reason(std::uint64_t exit_reason_field) noexcept {
  namespace b = exit_reason_bits;
  const std::uint64_t known = 0xffffu | b::bus_lock_detected | b::enclave_mode | b::pending_mtf |
                              b::from_vmx_root | b::entry_failure;
  return {basic_exit_reason(exit_reason_field),
          (exit_reason_field & b::bus_lock_detected) != 0,
          (exit_reason_field & b::enclave_mode) != 0,
          (exit_reason_field & b::pending_mtf) != 0,
          (exit_reason_field & b::from_vmx_root) != 0,
          (exit_reason_field & b::entry_failure) != 0,
          exit_reason_field & ~known};
}

/// The enumerator's name, or "unknown".
constexpr const char* to_string(exit_reason r) noexcept {
  switch (r) {
#define VIRTOPS_X(name, number) \
  case exit_reason::name: return #name;
    VIRTOPS_VMX_EXIT_REASONS(VIRTOPS_X)
#undef VIRTOPS_X
  }
  return "unknown";
}

#undef VIRTOPS_VMX_EXIT_REASONS

}  // namespace virtops::vmx
