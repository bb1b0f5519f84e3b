/// \file
/// virtops: the exit qualification of the VM exits a hypervisor decodes
/// first (Intel SDM Vol. 3C, 28.2.1): control-register accesses, MOV DR,
/// I/O instructions, EPT violations, and VM-entry failures (27.8).
///
///     const auto io = virtops::vmx::decode_io(qualification);
///     if (!io.in) handle_out(io.port, io.size, guest.rax);
#pragma once

#include "detail/std.hpp"

namespace virtops::vmx {

/// What a control-register access was (qualification bits 5:4).
enum class cr_access_type : std::uint8_t {
  mov_to_cr = 0,
  mov_from_cr = 1,
  clts = 2,
  lmsw = 3,
};

/// A control-register access (exit reason 28; SDM Table 28-3).
struct cr_access {
  std::uint8_t cr;      ///< bits 3:0: 0, 3, 4 or 8 (0 for CLTS and LMSW)
  cr_access_type type;  ///< bits 5:4
  bool lmsw_memory;     ///< bit 6: LMSW's operand was in memory (else a register)
  std::uint8_t
      gpr;  ///< bits 11:8: MOV CR's register, 0 RAX, 1 RCX, 2 RDX, 3 RBX, 4 RSP, ... 15 R15
  std::uint16_t lmsw_source;  ///< bits 31:16: LMSW's source data
};
constexpr cr_access decode_cr_access(std::uint64_t q) noexcept {
  return {static_cast<std::uint8_t>(q & 0xf), static_cast<cr_access_type>((q >> 4) & 3),
          ((q >> 6) & 1) != 0, static_cast<std::uint8_t>((q >> 8) & 0xf),
          static_cast<std::uint16_t>((q >> 16) & 0xffff)};
}

/// A MOV DR (exit reason 29; SDM Table 28-4).
struct dr_access {
  std::uint8_t dr;   ///< bits 2:0
  bool from_dr;      ///< bit 4: MOV from DR (else MOV to DR)
  std::uint8_t gpr;  ///< bits 11:8
};
constexpr dr_access decode_dr_access(std::uint64_t q) noexcept {
  return {static_cast<std::uint8_t>(q & 7), ((q >> 4) & 1) != 0,
          static_cast<std::uint8_t>((q >> 8) & 0xf)};
}

/// An I/O instruction (exit reason 30; SDM Table 28-5).
struct io_access {
  std::uint8_t size;   ///< bytes: 1, 2 or 4 (bits 2:0 hold size - 1); 0 if the field is
                       ///< none of those (bits 2:0 = 2 or above 3)
  bool in;             ///< bit 3: IN/INS (else OUT/OUTS)
  bool string;         ///< bit 4: INS/OUTS
  bool rep;            ///< bit 5: REP prefix
  bool immediate;      ///< bit 6: port from an immediate (else DX)
  std::uint16_t port;  ///< bits 31:16
};
constexpr io_access decode_io(std::uint64_t q) noexcept {
  const unsigned code = static_cast<unsigned>(q & 7);
  const std::uint8_t size = code == 0 ? 1 : code == 1 ? 2 : code == 3 ? 4 : 0;
  return {size,
          ((q >> 3) & 1) != 0,
          ((q >> 4) & 1) != 0,
          ((q >> 5) & 1) != 0,
          ((q >> 6) & 1) != 0,
          static_cast<std::uint16_t>((q >> 16) & 0xffff)};
}

/// The bits of an EPT-violation qualification (exit reason 48; SDM Table 28-7).
namespace ept_violation {
inline constexpr std::uint64_t data_read = std::uint64_t{1} << 0;
inline constexpr std::uint64_t data_write = std::uint64_t{1} << 1;
inline constexpr std::uint64_t instruction_fetch = std::uint64_t{1} << 2;
/// Bits 3-6: what the guest-physical address allowed (the AND of the EPT
/// entries' bits 0, 1, 2 and, with mode-based execute control, 10).
inline constexpr std::uint64_t readable = std::uint64_t{1} << 3;
inline constexpr std::uint64_t writable = std::uint64_t{1} << 4;
inline constexpr std::uint64_t executable = std::uint64_t{1} << 5;
inline constexpr std::uint64_t user_executable = std::uint64_t{1} << 6;
/// Bit 7: the guest linear-address field is valid.
inline constexpr std::uint64_t linear_address_valid = std::uint64_t{1} << 7;
/// Bit 8 (if bit 7): the access was to the translated linear address (else
/// to a paging-structure entry of the guest's walk).
inline constexpr std::uint64_t translated_access = std::uint64_t{1} << 8;
/// Bits 9-11 (advanced VM-exit information, IA32_VMX_EPT_VPID_CAP[22], and
/// bits 7 and 8 set): the linear address was user-mode, the guest's paging
/// said writable, execute-disable.
inline constexpr std::uint64_t user_mode_linear_address = std::uint64_t{1} << 9;
inline constexpr std::uint64_t linear_writable = std::uint64_t{1} << 10;
inline constexpr std::uint64_t linear_execute_disable = std::uint64_t{1} << 11;
/// Bit 12: NMI unblocking due to IRET.
inline constexpr std::uint64_t nmi_unblocking_due_to_iret = std::uint64_t{1} << 12;
/// Bit 13: a shadow-stack access.
inline constexpr std::uint64_t shadow_stack_access = std::uint64_t{1} << 13;
/// Bit 14: the EPT entries said supervisor shadow stack.
inline constexpr std::uint64_t supervisor_shadow_stack = std::uint64_t{1} << 14;
/// Bit 15: caused by guest-paging verification.
inline constexpr std::uint64_t guest_paging_verification = std::uint64_t{1} << 15;
/// Bit 16: the access was asynchronous to instruction execution.
inline constexpr std::uint64_t asynchronous = std::uint64_t{1} << 16;
}  // namespace ept_violation

/// The exit qualification of a VM-entry failure with exit reason 33
/// (invalid guest state; SDM 27.8): what failed, if the CPU says.
enum class entry_failure_qualification : std::uint8_t {
  none = 0,           ///< no further information
  pdpte_loading = 2,  ///< loading the PDPTEs failed
  nmi_injection = 3,  ///< injecting an NMI failed (blocked, virtual NMIs)
  invalid_vmcs_link_pointer = 4,
};
/// For exit reason 34 (MSR loading) the qualification is the 1-based index
/// of the entry of the VM-entry MSR-load area that failed.
constexpr std::uint32_t failed_msr_load_entry(std::uint64_t q) noexcept {
  return static_cast<std::uint32_t>(q);
}

}  // namespace virtops::vmx
