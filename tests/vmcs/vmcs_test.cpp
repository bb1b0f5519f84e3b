// The VMCS field table, the encoding decoder, typed VMREAD/VMWRITE, VMX exit
// reasons and capability helpers, and the VMCB layout.
#include <concepts>
#include <cstddef>
#include <set>
#include <string>
#include <type_traits>
#include <virtops/posix.hpp>
#include <virtops/virtops.hpp>

#include "call_wrapper.hpp"  // counting
#include "virtops_catch.hpp"

namespace vmcs = virtops::vmcs;
namespace vmx = virtops::vmx;
namespace vmcb = virtops::vmcb;

TEST_CASE("every VMCS field decodes to the width and type the SDM lists it under") {
  std::set<std::uint32_t> encodings;
  std::set<std::string> names;
  for (const vmcs::field_info& f : vmcs::all_fields) {
    INFO(f.name << " " << f.encoding);
    const vmcs::decoded d = vmcs::decode(f.encoding);
    CHECK(d.valid);
    CHECK(d.reserved_clear);
    CHECK(d.w == f.declared_width);
    CHECK(d.type == f.declared_type);
    CHECK(d.index == ((f.encoding >> 1) & 0x1ff));
    // SDM Appendix B groups fields by width (bits 14:13) and type (11:10).
    const unsigned group = f.encoding & 0xfc00;
    const unsigned expected_width = group >> 13;
    CHECK(static_cast<unsigned>(d.w) == expected_width);
    const bool high = std::string(f.name).ends_with("_high");
    CHECK((d.acc == vmcs::access::high) == high);
    CHECK(vmcs::bits_of(f.encoding) == (high                         ? 32u
                                        : d.w == vmcs::width::bits16 ? 16u
                                        : d.w == vmcs::width::bits32 ? 32u
                                                                     : 64u));
    CHECK(encodings.insert(f.encoding).second);  // unique
    CHECK(names.insert(f.name).second);
    CHECK(std::string(vmcs::name_of(f.encoding)) == f.name);
  }
  // 64-bit fields come in full/high pairs.
  for (const vmcs::field_info& f : vmcs::all_fields)
    if (f.declared_width == vmcs::width::bits64) CHECK(encodings.count(f.encoding ^ 1) == 1);
  CHECK(vmcs::name_of(0x1000) == nullptr);
  CHECK(vmcs::name_of(0x6ffe) == nullptr);
}

TEST_CASE("field types carry their encoding, width, access and value type") {
  STATIC_REQUIRE(vmcs::guest_rip::encoding == 0x681e);
  STATIC_REQUIRE(std::is_same_v<vmcs::guest_cs_selector::value_type, std::uint16_t>);
  STATIC_REQUIRE(std::is_same_v<vmcs::guest_es_limit::value_type, std::uint32_t>);
  STATIC_REQUIRE(std::is_same_v<vmcs::vmcs_link_pointer::value_type, std::uint64_t>);
  STATIC_REQUIRE(std::is_same_v<vmcs::vmcs_link_pointer_high::value_type, std::uint32_t>);
  STATIC_REQUIRE(std::is_same_v<vmcs::guest_rip::value_type, std::uint64_t>);
  STATIC_REQUIRE(vmcs::vm_exit_reason::read_only);
  STATIC_REQUIRE(vmcs::exit_qualification::read_only);
  STATIC_REQUIRE(vmcs::guest_physical_address_high::read_only);
  STATIC_REQUIRE(!vmcs::guest_rip::read_only);
  STATIC_REQUIRE(vmcs::writable<vmcs::host_rsp> && !vmcs::writable<vmcs::vm_instruction_error>);
  STATIC_REQUIRE(vmcs::fits<vmcs::guest_cs_selector, std::uint16_t>);
  STATIC_REQUIRE(vmcs::fits<vmcs::guest_cs_selector, std::uint8_t>);
  STATIC_REQUIRE(!vmcs::fits<vmcs::guest_cs_selector, std::uint32_t>);
  STATIC_REQUIRE(!vmcs::fits<vmcs::guest_rip, std::int64_t>);
  STATIC_REQUIRE(!vmcs::fits<vmcs::ept_pointer_high, std::uint64_t>);
  STATIC_REQUIRE(vmcs::field_c<vmcs::ept_pointer> && !vmcs::field_c<int>);
  CHECK(std::string(vmcs::guest_rip::field_name) == "guest_rip");
  CHECK(vmcs::guest_tr_access_rights::type == vmcs::field_type::guest);
  CHECK(vmcs::host_ia32_sysenter_cs::type == vmcs::field_type::host);
  CHECK(vmcs::tsc_offset::field_width == vmcs::width::bits64);
  CHECK(vmcs::tsc_offset_high::field_access == vmcs::access::high);
  // A named field derives from field<E>, which holds the members; a field
  // the table lacks, or a type derived from one, is a field too.
  STATIC_REQUIRE(std::is_base_of_v<vmcs::field<0x681e>, vmcs::guest_rip>);
  STATIC_REQUIRE(vmcs::field<0x681e>::bits == 64 && vmcs::field<0x2401>::bits == 32);
  CHECK(std::string(vmcs::field<0x681e>::field_name) == "guest_rip");
  CHECK(std::string(vmcs::vmcs_link_pointer_high::field_name) == "vmcs_link_pointer_high");
  CHECK(vmcs::field<0x6ffe>::field_name == nullptr);
  struct my_field : vmcs::field<0x6ffe> {};
  STATIC_REQUIRE(vmcs::field_c<my_field> && vmcs::writable<my_field>);
  STATIC_REQUIRE(std::is_same_v<my_field::value_type, std::uint64_t>);
}

// detail/std.hpp's traits stand in for <type_traits> in the headers: they
// must say what the standard's say.
template <class T>
constexpr bool traits_agree() {
  namespace d = virtops::detail;
  return d::is_integral_v<T> == std::is_integral_v<T> && d::is_signed_v<T> == std::is_signed_v<T> &&
         d::is_unsigned_v<T> == std::is_unsigned_v<T> && d::is_enum_v<T> == std::is_enum_v<T> &&
         d::is_trivially_copyable_v<T> == std::is_trivially_copyable_v<T> &&
         d::is_same_v<T, int> == std::is_same_v<T, int> &&
         d::same_as<T, unsigned> == std::same_as<T, unsigned> &&
         d::convertible_to<T, bool> == std::convertible_to<T, bool> &&
         d::is_base_of_v<vmcs::field<0x681e>, T> == std::is_base_of_v<vmcs::field<0x681e>, T>;
}
enum unscoped_enum { unscoped_enumerator };
enum class scoped_enum : std::uint8_t { a };
TEST_CASE("the headers' traits agree with <type_traits>") {
  STATIC_REQUIRE(
      traits_agree<bool>() && traits_agree<char>() && traits_agree<signed char>() &&
      traits_agree<unsigned char>() && traits_agree<wchar_t>() && traits_agree<char8_t>() &&
      traits_agree<char16_t>() && traits_agree<char32_t>() && traits_agree<short>() &&
      traits_agree<unsigned short>() && traits_agree<int>() && traits_agree<unsigned>() &&
      traits_agree<long>() && traits_agree<unsigned long>() && traits_agree<long long>() &&
      traits_agree<unsigned long long>() && traits_agree<const int>() &&
      traits_agree<volatile unsigned>() && traits_agree<const volatile long>() &&
      traits_agree<float>() && traits_agree<double>() && traits_agree<long double>() &&
      traits_agree<int*>() && traits_agree<unscoped_enum>() && traits_agree<scoped_enum>() &&
      traits_agree<virtops::status>() && traits_agree<std::string>() &&
      traits_agree<vmcs::guest_rip>() && traits_agree<vmcs::field<0x681e>>() &&
      traits_agree<int&>() && traits_agree<void>());
}

TEST_CASE("the decoder takes any value apart and flags invalid encodings") {
  const vmcs::decoded rip = vmcs::decode(0x681e);
  CHECK(rip.w == vmcs::width::natural);
  CHECK(rip.type == vmcs::field_type::guest);
  CHECK(rip.acc == vmcs::access::full);
  CHECK(rip.index == 0xf);
  CHECK(rip.valid);
  CHECK_FALSE(vmcs::decode(0x1000).valid);  // bit 12 is reserved
  CHECK_FALSE(vmcs::decode(0x1000).reserved_clear);
  CHECK_FALSE(vmcs::decode(0x8000).valid);            // bit 15
  CHECK_FALSE(vmcs::decode(0x1'0000'681eull).valid);  // bits 63:32
  CHECK_FALSE(vmcs::decode(0x0801).valid);            // high access, 16-bit
  CHECK(vmcs::decode(0x0801).reserved_clear);
  CHECK_FALSE(vmcs::decode(0x4401).valid);  // high access, 32-bit
  CHECK_FALSE(vmcs::decode(0x681f).valid);  // high access, natural width
  CHECK(vmcs::decode(0x2001).valid);        // high access, 64-bit
  static_assert(vmcs::decode(0x4402).type == vmcs::field_type::read_only);
  // Every 15-bit encoding decodes without surprises.
  for (std::uint32_t e = 0; e < 0x8000; ++e) {
    const vmcs::decoded d = vmcs::decode(e);
    if (d.valid != (!(e & 0x1000) && (!(e & 1) || d.w == vmcs::width::bits64))) FAIL(e);
  }
}

TEST_CASE("typed VMREAD/VMWRITE fault exactly like the untyped ones") {
  virtops::posix::trap_guard guard;
  STATIC_REQUIRE(std::is_same_v<decltype(vmx::vmread<vmcs::guest_cs_selector>()),
                                virtops::result<std::uint16_t>>);
  STATIC_REQUIRE(
      std::is_same_v<decltype(vmx::vmread<vmcs::guest_rip>()), virtops::result<std::uint64_t>>);
  const auto sel = vmx::vmread<vmcs::guest_cs_selector>();
  REQUIRE(sel.error().code() == virtops::errc::fault);
  CHECK(sel.error().instruction() == virtops::insn::vmread);
  CHECK(sel.value_or(7) == 7);
  const auto ignored = vmx::vmread<vmcs::guest_rip, virtops::policy::ignore>();
  CHECK(ignored.has_value());
  CHECK(ignored.value() == 0);
  const virtops::status w = vmx::vmwrite<vmcs::guest_es_selector>(0x10);
  CHECK(w.code() == virtops::errc::fault);
  CHECK(w.instruction() == virtops::insn::vmwrite);
  CHECK(vmx::vmwrite<vmcs::guest_rip, virtops::policy::ignore>(1).ok());
}

TEST_CASE("typed VMWRITE takes constants that fit and unsigned values no wider than the field") {
  // Constants of any integer type are checked at compile time and become the
  // field's value type (tests/compile_fail has those that do not fit).
  using selector = vmcs::value_for<vmcs::guest_cs_selector>;
  STATIC_REQUIRE(std::is_same_v<selector::value_type, std::uint16_t>);
  STATIC_REQUIRE(selector(0u).value() == 0);
  STATIC_REQUIRE(selector(0).value() == 0);
  STATIC_REQUIRE(selector(0xffff).value() == 0xffff);
  STATIC_REQUIRE(selector(0xffffu).value() == 0xffff);
  STATIC_REQUIRE(selector(0xffffL).value() == 0xffff);
  STATIC_REQUIRE(selector(0xffffull).value() == 0xffff);
  STATIC_REQUIRE(selector(std::uint16_t{0xffff}).value() == 0xffff);
  enum : std::uint16_t { kernel_cs = 0x10 };
  STATIC_REQUIRE(selector(kernel_cs).value() == 0x10);
  STATIC_REQUIRE(vmcs::value_for<vmcs::guest_es_limit>(0xffffffff).value() == 0xffffffffu);
  STATIC_REQUIRE(vmcs::value_for<vmcs::guest_es_limit>(0xffffffffL).value() == 0xffffffffu);
  STATIC_REQUIRE(vmcs::value_for<vmcs::ept_pointer_high>(0xffffffffu).value() == 0xffffffffu);
  STATIC_REQUIRE(vmcs::value_for<vmcs::guest_rip>(1).value() == 1);
  STATIC_REQUIRE(vmcs::value_for<vmcs::guest_rip>(0x7fffffffffffffffL).value() ==
                 0x7fffffffffffffffu);
  STATIC_REQUIRE(vmcs::value_for<vmcs::guest_rip>(~0ull).value() == ~std::uint64_t{0});
  // Run-time values of a type that fits are taken as they are.
  const std::uint16_t sel = 0xabcd;
  const std::uint8_t byte = 0x12;
  const std::uint32_t limit = 0x89abcdef;
  CHECK(selector(sel).value() == 0xabcd);
  CHECK(selector(byte).value() == 0x12);
  CHECK(vmcs::value_for<vmcs::guest_es_limit>(limit).value() == 0x89abcdef);
  CHECK(vmcs::value_for<vmcs::guest_es_limit>(sel).value() == 0xabcd);

  // Every form executes the VMWRITE (which faults in ring 3).
  virtops::posix::trap_guard guard;
  counting::faults = 0;
  const virtops::status writes[] = {vmx::vmwrite<vmcs::guest_cs_selector, counting>(0u),
                                    vmx::vmwrite<vmcs::guest_cs_selector, counting>(0),
                                    vmx::vmwrite<vmcs::guest_cs_selector, counting>(0xffff),
                                    vmx::vmwrite<vmcs::guest_cs_selector, counting>(sel),
                                    vmx::vmwrite<vmcs::guest_cs_selector, counting>(byte),
                                    vmx::vmwrite<vmcs::guest_es_limit, counting>(limit),
                                    vmx::vmwrite<vmcs::guest_rip, counting>(1)};
  for (const virtops::status& w : writes) {
    CHECK(w.code() == virtops::errc::fault);
    CHECK(w.instruction() == virtops::insn::vmwrite);
  }
  CHECK(counting::faults == std::size(writes));
}

TEST_CASE("INVEPT and INVVPID types are the SDM's numbers, each of its own type") {
  STATIC_REQUIRE(std::is_same_v<std::underlying_type_t<vmx::invept_type>, std::uint64_t>);
  STATIC_REQUIRE(static_cast<std::uint64_t>(vmx::invept_type::single_context) == 1);
  STATIC_REQUIRE(static_cast<std::uint64_t>(vmx::invept_type::all_context) == 2);
  STATIC_REQUIRE(static_cast<std::uint64_t>(vmx::invvpid_type::individual_address) == 0);
  STATIC_REQUIRE(static_cast<std::uint64_t>(vmx::invvpid_type::single_context) == 1);
  STATIC_REQUIRE(static_cast<std::uint64_t>(vmx::invvpid_type::all_context) == 2);
  STATIC_REQUIRE(static_cast<std::uint64_t>(vmx::invvpid_type::single_context_retaining_globals) ==
                 3);
  // Neither converts to the other, nor from an integer (tests/compile_fail).
  STATIC_REQUIRE(!std::is_convertible_v<vmx::invvpid_type, vmx::invept_type>);
  STATIC_REQUIRE(!std::is_convertible_v<vmx::invept_type, vmx::invvpid_type>);
  STATIC_REQUIRE(!std::is_convertible_v<std::uint64_t, vmx::invept_type>);
  STATIC_REQUIRE(!std::is_convertible_v<int, vmx::invvpid_type>);
}

TEST_CASE("checked VMREAD/VMWRITE refuse bad encodings and values without executing") {
  virtops::posix::trap_guard guard;
  using virtops::errc;
  // In ring 3 every executed VMREAD/VMWRITE faults, so a refusal without a
  // fault (and without the policy running) shows that nothing executed.
  const std::uint64_t invalid[] = {0x1000,                                      // bit 12
                                   0x8000 | vmcs::guest_es_selector::encoding,  // bit 15
                                   std::uint64_t{1} << 32 | vmcs::guest_rip::encoding,
                                   0x0801,  // high access to a 16-bit field
                                   0x4401,  // ... to a 32-bit one
                                   0x681f,  // ... to a natural-width one
                                   ~std::uint64_t{0}};
  counting::faults = 0;
  for (std::uint64_t e : invalid) {
    INFO("encoding " << e);
    const auto r = vmx::vmread_checked<counting>(e);
    CHECK(r.error().code() == errc::invalid_field);
    CHECK(r.error().instruction() == virtops::insn::vmread);
    CHECK(r.value_or(7) == 7);
    const virtops::status w = vmx::vmwrite_checked<counting>(e, 0);
    CHECK(w.code() == errc::invalid_field);
    CHECK(w.instruction() == virtops::insn::vmwrite);
    // The unchecked form hands it to the CPU.
    CHECK(vmx::vmread<counting>(e).error().code() == errc::fault);
  }
  CHECK(counting::faults == std::size(invalid));

  // Values: as wide as the field passes (and faults here), one bit more is refused.
  struct width_case {
    std::uint64_t encoding, widest;
  };
  const width_case widths[] = {{vmcs::guest_es_selector::encoding, 0xffff},
                               {vmcs::guest_es_limit::encoding, 0xffff'ffff},
                               {vmcs::vmcs_link_pointer_high::encoding, 0xffff'ffff},
                               {vmcs::vmcs_link_pointer::encoding, ~std::uint64_t{0}},
                               {vmcs::guest_rip::encoding, ~std::uint64_t{0}}};
  counting::faults = 0;
  unsigned executed = 0;
  for (const width_case& c : widths) {
    INFO("encoding " << c.encoding);
    const virtops::status fits = vmx::vmwrite_checked<counting>(c.encoding, c.widest);
    CHECK(fits.code() == errc::fault);
    CHECK(fits.instruction() == virtops::insn::vmwrite);
    ++executed;
    if (c.widest != ~std::uint64_t{0}) {
      CHECK(vmx::vmwrite_checked<counting>(c.encoding, c.widest + 1).code() ==
            errc::value_too_wide);
      CHECK(vmx::vmwrite_checked<counting>(c.encoding, std::uint64_t{1} << 63).code() ==
            errc::value_too_wide);
    }
    CHECK(vmx::vmread_checked<counting>(c.encoding).error().code() == errc::fault);
    ++executed;
  }
  CHECK(counting::faults == executed);
  CHECK(std::string(virtops::to_string(errc::invalid_field)) == "invalid_field");
  CHECK(std::string(virtops::to_string(errc::value_too_wide)) == "value_too_wide");
}

TEST_CASE("VMX exit reasons have their SDM names") {
  CHECK(std::string(vmx::to_string(vmx::exit_reason::cpuid)) == "cpuid");
  CHECK(std::string(vmx::to_string(vmx::exit_reason::vmcall)) == "vmcall");
  CHECK(static_cast<unsigned>(vmx::exit_reason::hlt) == 12);
  CHECK(static_cast<unsigned>(vmx::exit_reason::io_instruction) == 30);
  CHECK(static_cast<unsigned>(vmx::exit_reason::ept_violation) == 48);
  CHECK(static_cast<unsigned>(vmx::exit_reason::xsetbv) == 55);
  CHECK(std::string(vmx::to_string(static_cast<vmx::exit_reason>(35))) == "unknown");
  CHECK(vmx::basic_exit_reason(0x8000'0021) == vmx::exit_reason::entry_failure_invalid_guest_state);
  CHECK(vmx::is_entry_failure(0x8000'0021));
  CHECK_FALSE(vmx::is_entry_failure(12));
  unsigned named = 0;
  for (unsigned n = 0; n < 100; ++n)
    named += std::string(vmx::to_string(static_cast<vmx::exit_reason>(n))) != "unknown";
  CHECK(named == 80);  // 0..85 but 35, 38, 42, 71, 82, 83
}

TEST_CASE("capability helpers force allowed-0 bits on and allowed-1 bits off") {
  // allowed-0 (must be 1): bits 1,2,4; allowed-1 (may be 1): bits 0-7.
  const std::uint64_t cap = (std::uint64_t{0xff} << 32) | 0x16;
  CHECK(vmx::adjust_controls(0, 0, cap).value() == 0x16);
  CHECK(vmx::adjust_controls(0, 0x101, cap).value() == 0x17);  // optional bit 8 not allowed
  CHECK_FALSE(vmx::adjust_controls(0x100, 0, cap).ok());       // required bit 8 not allowed
  CHECK(vmx::controls_ok(0x17, cap));
  CHECK_FALSE(vmx::controls_ok(0x01, cap));
  CHECK_FALSE(vmx::controls_ok(0x117, cap));
  const std::uint64_t fixed0 = 0x80000021, fixed1 = 0xffffffff;  // PG, NE, PE
  CHECK(vmx::adjust_cr(0x11, fixed0, fixed1) == 0x80000031);
  CHECK(vmx::cr_ok(0x80000031, fixed0, fixed1));
  CHECK_FALSE(vmx::cr_ok(0x1'8000'0031, fixed0, fixed1));
  const std::uint64_t basic = (std::uint64_t{1} << 55) | (std::uint64_t{0x1000} << 32) | 0x12345;
  CHECK(vmx::revision_id(basic) == 0x12345);
  CHECK(vmx::region_size(basic) == 0x1000);
  CHECK(vmx::has_true_controls(basic));
  CHECK(vmx::vmwrite_read_only_allowed(std::uint64_t{1} << 29));
  CHECK(vmx::msr::true_entry_ctls == 0x490);
}

TEST_CASE("the VMCB is 4 KiB with the APM's offsets") {
  STATIC_REQUIRE(sizeof(vmcb::vmcb) == 4096);
  CHECK(offsetof(vmcb::vmcb, control.exit_code) == 0x70);
  CHECK(offsetof(vmcb::vmcb, control.guest_asid) == 0x58);
  CHECK(offsetof(vmcb::vmcb, save.rip) == 0x578);
  CHECK(offsetof(vmcb::vmcb, save.rax) == 0x5f8);
  CHECK(offsetof(vmcb::vmcb, save.g_pat) == 0x668);
  CHECK(vmcb::intercept_misc1::hlt == 1u << 24);
  CHECK(vmcb::intercept_misc2::vmrun == 1u);
  CHECK(vmcb::is_invalid(0xffffffffu));
  CHECK(vmcb::is_invalid(~std::uint64_t{0}));
  CHECK_FALSE(vmcb::is_invalid(0x78));
  CHECK(std::string(vmcb::to_string(vmcb::exit_code::vmmcall)) == "vmmcall");
  CHECK(std::string(vmcb::to_string(static_cast<vmcb::exit_code>(0x4e))) == "exception");
  CHECK(std::string(vmcb::to_string(vmcb::exit_code::invalid)) == "invalid");
}
