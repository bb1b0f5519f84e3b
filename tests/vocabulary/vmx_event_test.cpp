// vmx_event.hpp: the VM-entry interruption-information format (SDM Vol.
// 3C, 25.8.3: 7:0 vector, 10:8 type, 11 deliver error code, 31 valid), the
// checks VM entry makes of it (27.2.1.3), refused with a typed error, and
// the re-injection of an IDT-vectoring event (28.2.4).
#include <cstdint>
#include <string>
#include <virtops/vmx_event.hpp>

#include "virtops_catch.hpp"

namespace vmx = virtops::vmx;
using vmx::event_error;
using vmx::event_type;

TEST_CASE("external interrupt, NMI, #UD, #GP(0), INT3, INT 0x80, ICEBP, pending MTF") {
  CHECK(vmx::inject_external_interrupt(0x20).value().interruption_information == 0x80000020u);
  CHECK(vmx::inject_external_interrupt(0xff).value().interruption_information == 0x800000ffu);
  CHECK(vmx::inject_nmi().value().interruption_information == 0x80000202u);
  CHECK(vmx::inject_hardware_exception(6).value().interruption_information == 0x80000306u);
  const auto gp = vmx::inject_hardware_exception(13, 0x18).value();
  CHECK(gp.interruption_information == 0x80000b0du);  // type 3, bit 11
  CHECK(gp.error_code == 0x18);
  CHECK(gp.instruction_length == 0);
  const auto int3 = vmx::inject_software_exception(3, 1).value();
  CHECK(int3.interruption_information == 0x80000603u);
  CHECK(int3.instruction_length == 1);
  const auto int80 = vmx::inject_software_interrupt(0x80, 2).value();
  CHECK(int80.interruption_information == 0x80000480u);
  CHECK(int80.instruction_length == 2);
  CHECK(vmx::inject_privileged_software_exception(1, 1).value().interruption_information ==
        0x80000501u);
  CHECK(vmx::inject_pending_mtf().value().interruption_information == 0x80000700u);
}

TEST_CASE("invalid combinations are refused with their reason") {
  const auto err = [](event_type t, unsigned v, bool dec, std::uint32_t ec, std::uint32_t len,
                      vmx::event_rules r = {}) {
    return vmx::make_entry_event(t, static_cast<std::uint8_t>(v), dec, ec, len, r).error();
  };
  CHECK(err(static_cast<event_type>(1), 0, false, 0, 0) == event_error::reserved_type);
  CHECK(err(event_type::nmi, 3, false, 0, 0) == event_error::nmi_vector_not_2);
  CHECK(err(event_type::hardware_exception, 32, false, 0, 0) ==
        event_error::exception_vector_above_31);
  CHECK(err(event_type::software_exception, 40, false, 0, 1) ==
        event_error::exception_vector_above_31);
  CHECK(err(event_type::privileged_software_exception, 255, false, 0, 1) ==
        event_error::exception_vector_above_31);
  CHECK(err(event_type::other_event, 1, false, 0, 0) == event_error::other_event_vector_not_0);
  // Error codes: exactly the exceptions that push one, in protected mode.
  CHECK(err(event_type::hardware_exception, 6, true, 0, 0) == event_error::error_code_not_allowed);
  CHECK(err(event_type::hardware_exception, 13, false, 0, 0) == event_error::error_code_required);
  CHECK(err(event_type::external_interrupt, 13, true, 0, 0) == event_error::error_code_not_allowed);
  CHECK(err(event_type::software_interrupt, 13, true, 0, 2) == event_error::error_code_not_allowed);
  CHECK(err(event_type::nmi, 2, true, 0, 0) == event_error::error_code_not_allowed);
  CHECK(err(event_type::hardware_exception, 14, true, 0x10000, 0) ==
        event_error::error_code_too_wide);
  CHECK(err(event_type::hardware_exception, 14, true, 0xffff, 0) == event_error::ok);
  // Real mode (unrestricted guest, CR0.PE = 0): no error code at all.
  vmx::event_rules real;
  real.protected_mode = false;
  CHECK(err(event_type::hardware_exception, 13, false, 0, 0, real) == event_error::ok);
  CHECK(err(event_type::hardware_exception, 13, true, 0, 0, real) ==
        event_error::error_code_not_allowed);
  // IA32_VMX_BASIC[56]: any hardware exception, with or without.
  vmx::event_rules relaxed;
  relaxed.any_error_code = true;
  CHECK(err(event_type::hardware_exception, 6, true, 0, 0, relaxed) == event_error::ok);
  CHECK(err(event_type::hardware_exception, 13, false, 0, 0, relaxed) == event_error::ok);
  CHECK(err(event_type::software_exception, 3, true, 0, 1, relaxed) ==
        event_error::error_code_not_allowed);
  // Instruction length of software events: 1-15, 0 with IA32_VMX_MISC[30].
  CHECK(err(event_type::software_interrupt, 0x80, false, 0, 0) ==
        event_error::instruction_length_invalid);
  CHECK(err(event_type::software_interrupt, 0x80, false, 0, 16) ==
        event_error::instruction_length_invalid);
  CHECK(err(event_type::software_interrupt, 0x80, false, 0, 15) == event_error::ok);
  vmx::event_rules zero;
  zero.zero_instruction_length = true;
  CHECK(err(event_type::software_interrupt, 0x80, false, 0, 0, zero) == event_error::ok);
  // Other types ignore the length: it is not written.
  CHECK(vmx::make_entry_event(event_type::external_interrupt, 0x30, false, 0, 99)
            .value()
            .instruction_length == 0);
  CHECK(std::string(vmx::to_string(event_error::error_code_required)) == "error_code_required");
}

TEST_CASE("the error-code exceptions are #DF #TS #NP #SS #GP #PF #AC #CP") {
  unsigned with = 0;
  for (unsigned v = 0; v < 256; ++v)
    with |=
        vmx::exception_has_error_code(static_cast<std::uint8_t>(v)) ? (v < 32 ? 1u << v : 0u) : 0u;
  CHECK(with == ((1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 14) |
                 (1u << 17) | (1u << 21)));
  CHECK_FALSE(vmx::exception_has_error_code(40));
}

TEST_CASE("decoding exit interruption and IDT-vectoring information") {
  const auto pf = vmx::decode_interruption_info(0x80000b0eu | (1u << 12));
  CHECK(pf.valid);
  CHECK(pf.type == event_type::hardware_exception);
  CHECK(pf.vector == 14);
  CHECK(pf.has_error_code);
  CHECK(pf.nmi_unblocking_due_to_iret);
  const auto none = vmx::decode_interruption_info(0x0000030e);
  CHECK_FALSE(none.valid);
  CHECK(vmx::decode_interruption_info(0x80000202u).type == event_type::nmi);
  CHECK(vmx::decode_interruption_info(0x80000480u).type == event_type::software_interrupt);
}

TEST_CASE("re-injection: IDT-vectoring information to VM-entry fields") {
  // #PF during delivery, error code 2: the same event, bit 12 dropped.
  const auto pf = vmx::reinject(0x80000b0eu | (1u << 12), 2, 0);
  REQUIRE(pf.ok());
  CHECK(pf.value().interruption_information == 0x80000b0eu);
  CHECK(pf.value().error_code == 2);
  CHECK(pf.value().instruction_length == 0);
  // INT 0x80 interrupted: the exit's instruction length goes along.
  const auto sw = vmx::reinject(0x80000480u, 0, 2);
  REQUIRE(sw.ok());
  CHECK(sw.value().interruption_information == 0x80000480u);
  CHECK(sw.value().instruction_length == 2);
  // An external interrupt: no error code, no length.
  const auto ext = vmx::reinject(0x80000031u, 0xdead, 3);
  REQUIRE(ext.ok());
  CHECK(ext.value().error_code == 0);
  CHECK(ext.value().instruction_length == 0);
  // Nothing was being delivered.
  CHECK(vmx::reinject(0x0000030eu, 0, 0).error() == event_error::not_valid);
  // A field VM entry would refuse is refused here too (reserved type 1).
  CHECK(vmx::reinject(0x80000100u, 0, 0).error() == event_error::reserved_type);
}

static_assert(vmx::inject_nmi().value().interruption_information == 0x80000202u);
static_assert(!vmx::inject_hardware_exception(13).ok());
