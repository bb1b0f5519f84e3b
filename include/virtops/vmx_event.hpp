/// \file
/// virtops: VMX event injection and re-injection. A builder of the VM-entry
/// interruption-information field (Intel SDM Vol. 3C, 25.8.3) that refuses
/// what VM entry would refuse (27.2.1.3) with a typed error, and a decoder
/// of the VM-exit interruption information and IDT-vectoring information
/// (25.9.2, 25.9.3) with the conversion that re-injects an event whose
/// delivery a VM exit interrupted.
///
///     const auto gp = virtops::vmx::inject_hardware_exception(13, 0);
///     if (gp) {
///       vmwrite<vmcs::vm_entry_interruption_information>(gp.value().interruption_information);
///       vmwrite<vmcs::vm_entry_exception_error_code>(gp.value().error_code);
///     }
#pragma once

#include "checked.hpp"
#include "detail/std.hpp"

namespace virtops::vmx {

/// Bits 10:8 of an interruption-information field. 1 is reserved.
enum class event_type : std::uint8_t {
  external_interrupt = 0,
  nmi = 2,
  hardware_exception = 3,
  software_interrupt = 4,
  privileged_software_exception = 5,  ///< INT1 (ICEBP)
  software_exception = 6,             ///< INT3, INTO
  other_event = 7,                    ///< vector 0: a pending MTF VM exit
};

/// The fields of the interruption-information format.
namespace interruption_info_bits {
inline constexpr std::uint32_t vector_mask = 0xff;
inline constexpr unsigned type_shift = 8;
inline constexpr std::uint32_t type_mask = 7u << type_shift;
inline constexpr std::uint32_t deliver_error_code = 1u << 11;
/// Exit interruption information only: NMI unblocking due to IRET.
inline constexpr std::uint32_t nmi_unblocking_due_to_iret = 1u << 12;
inline constexpr std::uint32_t valid = 1u << 31;
}  // namespace interruption_info_bits

/// Why an event cannot be injected.
enum class event_error : std::uint8_t {
  ok,
  reserved_type,               ///< type 1
  nmi_vector_not_2,            ///< an NMI has vector 2
  exception_vector_above_31,   ///< an exception's vector is 0-31
  other_event_vector_not_0,    ///< the only other event is vector 0 (pending MTF)
  error_code_not_allowed,      ///< not a hardware exception that pushes one
  error_code_required,         ///< `#DF`, `#TS`, `#NP`, `#SS`, `#GP`, `#PF`, `#AC`, `#CP` push one
  error_code_too_wide,         ///< bits 31:16 of the error code must be 0
  instruction_length_invalid,  ///< software events: 1-15 (0 only with IA32_VMX_MISC[30])
  not_valid,                   ///< re-injection of a field whose valid bit is 0
};

constexpr const char* to_string(event_error e) noexcept {
  switch (e) {
    case event_error::ok: return "ok";
    case event_error::reserved_type: return "reserved_type";
    case event_error::nmi_vector_not_2: return "nmi_vector_not_2";
    case event_error::exception_vector_above_31: return "exception_vector_above_31";
    case event_error::other_event_vector_not_0: return "other_event_vector_not_0";
    case event_error::error_code_not_allowed: return "error_code_not_allowed";
    case event_error::error_code_required: return "error_code_required";
    case event_error::error_code_too_wide: return "error_code_too_wide";
    case event_error::instruction_length_invalid: return "instruction_length_invalid";
    case event_error::not_valid: return "not_valid";
  }
  return "unknown";
}

/// What VM entry allows on this CPU and guest, beyond the strict rules.
struct event_rules {
  /// IA32_VMX_BASIC[56]: any hardware exception may have an error code or not.
  bool any_error_code = false;
  /// IA32_VMX_MISC[30]: software events may have instruction length 0.
  bool zero_instruction_length = false;
  /// The guest's CR0.PE. In real mode (unrestricted guest) no exception
  /// delivers an error code.
  bool protected_mode = true;
};

/// An event to inject: the three VM-entry fields it is written to.
struct entry_event {
  std::uint32_t interruption_information = 0;  ///< vmcs::vm_entry_interruption_information
  std::uint32_t error_code = 0;                ///< vmcs::vm_entry_exception_error_code
  std::uint32_t instruction_length = 0;        ///< vmcs::vm_entry_instruction_length
};

/// Whether exception `vector` pushes an error code in protected mode: `#DF`
/// (8), `#TS` (10), `#NP` (11), `#SS` (12), `#GP` (13), `#PF` (14), `#AC` (17) and `#CP`
/// (21) (SDM Vol. 3A, Table 6-1; 27.2.1.3 checks the same list).
constexpr bool exception_has_error_code(std::uint8_t vector) noexcept {
  return vector < 32 && ((0x00227d00u >> vector) & 1) != 0;
}

/// The event as VM entry checks it (27.2.1.3), or why not.
constexpr checked<entry_event, event_error> make_entry_event(event_type type, std::uint8_t vector,
                                                             bool deliver_error_code,
                                                             std::uint32_t error_code,
                                                             std::uint32_t instruction_length,
                                                             event_rules rules = {}) noexcept {
  const auto t = static_cast<unsigned>(type);
  if (t == 1 || t > 7) return event_error::reserved_type;
  if (type == event_type::nmi && vector != 2) return event_error::nmi_vector_not_2;
  const bool exception = type == event_type::hardware_exception ||
                         type == event_type::software_exception ||
                         type == event_type::privileged_software_exception;
  if (exception && vector > 31) return event_error::exception_vector_above_31;
  if (type == event_type::other_event && vector != 0) return event_error::other_event_vector_not_0;
  const bool may_push = type == event_type::hardware_exception && rules.protected_mode &&
                        (rules.any_error_code || exception_has_error_code(vector));
  const bool must_push = may_push && !rules.any_error_code;
  if (deliver_error_code && !may_push) return event_error::error_code_not_allowed;
  if (!deliver_error_code && must_push) return event_error::error_code_required;
  if (deliver_error_code && (error_code >> 16) != 0) return event_error::error_code_too_wide;
  const bool software = type == event_type::software_interrupt ||
                        type == event_type::software_exception ||
                        type == event_type::privileged_software_exception;
  if (software &&
      (instruction_length > 15 || (instruction_length == 0 && !rules.zero_instruction_length)))
    return event_error::instruction_length_invalid;
  namespace b = interruption_info_bits;
  entry_event e;
  e.interruption_information =
      b::valid | (t << b::type_shift) | vector | (deliver_error_code ? b::deliver_error_code : 0u);
  e.error_code = deliver_error_code ? error_code : 0;
  e.instruction_length = software ? instruction_length : 0;
  return e;
}

/// An external interrupt, any vector.
constexpr checked<entry_event, event_error> inject_external_interrupt(
    std::uint8_t vector) noexcept {
  return make_entry_event(event_type::external_interrupt, vector, false, 0, 0);
}
/// An NMI (vector 2).
constexpr checked<entry_event, event_error> inject_nmi() noexcept {
  return make_entry_event(event_type::nmi, 2, false, 0, 0);
}
/// A hardware exception without an error code (`#UD`, `#DB`, ...).
constexpr checked<entry_event, event_error> inject_hardware_exception(
    std::uint8_t vector, event_rules rules = {}) noexcept {
  return make_entry_event(event_type::hardware_exception, vector, false, 0, 0, rules);
}
/// A hardware exception with an error code (`#GP`, `#PF`, ...).
constexpr checked<entry_event, event_error> inject_hardware_exception(
    std::uint8_t vector, std::uint32_t error_code, event_rules rules = {}) noexcept {
  return make_entry_event(event_type::hardware_exception, vector, true, error_code, 0, rules);
}
/// INT n, with the length of the guest's instruction.
constexpr checked<entry_event, event_error> inject_software_interrupt(
    std::uint8_t vector, std::uint32_t instruction_length, event_rules rules = {}) noexcept {
  return make_entry_event(event_type::software_interrupt, vector, false, 0, instruction_length,
                          rules);
}
/// INT3 (vector 3) or INTO (vector 4).
constexpr checked<entry_event, event_error> inject_software_exception(
    std::uint8_t vector, std::uint32_t instruction_length, event_rules rules = {}) noexcept {
  return make_entry_event(event_type::software_exception, vector, false, 0, instruction_length,
                          rules);
}
/// INT1 (ICEBP, vector 1).
constexpr checked<entry_event, event_error> inject_privileged_software_exception(
    std::uint8_t vector, std::uint32_t instruction_length, event_rules rules = {}) noexcept {
  return make_entry_event(event_type::privileged_software_exception, vector, false, 0,
                          instruction_length, rules);
}
/// The other event: vector 0, a pending MTF VM exit.
constexpr checked<entry_event, event_error> inject_pending_mtf() noexcept {
  return make_entry_event(event_type::other_event, 0, false, 0, 0);
}

/// A VM-exit interruption-information or IDT-vectoring information field, decoded.
struct interruption_info {
  bool valid;                       ///< bit 31
  event_type type;                  ///< bits 10:8
  std::uint8_t vector;              ///< bits 7:0
  bool has_error_code;              ///< bit 11: the error-code field is valid
  bool nmi_unblocking_due_to_iret;  ///< bit 12 (exit interruption information only)
};
constexpr interruption_info decode_interruption_info(std::uint32_t field) noexcept {
  namespace b = interruption_info_bits;
  return {(field & b::valid) != 0, static_cast<event_type>((field & b::type_mask) >> b::type_shift),
          static_cast<std::uint8_t>(field & b::vector_mask), (field & b::deliver_error_code) != 0,
          (field & b::nmi_unblocking_due_to_iret) != 0};
}

/// The event a VM exit interrupted during its delivery, to inject again
/// (SDM 28.2.4): the IDT-vectoring information and error code, and for
/// software events the VM-exit instruction length. Refused as make_entry_event
/// refuses, and with not_valid when no event was being delivered.
constexpr checked<entry_event, event_error> reinject(std::uint32_t idt_vectoring_information,
                                                     std::uint32_t idt_vectoring_error_code,
                                                     std::uint32_t exit_instruction_length,
                                                     event_rules rules = {}) noexcept {
  const interruption_info i = decode_interruption_info(idt_vectoring_information);
  if (!i.valid) return event_error::not_valid;
  return make_entry_event(i.type, i.vector, i.has_error_code, idt_vectoring_error_code,
                          exit_instruction_length, rules);
}

}  // namespace virtops::vmx
