// status, result<T>, errc, insn and vm_instruction_error: values, names, layout.
#include <cstring>
#include <string>
#include <virtops/virtops.hpp>

#include "virtops_catch.hpp"

using virtops::errc;
using virtops::fault_info;
using virtops::insn;
using virtops::result;
using virtops::status;
using virtops::vm_instruction_error;

TEST_CASE("a default status is ok and carries nothing") {
  constexpr status s;
  STATIC_REQUIRE(s.ok());
  CHECK(s.code() == errc::ok);
  CHECK(static_cast<bool>(s));
  CHECK(s.vm_error() == vm_instruction_error::none);
  CHECK(s.fault() == fault_info{});
}

TEST_CASE("vmfail_invalid has no error number") {
  constexpr auto s = status::vmfail_invalid(insn::vmptrld);
  STATIC_REQUIRE(!s.ok());
  CHECK_FALSE(static_cast<bool>(s));
  CHECK(s.code() == errc::vmfail_invalid);
  CHECK(s.instruction() == insn::vmptrld);
  CHECK(s.vm_error() == vm_instruction_error::none);
  CHECK(s.fault() == fault_info{});
}

TEST_CASE("vmfail_valid carries the VM-instruction error number") {
  const auto s =
      status::vmfail_valid(insn::vmxon, vm_instruction_error::vmxon_in_vmx_root_operation);
  CHECK(s.code() == errc::vmfail_valid);
  CHECK(s.instruction() == insn::vmxon);
  CHECK(static_cast<std::uint32_t>(s.vm_error()) == 15);
  CHECK(s.fault() == fault_info{});
  // A number the SDM does not define survives unchanged.
  const auto odd = status::vmfail_valid(insn::vmwrite, vm_instruction_error{4242});
  CHECK(static_cast<std::uint32_t>(odd.vm_error()) == 4242);
}

TEST_CASE("a fault status round-trips its fault_info") {
  const fault_info f{insn::invvpid, 13, 0xabcd1234u, 0xffffffff81234567u};
  const auto s = status::from_fault(f);
  CHECK(s.code() == errc::fault);
  CHECK(s.instruction() == insn::invvpid);
  CHECK(s.fault() == f);
  CHECK(s.vm_error() == vm_instruction_error::none);
  CHECK(s != status{});
  CHECK(s == status::from_fault(f));
  // Every exception vector, and canonical RIPs of 4- and 5-level paging,
  // user and kernel halves (the vector shares the RIP's top bits).
  for (std::uint8_t v = 0; v < 32; ++v)
    for (std::uint64_t rip : {0x0ull, 0x0000'7fff'ffff'ffffull, 0x00ff'ffff'ffff'fff0ull,
                              0xff00'0000'0000'0000ull, 0xffff'8000'0000'1000ull, ~0ull}) {
      const fault_info g{insn::vmread, v, 0xffffffffu, rip};
      CHECK(status::from_fault(g).fault() == g);
      CHECK(status::from_fault(g).with_field(0x4402).fault() == g);
    }
}

TEST_CASE("a failed VMREAD/VMWRITE names its field; other failures name none") {
  using virtops::vmcs::guest_cs_selector;
  const auto valid =
      status::vmfail_valid(insn::vmwrite, vm_instruction_error::vmwrite_read_only_component)
          .with_field(guest_cs_selector::encoding);
  CHECK(valid.has_field());
  CHECK(valid.field() == guest_cs_selector::encoding);
  CHECK(valid.vm_error() == vm_instruction_error::vmwrite_read_only_component);
  CHECK(std::strcmp(virtops::field_name(valid), "guest_cs_selector") == 0);
  // Without a fault, any encoding is kept whole (a guest's wild one too).
  const auto wild = status::vmfail_invalid(insn::vmread).with_field(0xdead'beef'0000'1000ull);
  CHECK(wild.field() == 0xdead'beef'0000'1000ull);
  CHECK(virtops::field_name(wild) == nullptr);
  // With a fault, the RIP keeps its word: fields below 0x8000 are kept.
  const fault_info f{insn::vmread, 6, 0, 0x5555'0000'1234ull};
  const auto faulted = status::from_fault(f).with_field(0x681e);
  CHECK(faulted.has_field());
  CHECK(faulted.field() == 0x681e);
  CHECK(faulted.fault() == f);
  CHECK(std::strcmp(virtops::field_name(faulted), "guest_rip") == 0);
  const auto beyond = status::from_fault(f).with_field(0x8000);
  CHECK_FALSE(beyond.has_field());
  CHECK(beyond.fault() == f);
  // A result keeps the field.
  const result<std::uint64_t> r{faulted};
  CHECK(r.error() == faulted);
  CHECK(r.error().field() == 0x681e);
  // Nothing else names one.
  CHECK_FALSE(status::vmfail_invalid(insn::vmclear).has_field());
  CHECK_FALSE(status::from_fault(f).has_field());
  CHECK_FALSE(status{}.has_field());
  CHECK(status{}.field() == 0);
}

TEST_CASE("format() writes one line naming the instruction, field, outcome and fault") {
  char line[200];
  const auto valid =
      status::vmfail_valid(insn::vmwrite, vm_instruction_error::vmwrite_read_only_component)
          .with_field(virtops::vmcs::guest_cs_selector::encoding);
  const std::size_t n = virtops::format(valid, line, sizeof line);
  CHECK(std::string(line) ==
        "vmwrite guest_cs_selector (0x0802): vmfail_valid, VM-instruction error 13 (VMWRITE to "
        "read-only VMCS component)");
  CHECK(n == std::strlen(line));
  virtops::format(status::from_fault({insn::vmread, 6, 0, 0x401000}).with_field(0x681e), line,
                  sizeof line);
  CHECK(std::string(line) ==
        "vmread guest_rip (0x681e): fault, vector 6 (#UD), error code 0x0, at 0x401000");
  virtops::format(status::vmfail_invalid(insn::vmread).with_field(0x1000), line, sizeof line);
  CHECK(std::string(line) == "vmread of 0x1000 (no VMCS field): vmfail_invalid");
  virtops::format(status::from_fault({insn::vmwrite, 13, 0, 0x10}).with_field(0x9000), line,
                  sizeof line);
  CHECK(std::string(line) ==
        "vmwrite of an encoding of 0x8000 or more (no VMCS field): fault, vector 13 (#GP), error "
        "code 0x0, at 0x10");
  virtops::format(status::vmfail_invalid(insn::vmclear), line, sizeof line);
  CHECK(std::string(line) == "vmclear: vmfail_invalid");
  virtops::format(status{}, line, sizeof line);
  CHECK(std::string(line) == "ok");
  // Cut to the buffer, NUL-terminated, the full length returned.
  char small[8];
  CHECK(virtops::format(valid, small, sizeof small) == n);
  CHECK(std::string(small) == "vmwrite");
}

TEST_CASE("status and result are 16 trivially copyable bytes, returned in registers") {
  STATIC_REQUIRE(sizeof(status) == 16);
  STATIC_REQUIRE(std::is_trivially_copyable_v<status>);
  STATIC_REQUIRE(std::is_trivially_copyable_v<result<std::uint64_t>>);
  STATIC_REQUIRE(std::is_trivially_copyable_v<result<std::uint16_t>>);
  STATIC_REQUIRE(sizeof(result<std::uint64_t>) == 16);
  STATIC_REQUIRE(sizeof(result<std::uint16_t>) == 16);
}

TEST_CASE("a result keeps every field of the status it was made from") {
  const fault_info f{insn::vmread, virtops::vector::gp, 0x1234, 0xffff'8000'0000'1000};
  const result<std::uint32_t> faulted{status::from_fault(f)};
  CHECK_FALSE(faulted.has_value());
  CHECK(faulted.value_or(0) == 0);  // the RIP shares the value's word, and never shows
  CHECK(faulted.error() == status::from_fault(f));
  CHECK(faulted.error().fault() == f);

  const result<std::uint16_t> narrow{std::uint16_t{0xbeef}};
  CHECK(narrow.value() == 0xbeef);
  CHECK(narrow.error() == status{});

  enum class small : std::uint8_t { a = 3 };
  const result<small> e{small::a};
  CHECK(e.value() == small::a);
  const result<std::int32_t> negative{-5};
  CHECK(negative.value() == -5);
}

TEST_CASE("result holds a value or an error, and value_or() gives the default without one") {
  constexpr result<std::uint64_t> ok{std::uint64_t{0x1234}};
  STATIC_REQUIRE(ok.has_value());
  CHECK(ok.value() == 0x1234);
  CHECK(ok.value_or(7) == 0x1234);
  CHECK(ok.error().ok());

  const result<std::uint64_t> bad{status::vmfail_valid(
      insn::vmread, vm_instruction_error::vmread_vmwrite_unsupported_component)};
  CHECK_FALSE(bad.has_value());
  CHECK_FALSE(static_cast<bool>(bad));
  CHECK(bad.value_or(7) == 7);
  CHECK(bad.error().code() == errc::vmfail_valid);
  CHECK(bad.error().vm_error() == vm_instruction_error::vmread_vmwrite_unsupported_component);

  // A resumed fault: success, no value.
  const result<std::uint64_t> resumed{status{}};
  CHECK(resumed.has_value());
  CHECK(resumed.value() == 0);
}

TEST_CASE("every SDM VM-instruction error number has its name and description") {
  struct row {
    std::uint32_t number;
    const char* name;
  };
  // Transcribed from the SDM's table of VM-instruction error numbers.
  const row rows[] = {
      {1, "vmcall_in_vmx_root_operation"},
      {2, "vmclear_invalid_address"},
      {3, "vmclear_vmxon_pointer"},
      {4, "vmlaunch_nonclear_vmcs"},
      {5, "vmresume_nonlaunched_vmcs"},
      {6, "vmresume_after_vmxoff"},
      {7, "vmentry_invalid_control_fields"},
      {8, "vmentry_invalid_host_state_fields"},
      {9, "vmptrld_invalid_address"},
      {10, "vmptrld_vmxon_pointer"},
      {11, "vmptrld_incorrect_revision_id"},
      {12, "vmread_vmwrite_unsupported_component"},
      {13, "vmwrite_read_only_component"},
      {15, "vmxon_in_vmx_root_operation"},
      {16, "vmentry_invalid_executive_vmcs_pointer"},
      {17, "vmentry_nonlaunched_executive_vmcs"},
      {18, "vmentry_executive_vmcs_pointer_not_vmxon_pointer"},
      {19, "vmcall_nonclear_vmcs"},
      {20, "vmcall_invalid_vmexit_control_fields"},
      {22, "vmcall_incorrect_mseg_revision_id"},
      {23, "vmxoff_under_dual_monitor_treatment"},
      {24, "vmcall_invalid_smm_monitor_features"},
      {25, "vmentry_invalid_executive_vmcs_execution_controls"},
      {26, "vmentry_events_blocked_by_mov_ss"},
      {28, "invept_invvpid_invalid_operand"},
  };
  CHECK(std::size(rows) == 25);
  for (const row& r : rows) {
    INFO("error number " << r.number);
    const auto e = vm_instruction_error{r.number};
    CHECK(virtops::is_defined(e));
    CHECK(std::string(virtops::to_string(e)) == r.name);
    const std::string text = virtops::description(e);
    CHECK(text.find("reserved") == std::string::npos);
    CHECK(text.find("unknown") == std::string::npos);
    // Each description is distinct from every other.
    for (const row& other : rows)
      if (other.number != r.number)
        CHECK(text != virtops::description(vm_instruction_error{other.number}));
  }
}

TEST_CASE("reserved and unknown VM-instruction error numbers print as such") {
  for (std::uint32_t n : {14u, 21u, 27u}) {
    CHECK_FALSE(virtops::is_defined(vm_instruction_error{n}));
    CHECK(std::string(virtops::to_string(vm_instruction_error{n})) == "reserved");
    CHECK(std::string(virtops::description(vm_instruction_error{n})).find("reserved") !=
          std::string::npos);
  }
  for (std::uint32_t n : {0u, 29u, 255u, 0xffffffffu}) {
    CHECK_FALSE(virtops::is_defined(vm_instruction_error{n}));
  }
  CHECK(std::string(virtops::to_string(vm_instruction_error{0})) == "none");
  for (std::uint32_t n : {29u, 100u, 0xffffffffu}) {
    CHECK(std::string(virtops::to_string(vm_instruction_error{n})) == "unknown");
    CHECK(std::string(virtops::description(vm_instruction_error{n})).find("unknown") !=
          std::string::npos);
  }
}

TEST_CASE("instruction and errc names") {
  const char* expected[] = {"vmxon",   "vmxoff", "vmclear", "vmptrld",  "vmptrst",  "vmread",
                            "vmwrite", "invept", "invvpid", "vmlaunch", "vmresume", "vmcall",
                            "vmrun",   "vmload", "vmsave",  "stgi",     "clgi",     "invlpga",
                            "vmmcall", "rdmsr",  "wrmsr",   "xsetbv"};
  REQUIRE(std::size(expected) == virtops::insn_count);
  for (unsigned i = 0; i < virtops::insn_count; ++i)
    CHECK(std::string(virtops::to_string(static_cast<insn>(i))) == expected[i]);
  CHECK(std::string(virtops::to_string(static_cast<insn>(200))) == "unknown");
  CHECK(virtops::is_vmx(insn::vmcall));
  CHECK_FALSE(virtops::is_vmx(insn::vmrun));
  // Appended ids are no VMX instructions, whatever their value.
  for (insn i : {insn::rdmsr, insn::wrmsr, insn::xsetbv}) {
    CHECK_FALSE(virtops::is_vmx(i));
    CHECK_FALSE(virtops::is_svm(i));
    CHECK(virtops::family_of(i) == virtops::insn_family::other);
  }
  CHECK(virtops::is_svm(insn::vmrun));
  CHECK(virtops::is_svm(insn::vmmcall));
  CHECK_FALSE(virtops::is_svm(insn::vmcall));
  CHECK(std::string(virtops::to_string(errc::vmfail_valid)) == "vmfail_valid");
  CHECK(std::string(virtops::to_string(errc::fault)) == "fault");
}
