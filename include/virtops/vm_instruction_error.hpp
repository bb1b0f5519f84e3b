/// \file
/// virtops: VM-instruction error numbers (Intel SDM Vol. 3C, "VM-Instruction Error Numbers").
#pragma once

#include "detail/std.hpp"

namespace virtops {

/// Read from VMCS field 0x4400 after VMfailValid. Any 32-bit value is
/// representable: a CPU newer than this table still reports its number.
enum class vm_instruction_error : std::uint32_t {
  none = 0,
  vmcall_in_vmx_root_operation = 1,
  vmclear_invalid_address = 2,
  vmclear_vmxon_pointer = 3,
  vmlaunch_nonclear_vmcs = 4,
  vmresume_nonlaunched_vmcs = 5,
  vmresume_after_vmxoff = 6,
  vmentry_invalid_control_fields = 7,
  vmentry_invalid_host_state_fields = 8,
  vmptrld_invalid_address = 9,
  vmptrld_vmxon_pointer = 10,
  vmptrld_incorrect_revision_id = 11,
  vmread_vmwrite_unsupported_component = 12,
  vmwrite_read_only_component = 13,
  // 14 is reserved.
  vmxon_in_vmx_root_operation = 15,
  vmentry_invalid_executive_vmcs_pointer = 16,
  vmentry_nonlaunched_executive_vmcs = 17,
  vmentry_executive_vmcs_pointer_not_vmxon_pointer = 18,
  vmcall_nonclear_vmcs = 19,
  vmcall_invalid_vmexit_control_fields = 20,
  // 21 is reserved.
  vmcall_incorrect_mseg_revision_id = 22,
  vmxoff_under_dual_monitor_treatment = 23,
  vmcall_invalid_smm_monitor_features = 24,
  vmentry_invalid_executive_vmcs_execution_controls = 25,
  vmentry_events_blocked_by_mov_ss = 26,
  // 27 is reserved.
  invept_invvpid_invalid_operand = 28,
};

/// True for the numbers the SDM defines (1-28 but 14, 21, 27).
constexpr bool is_defined(vm_instruction_error e) noexcept {
  const auto n = static_cast<std::uint32_t>(e);
  return n >= 1 && n <= 28 && n != 14 && n != 21 && n != 27;
}

/// The enumerator's name; "none" for 0, "reserved" for 14/21/27, "unknown" past 28.
constexpr const char* to_string(vm_instruction_error e) noexcept {
  using E = vm_instruction_error;
  switch (e) {
    case E::none: return "none";
    case E::vmcall_in_vmx_root_operation: return "vmcall_in_vmx_root_operation";
    case E::vmclear_invalid_address: return "vmclear_invalid_address";
    case E::vmclear_vmxon_pointer: return "vmclear_vmxon_pointer";
    case E::vmlaunch_nonclear_vmcs: return "vmlaunch_nonclear_vmcs";
    case E::vmresume_nonlaunched_vmcs: return "vmresume_nonlaunched_vmcs";
    case E::vmresume_after_vmxoff: return "vmresume_after_vmxoff";
    case E::vmentry_invalid_control_fields: return "vmentry_invalid_control_fields";
    case E::vmentry_invalid_host_state_fields: return "vmentry_invalid_host_state_fields";
    case E::vmptrld_invalid_address: return "vmptrld_invalid_address";
    case E::vmptrld_vmxon_pointer: return "vmptrld_vmxon_pointer";
    case E::vmptrld_incorrect_revision_id: return "vmptrld_incorrect_revision_id";
    case E::vmread_vmwrite_unsupported_component: return "vmread_vmwrite_unsupported_component";
    case E::vmwrite_read_only_component: return "vmwrite_read_only_component";
    case E::vmxon_in_vmx_root_operation: return "vmxon_in_vmx_root_operation";
    case E::vmentry_invalid_executive_vmcs_pointer: return "vmentry_invalid_executive_vmcs_pointer";
    case E::vmentry_nonlaunched_executive_vmcs: return "vmentry_nonlaunched_executive_vmcs";
    case E::vmentry_executive_vmcs_pointer_not_vmxon_pointer:
      return "vmentry_executive_vmcs_pointer_not_vmxon_pointer";
    case E::vmcall_nonclear_vmcs: return "vmcall_nonclear_vmcs";
    case E::vmcall_invalid_vmexit_control_fields: return "vmcall_invalid_vmexit_control_fields";
    case E::vmcall_incorrect_mseg_revision_id: return "vmcall_incorrect_mseg_revision_id";
    case E::vmxoff_under_dual_monitor_treatment: return "vmxoff_under_dual_monitor_treatment";
    case E::vmcall_invalid_smm_monitor_features: return "vmcall_invalid_smm_monitor_features";
    case E::vmentry_invalid_executive_vmcs_execution_controls:
      return "vmentry_invalid_executive_vmcs_execution_controls";
    case E::vmentry_events_blocked_by_mov_ss: return "vmentry_events_blocked_by_mov_ss";
    case E::invept_invvpid_invalid_operand: return "invept_invvpid_invalid_operand";
  }
  const auto n = static_cast<std::uint32_t>(e);
  return (n == 14 || n == 21 || n == 27) ? "reserved" : "unknown";
}

/// The SDM's wording, for logs.
constexpr const char* description(vm_instruction_error e) noexcept {
  switch (static_cast<std::uint32_t>(e)) {
    case 0: return "no error";
    case 1: return "VMCALL executed in VMX root operation";
    case 2: return "VMCLEAR with invalid physical address";
    case 3: return "VMCLEAR with VMXON pointer";
    case 4: return "VMLAUNCH with non-clear VMCS";
    case 5: return "VMRESUME with non-launched VMCS";
    case 6: return "VMRESUME after VMXOFF";
    case 7: return "VM entry with invalid control field(s)";
    case 8: return "VM entry with invalid host-state field(s)";
    case 9: return "VMPTRLD with invalid physical address";
    case 10: return "VMPTRLD with VMXON pointer";
    case 11: return "VMPTRLD with incorrect VMCS revision identifier";
    case 12: return "VMREAD/VMWRITE from/to unsupported VMCS component";
    case 13: return "VMWRITE to read-only VMCS component";
    case 15: return "VMXON executed in VMX root operation";
    case 16: return "VM entry with invalid executive-VMCS pointer";
    case 17: return "VM entry with non-launched executive VMCS";
    case 18: return "VM entry with executive-VMCS pointer not VMXON pointer";
    case 19: return "VMCALL with non-clear VMCS";
    case 20: return "VMCALL with invalid VM-exit control fields";
    case 22: return "VMCALL with incorrect MSEG revision identifier";
    case 23: return "VMXOFF under dual-monitor treatment of SMIs and SMM";
    case 24: return "VMCALL with invalid SMM-monitor features";
    case 25: return "VM entry with invalid VM-execution control fields in executive VMCS";
    case 26: return "VM entry with events blocked by MOV SS";
    case 28: return "Invalid operand to INVEPT/INVVPID";
    case 14:
    case 21:
    case 27: return "reserved VM-instruction error number";
    default: return "unknown VM-instruction error number";
  }
}

}  // namespace virtops
