/// \file
/// virtops: the IA32_VMX_* capability MSRs (Intel SDM Vol. 3D, Appendix A):
/// their numbers, their bits and fields, which of them exist, and the
/// adjustments every hypervisor makes with them (control fields, CR0/CR4).
/// Reading them: vmx_read_capabilities.hpp.
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

/// CR4.VMXE (SDM Vol. 3A, 2.5): VMXON needs it set, and every VMX
/// instruction raises `#UD` while it is clear.
inline constexpr std::uint64_t cr4_vmxe = std::uint64_t{1} << 13;

/// IA32_FEATURE_CONTROL bits.
namespace feature_control {
inline constexpr std::uint64_t lock = 1u << 0;
inline constexpr std::uint64_t vmx_inside_smx = 1u << 1;
inline constexpr std::uint64_t vmx_outside_smx = 1u << 2;
}  // namespace feature_control

/// IA32_VMX_BASIC (SDM A.1).
namespace basic {
/// Bit 48: VMXON, VMCS and the structures they point to must lie below 4 GiB.
inline constexpr std::uint64_t physical_address_32bit = std::uint64_t{1} << 48;
/// Bit 49: dual-monitor treatment of SMIs and SMM.
inline constexpr std::uint64_t dual_monitor_treatment = std::uint64_t{1} << 49;
/// Bit 54: VM exits caused by INS and OUTS report the VM-exit instruction information.
inline constexpr std::uint64_t ins_outs_instruction_information = std::uint64_t{1} << 54;
/// Bit 55: the IA32_VMX_TRUE_*_CTLS MSRs exist.
inline constexpr std::uint64_t true_controls = std::uint64_t{1} << 55;
/// Bit 56: VM entry may deliver a hardware exception with or without an
/// error code, whatever its vector.
inline constexpr std::uint64_t no_error_code_check = std::uint64_t{1} << 56;
/// Memory types of bits 53:50 (SDM A.1): the type the CPU uses for the VMCS,
/// the bitmaps and the MSR areas.
inline constexpr unsigned memory_type_uc = 0, memory_type_wb = 6;
}  // namespace basic

/// The VMCS revision identifier: IA32_VMX_BASIC[30:0].
constexpr std::uint32_t revision_id(std::uint64_t basic_msr) noexcept {
  return static_cast<std::uint32_t>(basic_msr & 0x7fffffff);
}
/// The VMXON/VMCS region size in bytes: IA32_VMX_BASIC[44:32] (at most 4096).
constexpr std::uint32_t region_size(std::uint64_t basic_msr) noexcept {
  return static_cast<std::uint32_t>((basic_msr >> 32) & 0x1fff);
}
/// The memory type of VMCS accesses: IA32_VMX_BASIC[53:50] (basic::memory_type_*).
constexpr unsigned vmcs_memory_type(std::uint64_t basic_msr) noexcept {
  return static_cast<unsigned>((basic_msr >> 50) & 0xf);
}
/// Whether the IA32_VMX_TRUE_*_CTLS MSRs exist: IA32_VMX_BASIC[55].
constexpr bool has_true_controls(std::uint64_t basic_msr) noexcept {
  return (basic_msr & basic::true_controls) != 0;
}

/// IA32_VMX_MISC (SDM A.6).
namespace misc {
/// Bit 5: VM exits store IA32_EFER.LMA into the "IA-32e mode guest" entry control.
inline constexpr std::uint64_t stores_lma_on_exit = std::uint64_t{1} << 5;
/// Bits 6-8: the activity states HLT, shutdown and wait-for-SIPI are supported.
inline constexpr std::uint64_t activity_hlt = std::uint64_t{1} << 6;
inline constexpr std::uint64_t activity_shutdown = std::uint64_t{1} << 7;
inline constexpr std::uint64_t activity_wait_for_sipi = std::uint64_t{1} << 8;
/// Bit 14: Intel PT may be used in VMX operation.
inline constexpr std::uint64_t intel_pt_in_vmx = std::uint64_t{1} << 14;
/// Bit 15: RDMSR can read IA32_SMBASE in SMM.
inline constexpr std::uint64_t rdmsr_smbase_in_smm = std::uint64_t{1} << 15;
/// Bit 28: bit 2 of IA32_SMM_MONITOR_CTL can be set (VMXOFF unblocks SMIs otherwise).
inline constexpr std::uint64_t vmxoff_blocks_smis = std::uint64_t{1} << 28;
/// Bit 29: VMWRITE may write every supported field, the VM-exit information fields too.
inline constexpr std::uint64_t vmwrite_any_field = std::uint64_t{1} << 29;
/// Bit 30: VM entry may inject a software interrupt, software exception or
/// privileged software exception with instruction length 0.
inline constexpr std::uint64_t inject_zero_instruction_length = std::uint64_t{1} << 30;
}  // namespace misc

/// The VMX-preemption timer counts down when TSC bit (this) changes: IA32_VMX_MISC[4:0].
constexpr unsigned preemption_timer_tsc_shift(std::uint64_t misc_msr) noexcept {
  return static_cast<unsigned>(misc_msr & 0x1f);
}
/// The number of CR3-target values: IA32_VMX_MISC[24:16].
constexpr unsigned cr3_target_count(std::uint64_t misc_msr) noexcept {
  return static_cast<unsigned>((misc_msr >> 16) & 0x1ff);
}
/// The recommended maximum of entries in each MSR load/store list:
/// 512 * (N + 1), N = IA32_VMX_MISC[27:25].
constexpr unsigned max_msr_list_entries(std::uint64_t misc_msr) noexcept {
  return 512u * (static_cast<unsigned>((misc_msr >> 25) & 7) + 1u);
}
/// The MSEG revision identifier: IA32_VMX_MISC[63:32].
constexpr std::uint32_t mseg_revision_id(std::uint64_t misc_msr) noexcept {
  return static_cast<std::uint32_t>(misc_msr >> 32);
}
/// Whether VMWRITE may write the VM-exit information fields: IA32_VMX_MISC[29].
constexpr bool vmwrite_read_only_allowed(std::uint64_t misc_msr) noexcept {
  return (misc_msr & misc::vmwrite_any_field) != 0;
}

/// IA32_VMX_EPT_VPID_CAP (SDM A.10).
namespace ept_vpid_cap {
inline constexpr std::uint64_t execute_only = std::uint64_t{1} << 0;
inline constexpr std::uint64_t page_walk_length_4 = std::uint64_t{1} << 6;
inline constexpr std::uint64_t page_walk_length_5 = std::uint64_t{1} << 7;
/// The EPT paging structures may be uncacheable / write-back (EPTP bits 2:0).
inline constexpr std::uint64_t memory_type_uc = std::uint64_t{1} << 8;
inline constexpr std::uint64_t memory_type_wb = std::uint64_t{1} << 14;
/// A PDE may map a 2-MByte page, a PDPTE a 1-GByte page.
inline constexpr std::uint64_t pages_2m = std::uint64_t{1} << 16;
inline constexpr std::uint64_t pages_1g = std::uint64_t{1} << 17;
inline constexpr std::uint64_t invept = std::uint64_t{1} << 20;
/// Accessed and dirty flags for EPT (EPTP bit 6).
inline constexpr std::uint64_t accessed_dirty = std::uint64_t{1} << 21;
/// EPT violations report advanced VM-exit information (qualification bits 9-11).
inline constexpr std::uint64_t advanced_exit_information = std::uint64_t{1} << 22;
/// Supervisor shadow-stack control (EPTP bit 7).
inline constexpr std::uint64_t supervisor_shadow_stack = std::uint64_t{1} << 23;
inline constexpr std::uint64_t invept_single_context = std::uint64_t{1} << 25;
inline constexpr std::uint64_t invept_all_context = std::uint64_t{1} << 26;
inline constexpr std::uint64_t invvpid = std::uint64_t{1} << 32;
inline constexpr std::uint64_t invvpid_individual_address = std::uint64_t{1} << 40;
inline constexpr std::uint64_t invvpid_single_context = std::uint64_t{1} << 41;
inline constexpr std::uint64_t invvpid_all_context = std::uint64_t{1} << 42;
inline constexpr std::uint64_t invvpid_single_context_retaining_globals = std::uint64_t{1} << 43;
}  // namespace ept_vpid_cap

/// The maximum HLAT prefix size: IA32_VMX_EPT_VPID_CAP[53:48].
constexpr unsigned max_hlat_prefix_size(std::uint64_t ept_vpid_cap_msr) noexcept {
  return static_cast<unsigned>((ept_vpid_cap_msr >> 48) & 0x3f);
}
/// Whether INVEPT is supported with `type` (the INVEPT type number, as
/// vmx::invept_type: 1 single-context, 2 all-context).
constexpr bool invept_type_supported(std::uint64_t ept_vpid_cap_msr, unsigned type) noexcept {
  return (ept_vpid_cap_msr & ept_vpid_cap::invept) != 0 && type >= 1 && type <= 2 &&
         ((ept_vpid_cap_msr >> (24 + type)) & 1) != 0;
}
/// Whether INVVPID is supported with `type` (as vmx::invvpid_type: 0
/// individual-address, 1 single-context, 2 all-context, 3 single-context
/// retaining globals).
constexpr bool invvpid_type_supported(std::uint64_t ept_vpid_cap_msr, unsigned type) noexcept {
  return (ept_vpid_cap_msr & ept_vpid_cap::invvpid) != 0 && type <= 3 &&
         ((ept_vpid_cap_msr >> (40 + type)) & 1) != 0;
}

/// Whether VM function `n` may be enabled: IA32_VMX_VMFUNC bit n (SDM A.11;
/// vmx_controls.hpp names the functions, vmfunc::eptp_switching).
constexpr bool vmfunc_allowed(std::uint64_t vmfunc_msr, unsigned n) noexcept {
  return n < 64 && ((vmfunc_msr >> n) & 1) != 0;
}

/// Which capability MSRs exist (SDM A.1-A.11). The basic, pin-based,
/// processor-based, VM-exit, VM-entry, misc, CR0/CR4 fixed and VMCS-enum
/// MSRs exist on every CPU with VMX; the others only as follows. Reading one
/// that does not exist raises `#GP`.
///
/// IA32_VMX_PROCBASED_CTLS2: bit 63 of IA32_VMX_PROCBASED_CTLS ("activate
/// secondary controls" may be 1).
constexpr bool has_procbased_ctls2(std::uint64_t procbased_ctls_msr) noexcept {
  return ((procbased_ctls_msr >> 63) & 1) != 0;
}
/// IA32_VMX_PROCBASED_CTLS3: bit 49 of IA32_VMX_PROCBASED_CTLS ("activate
/// tertiary controls", bit 17, may be 1).
constexpr bool has_procbased_ctls3(std::uint64_t procbased_ctls_msr) noexcept {
  return ((procbased_ctls_msr >> 49) & 1) != 0;
}
/// IA32_VMX_EXIT_CTLS2: bit 63 of IA32_VMX_EXIT_CTLS ("activate secondary
/// controls" may be 1).
constexpr bool has_exit_ctls2(std::uint64_t exit_ctls_msr) noexcept {
  return ((exit_ctls_msr >> 63) & 1) != 0;
}
/// IA32_VMX_EPT_VPID_CAP: "enable EPT" (bit 33) or "enable VPID" (bit 37) of
/// IA32_VMX_PROCBASED_CTLS2 may be 1. Pass 0 if that MSR does not exist.
constexpr bool has_ept_vpid_cap(std::uint64_t procbased_ctls2_msr) noexcept {
  return ((procbased_ctls2_msr >> 33) & 1) != 0 || ((procbased_ctls2_msr >> 37) & 1) != 0;
}
/// IA32_VMX_VMFUNC: "enable VM functions" (bit 45 of IA32_VMX_PROCBASED_CTLS2)
/// may be 1. Pass 0 if that MSR does not exist.
constexpr bool has_vmfunc(std::uint64_t procbased_ctls2_msr) noexcept {
  return ((procbased_ctls2_msr >> 45) & 1) != 0;
}

/// The capability MSRs of one CPU, as vmx_read_capabilities.hpp reads them.
/// An MSR that does not exist reads as 0 here: nothing it governs is allowed.
struct capabilities {
  std::uint64_t basic = 0;
  /// IA32_VMX_TRUE_PINBASED_CTLS if basic says the TRUE MSRs exist, else
  /// IA32_VMX_PINBASED_CTLS; the same for the next three.
  std::uint64_t pinbased_ctls = 0;
  std::uint64_t procbased_ctls = 0;
  std::uint64_t exit_ctls = 0;
  std::uint64_t entry_ctls = 0;
  std::uint64_t misc = 0;
  std::uint64_t cr0_fixed0 = 0;
  std::uint64_t cr0_fixed1 = 0;
  std::uint64_t cr4_fixed0 = 0;
  std::uint64_t cr4_fixed1 = 0;
  std::uint64_t vmcs_enum = 0;
  std::uint64_t procbased_ctls2 = 0;
  std::uint64_t ept_vpid_cap = 0;
  std::uint64_t vmfunc = 0;
  /// The allowed-1 settings of the 64-bit tertiary processor-based controls.
  std::uint64_t procbased_ctls3 = 0;
  /// The allowed-1 settings of the 64-bit secondary VM-exit controls.
  std::uint64_t exit_ctls2 = 0;
};

/// Whether capability MSR `index` exists on the CPU whose always-present
/// MSRs (basic, procbased_ctls, exit_ctls) and, if it exists,
/// procbased_ctls2 are in `known`. False for numbers that are no
/// IA32_VMX_* capability MSR.
constexpr bool capability_msr_exists(std::uint32_t index, const capabilities& known) noexcept {
  switch (index) {
    case msr::basic:
    case msr::pinbased_ctls:
    case msr::procbased_ctls:
    case msr::exit_ctls:
    case msr::entry_ctls:
    case msr::misc:
    case msr::cr0_fixed0:
    case msr::cr0_fixed1:
    case msr::cr4_fixed0:
    case msr::cr4_fixed1:
    case msr::vmcs_enum: return true;
    case msr::true_pinbased_ctls:
    case msr::true_procbased_ctls:
    case msr::true_exit_ctls:
    case msr::true_entry_ctls: return has_true_controls(known.basic);
    case msr::procbased_ctls2: return has_procbased_ctls2(known.procbased_ctls);
    case msr::procbased_ctls3: return has_procbased_ctls3(known.procbased_ctls);
    case msr::exit_ctls2: return has_exit_ctls2(known.exit_ctls);
    case msr::ept_vpid_cap:
      return has_procbased_ctls2(known.procbased_ctls) && has_ept_vpid_cap(known.procbased_ctls2);
    case msr::vmfunc:
      return has_procbased_ctls2(known.procbased_ctls) && has_vmfunc(known.procbased_ctls2);
    default: return false;
  }
}

/// What adjust_controls made of a request: the control field value, or the
/// required bits the CPU does not allow (KVM's adjust_vmx_controls fails
/// with -EIO there; silently dropping them would run a guest without, say,
/// HLT exiting).
template <class T>
class [[nodiscard]] controls_adjustment {
 public:
  constexpr controls_adjustment(T value, T missing, T forced) noexcept
      : value_(value), missing_(missing), forced_(forced) {}
  constexpr bool ok() const noexcept { return missing_ == 0; }
  constexpr explicit operator bool() const noexcept { return ok(); }
  /// The value to write to the control field. Of a failure it executes UD2
  /// (in a constant expression it does not compile): test ok() first.
  constexpr T value() const noexcept {
    if (!ok()) __builtin_trap();
    return value_;
  }
  /// The required bits whose allowed-1 setting is 0; 0 if ok().
  constexpr T missing() const noexcept { return missing_; }
  /// The bits the CPU forces to 1 (allowed-0 setting 1) that were neither
  /// required nor optional, e.g. the default1 bits.
  constexpr T forced() const noexcept { return forced_; }

 private:
  T value_, missing_, forced_;
};

/// A 32-bit control field from the bits a hypervisor `required` (it cannot
/// run without them) and those it would like (`optional`), against a
/// capability MSR (allowed-0 settings in bits 31:0, allowed-1 in 63:32;
/// SDM A.3-A.5): every bit the CPU forces to 1 is set, optional bits the
/// CPU does not allow are dropped, and a required bit it does not allow
/// fails (missing()). A capability of 0 (an MSR that does not exist)
/// allows nothing.
constexpr controls_adjustment<std::uint32_t> adjust_controls(std::uint32_t required,
                                                             std::uint32_t optional,
                                                             std::uint64_t capability) noexcept {
  const auto must_be_1 = static_cast<std::uint32_t>(capability);
  const auto may_be_1 = static_cast<std::uint32_t>(capability >> 32);
  const std::uint32_t value = ((required | optional) & may_be_1) | must_be_1;
  const std::uint32_t missing = required & ~may_be_1;
  return {missing ? 0u : value, missing, must_be_1 & ~(required | optional)};
}
/// The same for a 64-bit control field whose capability MSR holds only
/// allowed-1 settings (tertiary processor-based controls, secondary VM-exit
/// controls; SDM A.3.4, A.4.2): nothing is forced to 1.
constexpr controls_adjustment<std::uint64_t> adjust_controls64(std::uint64_t required,
                                                               std::uint64_t optional,
                                                               std::uint64_t allowed1) noexcept {
  const std::uint64_t missing = required & ~allowed1;
  return {missing ? 0 : (required | optional) & allowed1, missing, 0};
}
/// Whether the capability MSR lets every bit of `controls` be 1 (its
/// allowed-1 settings, bits 63:32): what a bring-up asks before it relies
/// on a feature (proc2::enable_ept, ...). False for everything with a
/// capability of 0, the value of an MSR that does not exist.
constexpr bool allows(std::uint64_t capability, std::uint32_t controls) noexcept {
  return (static_cast<std::uint32_t>(capability >> 32) & controls) == controls;
}
/// True if `value` obeys the capability MSR: every allowed-0 bit set, no
/// bit set whose allowed-1 setting is 0.
constexpr bool controls_ok(std::uint32_t value, std::uint64_t capability) noexcept {
  const auto must_be_1 = static_cast<std::uint32_t>(capability);
  const auto may_be_1 = static_cast<std::uint32_t>(capability >> 32);
  return (value & must_be_1) == must_be_1 && (value & ~may_be_1) == 0;
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
