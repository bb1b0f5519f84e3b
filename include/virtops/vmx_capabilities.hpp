/// \file
/// virtops: the IA32_VMX_* capability MSRs (Intel SDM Vol. 3D, Appendix A) and
/// the adjustments every hypervisor makes with them.
#pragma once

#include "detail/std.hpp"

namespace virtops::vmx {

/// Capability MSR numbers.
namespace msr {
inline constexpr std::uint32_t feature_control = 0x03A;
inline constexpr std::uint32_t basic = 0x480;
inline constexpr std::uint32_t pinbased_ctls = 0x481;
inline constexpr std::uint32_t procbased_ctls = 0x482;
inline constexpr std::uint32_t exit_ctls = 0x483;
inline constexpr std::uint32_t entry_ctls = 0x484;
inline constexpr std::uint32_t misc = 0x485;
inline constexpr std::uint32_t cr0_fixed0 = 0x486;
inline constexpr std::uint32_t cr0_fixed1 = 0x487;
inline constexpr std::uint32_t cr4_fixed0 = 0x488;
inline constexpr std::uint32_t cr4_fixed1 = 0x489;
inline constexpr std::uint32_t vmcs_enum = 0x48A;
inline constexpr std::uint32_t procbased_ctls2 = 0x48B;
inline constexpr std::uint32_t ept_vpid_cap = 0x48C;
inline constexpr std::uint32_t true_pinbased_ctls = 0x48D;
inline constexpr std::uint32_t true_procbased_ctls = 0x48E;
inline constexpr std::uint32_t true_exit_ctls = 0x48F;
inline constexpr std::uint32_t true_entry_ctls = 0x490;
inline constexpr std::uint32_t vmfunc = 0x491;
inline constexpr std::uint32_t procbased_ctls3 = 0x492;
inline constexpr std::uint32_t exit_ctls2 = 0x493;
}  // namespace msr

/// IA32_FEATURE_CONTROL bits.
namespace feature_control {
inline constexpr std::uint64_t lock = 1u << 0;
inline constexpr std::uint64_t vmx_inside_smx = 1u << 1;
inline constexpr std::uint64_t vmx_outside_smx = 1u << 2;
}  // namespace feature_control

/// The VMCS revision identifier: IA32_VMX_BASIC[30:0].
constexpr std::uint32_t revision_id(std::uint64_t basic) noexcept {
  return static_cast<std::uint32_t>(basic & 0x7fffffff);
}
/// The VMXON/VMCS region size in bytes: IA32_VMX_BASIC[44:32].
constexpr std::uint32_t region_size(std::uint64_t basic) noexcept {
  return static_cast<std::uint32_t>((basic >> 32) & 0x1fff);
}
/// Whether the IA32_VMX_TRUE_*_CTLS MSRs exist: IA32_VMX_BASIC[55].
constexpr bool has_true_controls(std::uint64_t basic) noexcept { return (basic >> 55) & 1; }
/// Whether VMWRITE may write the VM-exit information fields: IA32_VMX_MISC[29].
constexpr bool vmwrite_read_only_allowed(std::uint64_t misc) noexcept { return (misc >> 29) & 1; }

/// A control field value the CPU accepts: bits whose allowed-0 setting
/// (capability bits 31:0) is 1 are forced on, bits whose allowed-1 setting
/// (bits 63:32) is 0 are forced off.
constexpr std::uint32_t adjust_controls(std::uint32_t desired, std::uint64_t capability) noexcept {
  return static_cast<std::uint32_t>((desired | (capability & 0xffffffffu)) & (capability >> 32));
}
/// True if `value` obeys the capability MSR.
constexpr bool controls_ok(std::uint32_t value, std::uint64_t capability) noexcept {
  return adjust_controls(value, capability) == value;
}
/// CR0 or CR4 as VMX operation requires: bits set in FIXED0 are forced on,
/// bits clear in FIXED1 forced off.
constexpr std::uint64_t adjust_cr(std::uint64_t value, std::uint64_t fixed0,
                                  std::uint64_t fixed1) noexcept {
  return (value | fixed0) & fixed1;
}
/// True if CR0 or CR4 `value` obeys FIXED0/FIXED1.
constexpr bool cr_ok(std::uint64_t value, std::uint64_t fixed0, std::uint64_t fixed1) noexcept {
  return adjust_cr(value, fixed0, fixed1) == value;
}

}  // namespace virtops::vmx
