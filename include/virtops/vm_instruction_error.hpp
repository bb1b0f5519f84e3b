/// \file
/// virtops: VM-instruction error numbers (Intel SDM Vol. 3C, "VM-Instruction Error Numbers").
#pragma once

#include "detail/std.hpp"

namespace virtops {

// The SDM's table: name, number, the SDM's wording. 14, 21 and 27 are
// reserved.
// clang-format off
#define VIRTOPS_DETAIL_VM_INSTRUCTION_ERRORS(X)                                                  \
  X(vmcall_in_vmx_root_operation, 1, "VMCALL executed in VMX root operation")                    \
  X(vmclear_invalid_address, 2, "VMCLEAR with invalid physical address")                         \
  X(vmclear_vmxon_pointer, 3, "VMCLEAR with VMXON pointer")                                      \
  X(vmlaunch_nonclear_vmcs, 4, "VMLAUNCH with non-clear VMCS")                                   \
  X(vmresume_nonlaunched_vmcs, 5, "VMRESUME with non-launched VMCS")                             \
  X(vmresume_after_vmxoff, 6, "VMRESUME after VMXOFF")                                           \
  X(vmentry_invalid_control_fields, 7, "VM entry with invalid control field(s)")                 \
  X(vmentry_invalid_host_state_fields, 8, "VM entry with invalid host-state field(s)")           \
  X(vmptrld_invalid_address, 9, "VMPTRLD with invalid physical address")                         \
  X(vmptrld_vmxon_pointer, 10, "VMPTRLD with VMXON pointer")                                     \
  X(vmptrld_incorrect_revision_id, 11, "VMPTRLD with incorrect VMCS revision identifier")        \
  X(vmread_vmwrite_unsupported_component, 12,                                                    \
    "VMREAD/VMWRITE from/to unsupported VMCS component")                                         \
  X(vmwrite_read_only_component, 13, "VMWRITE to read-only VMCS component")                      \
  X(vmxon_in_vmx_root_operation, 15, "VMXON executed in VMX root operation")                     \
  X(vmentry_invalid_executive_vmcs_pointer, 16, "VM entry with invalid executive-VMCS pointer")  \
  X(vmentry_nonlaunched_executive_vmcs, 17, "VM entry with non-launched executive VMCS")         \
  X(vmentry_executive_vmcs_pointer_not_vmxon_pointer, 18,                                        \
    "VM entry with executive-VMCS pointer not VMXON pointer")                                    \
  X(vmcall_nonclear_vmcs, 19, "VMCALL with non-clear VMCS")                                      \
  X(vmcall_invalid_vmexit_control_fields, 20, "VMCALL with invalid VM-exit control fields")      \
  X(vmcall_incorrect_mseg_revision_id, 22, "VMCALL with incorrect MSEG revision identifier")     \
  X(vmxoff_under_dual_monitor_treatment, 23,                                                     \
    "VMXOFF under dual-monitor treatment of SMIs and SMM")                                       \
  X(vmcall_invalid_smm_monitor_features, 24, "VMCALL with invalid SMM-monitor features")         \
  X(vmentry_invalid_executive_vmcs_execution_controls, 25,                                       \
    "VM entry with invalid VM-execution control fields in executive VMCS")                       \
  X(vmentry_events_blocked_by_mov_ss, 26, "VM entry with events blocked by MOV SS")              \
  X(invept_invvpid_invalid_operand, 28, "Invalid operand to INVEPT/INVVPID")
// clang-format on

/// Read from VMCS field 0x4400 after VMfailValid. Any 32-bit value is
/// representable: a CPU newer than this table still reports its number.
enum class vm_instruction_error : std::uint32_t {
  none = 0,
#define VIRTOPS_DETAIL_X(name, number, text) name = number,
  VIRTOPS_DETAIL_VM_INSTRUCTION_ERRORS(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
};

namespace detail {
// The table's numbers, in its (ascending) order.
inline constexpr std::uint32_t vm_instruction_error_numbers[] = {
#define VIRTOPS_DETAIL_X(name, number, text) number,
    VIRTOPS_DETAIL_VM_INSTRUCTION_ERRORS(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
};
inline constexpr unsigned vm_instruction_error_count =
    sizeof vm_instruction_error_numbers / sizeof vm_instruction_error_numbers[0];
// The highest defined number; a number below it that is not in the table is
// reserved.
inline constexpr std::uint32_t last_vm_instruction_error =
    vm_instruction_error_numbers[vm_instruction_error_count - 1];

// The count check (as xbyak checks its error-name table against its enum):
// the SDM defines 25 numbers, 1 to 28 but the reserved 14, 21 and 27, and
// the rows ascend, so "reserved" below means the SDM's reserved numbers.
constexpr bool vm_instruction_errors_ascend() noexcept {
  for (unsigned i = 1; i < vm_instruction_error_count; ++i)
    if (vm_instruction_error_numbers[i - 1] >= vm_instruction_error_numbers[i]) return false;
  return vm_instruction_error_numbers[0] >= 1;
}
static_assert(vm_instruction_error_count == 25 && last_vm_instruction_error == 28 &&
                  vm_instruction_errors_ascend(),
              "the VM-instruction error table: the SDM's 25 numbers, 1 to 28, ascending");
}  // namespace detail

/// True for the numbers the SDM defines (1-28 but 14, 21, 27).
constexpr bool is_defined(vm_instruction_error e) noexcept {
  switch (e) {
#define VIRTOPS_DETAIL_X(name, number, text) case vm_instruction_error::name:
    VIRTOPS_DETAIL_VM_INSTRUCTION_ERRORS(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
    return true;
    default: return false;
  }
}

namespace detail {
constexpr bool is_reserved(vm_instruction_error e) noexcept {
  const auto n = static_cast<std::uint32_t>(e);
  return n != 0 && n < last_vm_instruction_error && !is_defined(e);
}
}  // namespace detail

/// The enumerator's name; "none" for 0, "reserved" for 14/21/27, "unknown" past 28.
constexpr const char* to_string(vm_instruction_error e) noexcept {
  switch (e) {
    case vm_instruction_error::none: return "none";
#define VIRTOPS_DETAIL_X(name, number, text) \
  case vm_instruction_error::name: return #name;
      VIRTOPS_DETAIL_VM_INSTRUCTION_ERRORS(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
  }
  return detail::is_reserved(e) ? "reserved" : "unknown";
}

/// The SDM's wording, for logs.
constexpr const char* description(vm_instruction_error e) noexcept {
  switch (e) {
    case vm_instruction_error::none: return "no error";
#define VIRTOPS_DETAIL_X(name, number, text) \
  case vm_instruction_error::name: return text;
      VIRTOPS_DETAIL_VM_INSTRUCTION_ERRORS(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
  }
  return detail::is_reserved(e) ? "reserved VM-instruction error number"
                                : "unknown VM-instruction error number";
}

#undef VIRTOPS_DETAIL_VM_INSTRUCTION_ERRORS

}  // namespace virtops
