/// \file
/// virtops: the SVM event-injection word, EVENTINJ (VMCB offset 0x0A8), and
/// its twin EXITINTINFO (0x088), the event a `#VMEXIT` interrupted (AMD APM
/// Vol. 2, 15.20 and 15.7.2): builders that refuse what VMRUN would refuse
/// or a guest would mishandle, a decoder, and the re-injection of an
/// interrupted event.
#pragma once

#include "checked.hpp"
#include "detail/std.hpp"

namespace virtops::svm {

/// EVENTINJ.TYPE (bits 10:8); 1 and 5-7 are reserved.
enum class event_type : std::uint8_t {
  interrupt = 0,           ///< INTR: an external or virtual interrupt
  nmi = 2,                 ///< NMI (the vector is ignored; 2 by convention)
  exception = 3,           ///< a fault or trap, vectors 0-31 but 2
  software_interrupt = 4,  ///< INTn
};

/// Why an event word was refused.
enum class event_error : std::uint8_t {
  none,
  not_valid,                ///< V (bit 31) is 0: no event
  reserved_type,            ///< TYPE 1 or 5-7
  reserved_bits,            ///< bits 30:12 are not 0
  nmi_vector_not_2,         ///< an NMI with a vector other than 2
  vector_not_an_exception,  ///< TYPE exception with vector 2 (the NMI) or 32 and up
  error_code_not_allowed,   ///< EV set for a type or vector that pushes none
  error_code_required,      ///< an exception that pushes an error code, without EV
};

constexpr const char* to_string(event_error e) noexcept {
  switch (e) {
    case event_error::none: return "none";
    case event_error::not_valid: return "not_valid";
    case event_error::reserved_type: return "reserved_type";
    case event_error::reserved_bits: return "reserved_bits";
    case event_error::nmi_vector_not_2: return "nmi_vector_not_2";
    case event_error::vector_not_an_exception: return "vector_not_an_exception";
    case event_error::error_code_not_allowed: return "error_code_not_allowed";
    case event_error::error_code_required: return "error_code_required";
  }
  return "unknown";
}

/// Whether exception `vector` pushes an error code: `#DF`, `#TS`, `#NP`, `#SS`,
/// `#GP`, `#PF`, `#AC`, `#CP`, `#VC`, `#SX` (APM Vol. 2, 8.2).
constexpr bool exception_has_error_code(unsigned vector) noexcept {
  switch (vector) {
    case 8:
    case 10:
    case 11:
    case 12:
    case 13:
    case 14:
    case 17:
    case 21:
    case 29:
    case 30: return true;
    default: return false;
  }
}

/// An EVENTINJ or EXITINTINFO value: `info` is the low word (event_inject,
/// exit_int_info), `error_code` the high one (event_inject_err,
/// exit_int_info_err).
struct event {
  std::uint32_t info = 0;
  std::uint32_t error_code = 0;

  static constexpr std::uint32_t vector_mask = 0xff;
  static constexpr unsigned type_shift = 8;
  static constexpr std::uint32_t type_mask = 7u << type_shift;
  static constexpr std::uint32_t error_code_valid = 1u << 11;  ///< EV
  static constexpr std::uint32_t reserved_mask = 0x7ffff000;   ///< bits 30:12
  static constexpr std::uint32_t valid_bit = 1u << 31;         ///< V

  constexpr std::uint8_t vector() const noexcept {
    return static_cast<std::uint8_t>(info & vector_mask);
  }
  /// The raw TYPE; is_defined_type() says whether it is an event_type.
  constexpr event_type type() const noexcept {
    return static_cast<event_type>((info & type_mask) >> type_shift);
  }
  constexpr bool has_error_code() const noexcept { return (info & error_code_valid) != 0; }
  constexpr bool valid() const noexcept { return (info & valid_bit) != 0; }
  /// The 64-bit field as the APM draws it (error code in bits 63:32).
  constexpr std::uint64_t raw() const noexcept { return (std::uint64_t{error_code} << 32) | info; }
  /// A software interrupt, or `#BP`/`#OF` raised by INT3/INTO: re-injected, the
  /// CPU pushes control_area::next_rip as the return address, so the
  /// hypervisor must set it (KVM does the same).
  constexpr bool is_soft() const noexcept {
    return type() == event_type::software_interrupt ||
           (type() == event_type::exception && (vector() == 3 || vector() == 4));
  }

  friend constexpr bool operator==(const event&, const event&) = default;
};

/// Why `e` (with V set) is not an event VMRUN accepts and a guest handles
/// correctly, or none.
constexpr event_error validate(event e) noexcept {
  if (!e.valid()) return event_error::not_valid;
  if (e.info & event::reserved_mask) return event_error::reserved_bits;
  switch (e.type()) {
    case event_type::interrupt:
    case event_type::software_interrupt:
      return e.has_error_code() ? event_error::error_code_not_allowed : event_error::none;
    case event_type::nmi:
      if (e.vector() != 2) return event_error::nmi_vector_not_2;
      return e.has_error_code() ? event_error::error_code_not_allowed : event_error::none;
    case event_type::exception:
      if (e.vector() >= 32 || e.vector() == 2) return event_error::vector_not_an_exception;
      if (exception_has_error_code(e.vector()) != e.has_error_code())
        return e.has_error_code() ? event_error::error_code_not_allowed
                                  : event_error::error_code_required;
      return event_error::none;
  }
  return event_error::reserved_type;
}

/// An event from its parts, checked (no error code: pass has_error_code
/// false).
constexpr virtops::checked<event, event_error> make_event(event_type type, std::uint8_t vector,
                                                          bool has_error_code,
                                                          std::uint32_t error_code = 0) noexcept {
  event e{event::valid_bit | (static_cast<std::uint32_t>(type) << event::type_shift) |
              (has_error_code ? event::error_code_valid : 0u) | vector,
          has_error_code ? error_code : 0u};
  if (const event_error err = validate(e); err != event_error::none) return err;
  return e;
}

/// An external interrupt (INTR) with `vector`.
constexpr event make_interrupt(std::uint8_t vector) noexcept {
  return make_event(event_type::interrupt, vector, false).value();
}
/// An NMI.
constexpr event make_nmi() noexcept { return make_event(event_type::nmi, 2, false).value(); }
/// INTn with `vector`.
constexpr event make_software_interrupt(std::uint8_t vector) noexcept {
  return make_event(event_type::software_interrupt, vector, false).value();
}
/// An exception that pushes no error code (`#UD`, `#DB`, ...).
constexpr virtops::checked<event, event_error> make_exception(std::uint8_t vector) noexcept {
  return make_event(event_type::exception, vector, false);
}
/// An exception that pushes `error_code` (`#GP`, `#PF`, ...).
constexpr virtops::checked<event, event_error> make_exception(std::uint8_t vector,
                                                              std::uint32_t error_code) noexcept {
  return make_event(event_type::exception, vector, true, error_code);
}

/// EXITINTINFO or EVENTINJ as read from the VMCB, checked like a built one.
constexpr virtops::checked<event, event_error> decode_event(std::uint32_t info,
                                                            std::uint32_t error_code) noexcept {
  const event e{info, error_code};
  if (const event_error err = validate(e); err != event_error::none) return err;
  return e;
}

/// The EVENTINJ that re-delivers the event a `#VMEXIT` interrupted
/// (EXITINTINFO, APM 15.7.2: the same format), or event_error::not_valid
/// when there was none. The error code is dropped unless EV is set. If
/// is_soft(), set control_area::next_rip as well.
constexpr virtops::checked<event, event_error> reinjection(
    std::uint32_t exit_int_info, std::uint32_t exit_int_info_err) noexcept {
  const auto decoded = decode_event(exit_int_info, exit_int_info_err);
  if (!decoded) return decoded.error();
  event e = decoded.value();
  if (!e.has_error_code()) e.error_code = 0;
  return e;
}

}  // namespace virtops::svm
