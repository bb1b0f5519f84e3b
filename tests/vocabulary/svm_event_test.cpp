// svm_event.hpp against AMD APM Vol. 2, 15.20 (EVENTINJ) and 15.7.2
// (EXITINTINFO): VECTOR 7:0, TYPE 10:8, EV 11, V 31, ERRORCODE 63:32.
#include <virtops/svm_event.hpp>

#include "virtops_catch.hpp"

namespace svm = virtops::svm;
using svm::event_error;
using svm::event_type;

TEST_CASE("event types are TYPE values 0, 2, 3, 4") {
  CHECK(static_cast<unsigned>(event_type::interrupt) == 0);
  CHECK(static_cast<unsigned>(event_type::nmi) == 2);
  CHECK(static_cast<unsigned>(event_type::exception) == 3);
  CHECK(static_cast<unsigned>(event_type::software_interrupt) == 4);
}

TEST_CASE("builders put vector, type, EV, V and the error code where the APM says") {
  constexpr auto gp = svm::make_exception(13, 0x18);
  STATIC_REQUIRE(gp.ok());
  STATIC_REQUIRE(gp.value().info == (0x80000000u | 0x800u | (3u << 8) | 13u));
  STATIC_REQUIRE(gp.value().error_code == 0x18);
  STATIC_REQUIRE(gp.value().raw() == 0x00000018'80000B0Dull);
  CHECK(gp.value().vector() == 13);
  CHECK(gp.value().type() == event_type::exception);
  CHECK(gp.value().has_error_code());
  CHECK(gp.value().valid());

  const auto ud = svm::make_exception(6);
  REQUIRE(ud.ok());
  CHECK(ud.value().info == 0x80000306u);
  CHECK(ud.value().error_code == 0);
  CHECK(svm::make_interrupt(0x20).info == 0x80000020u);
  CHECK(svm::make_nmi().info == 0x80000202u);
  CHECK(svm::make_software_interrupt(0x80).info == 0x80000480u);
}

TEST_CASE("exactly #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX take an error code") {
  unsigned with = 0;
  for (unsigned v = 0; v < 32; ++v) {
    INFO("vector " << v);
    const bool has = v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
    CHECK(svm::exception_has_error_code(v) == has);
    with += has;
    if (v == 2) continue;
    const auto without_code = svm::make_exception(static_cast<std::uint8_t>(v));
    const auto with_code = svm::make_exception(static_cast<std::uint8_t>(v), 0);
    CHECK(without_code.ok() == !has);
    CHECK(with_code.ok() == has);
    if (has)
      CHECK(without_code.error() == event_error::error_code_required);
    else
      CHECK(with_code.error() == event_error::error_code_not_allowed);
  }
  CHECK(with == 10);
}

TEST_CASE("invalid combinations are refused with a typed error") {
  CHECK(svm::make_exception(32).error() == event_error::vector_not_an_exception);
  CHECK(svm::make_exception(255, 0).error() == event_error::vector_not_an_exception);
  CHECK(svm::make_exception(2).error() == event_error::vector_not_an_exception);
  CHECK(svm::make_event(event_type::nmi, 3, false).error() == event_error::nmi_vector_not_2);
  CHECK(svm::make_event(event_type::nmi, 2, true, 1).error() ==
        event_error::error_code_not_allowed);
  CHECK(svm::make_event(event_type::interrupt, 0x30, true, 1).error() ==
        event_error::error_code_not_allowed);
  CHECK(svm::make_event(event_type::software_interrupt, 3, true, 1).error() ==
        event_error::error_code_not_allowed);
  for (unsigned t : {1u, 5u, 6u, 7u}) {
    INFO("type " << t);
    CHECK(svm::make_event(static_cast<event_type>(t), 0x20, false).error() ==
          event_error::reserved_type);
    CHECK(svm::decode_event(0x80000000u | (t << 8) | 0x20, 0).error() ==
          event_error::reserved_type);
  }
}

TEST_CASE("decoding EXITINTINFO checks it like a built event") {
  const auto pf = svm::decode_event(0x80000B0Eu, 0x2);
  REQUIRE(pf.ok());
  CHECK(pf.value().vector() == 14);
  CHECK(pf.value().error_code == 2);
  CHECK(svm::decode_event(0x00000B0Eu, 0x2).error() == event_error::not_valid);
  CHECK(svm::decode_event(0x80001020u, 0).error() == event_error::reserved_bits);
  CHECK(svm::decode_event(0xC0000020u, 0).error() == event_error::reserved_bits);
  CHECK(svm::decode_event(0x80000320u, 0).error() == event_error::vector_not_an_exception);
}

TEST_CASE("re-injection turns EXITINTINFO into the same EVENTINJ, or says there is none") {
  const auto gp = svm::reinjection(0x80000B0Du, 0x10);
  REQUIRE(gp.ok());
  CHECK(gp.value() == svm::make_exception(13, 0x10).value());
  CHECK_FALSE(gp.value().is_soft());
  // EV clear: the error-code word is stale and is not carried over.
  const auto intr = svm::reinjection(0x80000041u, 0xdeadbeef);
  REQUIRE(intr.ok());
  CHECK(intr.value().error_code == 0);
  CHECK(intr.value() == svm::make_interrupt(0x41));
  CHECK(svm::reinjection(0, 0).error() == event_error::not_valid);
  CHECK(svm::reinjection(0x00000041u, 0).error() == event_error::not_valid);
  // INTn and INT3/INTO need next_rip.
  CHECK(svm::reinjection(0x80000480u, 0).value().is_soft());
  CHECK(svm::reinjection(0x80000303u, 0).value().is_soft());
  CHECK(svm::reinjection(0x80000304u, 0).value().is_soft());
  CHECK_FALSE(svm::reinjection(0x80000306u, 0).value().is_soft());
  CHECK_FALSE(svm::reinjection(0x80000202u, 0).value().is_soft());
}
