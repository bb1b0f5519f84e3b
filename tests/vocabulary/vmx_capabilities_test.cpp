// vmx_capabilities.hpp: the fields and bits of IA32_VMX_BASIC, _MISC,
// _EPT_VPID_CAP and _VMFUNC at the SDM's positions (Vol. 3D, A.1, A.6,
// A.10, A.11), which capability MSRs exist, and adjust_controls.
#include <cstdint>
#include <virtops/vmx_capabilities.hpp>
#include <virtops/vmx_controls.hpp>

#include "virtops_catch.hpp"

namespace vmx = virtops::vmx;
using u64 = std::uint64_t;

namespace {
constexpr u64 bit(unsigned n) { return u64{1} << n; }
}  // namespace

TEST_CASE("IA32_VMX_BASIC: revision, region size, memory type and flags") {
  // Revision 0x12345678 would have bit 31 set: bits 30:0 only.
  const u64 basic = 0xdeadbeefu | (u64{0x1000} << 32) | (u64{6} << 50) | bit(54) | bit(55);
  CHECK(vmx::revision_id(basic) == 0x5eadbeefu);
  CHECK(vmx::region_size(basic) == 0x1000);
  CHECK(vmx::region_size(u64{0x1fff} << 32) == 0x1fff);  // bits 44:32, 13 bits
  CHECK(vmx::region_size(u64{1} << 45) == 0);
  CHECK(vmx::vmcs_memory_type(basic) == vmx::basic::memory_type_wb);
  CHECK(vmx::vmcs_memory_type(u64{0xf} << 50) == 0xf);
  CHECK(vmx::vmcs_memory_type(bit(49) | bit(54)) == 0);
  CHECK(vmx::has_true_controls(basic));
  CHECK_FALSE(vmx::has_true_controls(basic & ~bit(55)));
  CHECK(vmx::basic::physical_address_32bit == bit(48));
  CHECK(vmx::basic::dual_monitor_treatment == bit(49));
  CHECK(vmx::basic::ins_outs_instruction_information == bit(54));
  CHECK(vmx::basic::true_controls == bit(55));
  CHECK(vmx::basic::no_error_code_check == bit(56));
  CHECK(vmx::basic::memory_type_uc == 0);
}

TEST_CASE("IA32_VMX_MISC: timer rate, activity states, CR3 targets, MSR lists, MSEG") {
  const u64 misc =
      5 | bit(6) | bit(8) | (u64{4} << 16) | (u64{3} << 25) | bit(29) | (u64{0xabcd} << 32);
  CHECK(vmx::preemption_timer_tsc_shift(misc) == 5);
  CHECK(vmx::preemption_timer_tsc_shift(0x1f | bit(5)) == 0x1f);
  CHECK(vmx::cr3_target_count(misc) == 4);
  CHECK(vmx::cr3_target_count(u64{0x1ff} << 16) == 0x1ff);
  CHECK(vmx::max_msr_list_entries(misc) == 512 * 4);
  CHECK(vmx::max_msr_list_entries(0) == 512);
  CHECK(vmx::max_msr_list_entries(u64{7} << 25) == 4096);
  CHECK(vmx::mseg_revision_id(misc) == 0xabcd);
  CHECK(vmx::vmwrite_read_only_allowed(misc));
  CHECK_FALSE(vmx::vmwrite_read_only_allowed(misc & ~bit(29)));
  CHECK(vmx::misc::stores_lma_on_exit == bit(5));
  CHECK(vmx::misc::activity_hlt == bit(6));
  CHECK(vmx::misc::activity_shutdown == bit(7));
  CHECK(vmx::misc::activity_wait_for_sipi == bit(8));
  CHECK(vmx::misc::intel_pt_in_vmx == bit(14));
  CHECK(vmx::misc::rdmsr_smbase_in_smm == bit(15));
  CHECK(vmx::misc::vmxoff_blocks_smis == bit(28));
  CHECK(vmx::misc::vmwrite_any_field == bit(29));
  CHECK(vmx::misc::inject_zero_instruction_length == bit(30));
}

TEST_CASE("IA32_VMX_EPT_VPID_CAP: bits at the SDM's positions") {
  namespace c = vmx::ept_vpid_cap;
  CHECK(c::execute_only == bit(0));
  CHECK(c::page_walk_length_4 == bit(6));
  CHECK(c::page_walk_length_5 == bit(7));
  CHECK(c::memory_type_uc == bit(8));
  CHECK(c::memory_type_wb == bit(14));
  CHECK(c::pages_2m == bit(16));
  CHECK(c::pages_1g == bit(17));
  CHECK(c::invept == bit(20));
  CHECK(c::accessed_dirty == bit(21));
  CHECK(c::advanced_exit_information == bit(22));
  CHECK(c::supervisor_shadow_stack == bit(23));
  CHECK(c::invept_single_context == bit(25));
  CHECK(c::invept_all_context == bit(26));
  CHECK(c::invvpid == bit(32));
  CHECK(c::invvpid_individual_address == bit(40));
  CHECK(c::invvpid_single_context == bit(41));
  CHECK(c::invvpid_all_context == bit(42));
  CHECK(c::invvpid_single_context_retaining_globals == bit(43));
  CHECK(vmx::max_hlat_prefix_size(u64{0x3f} << 48) == 0x3f);
  CHECK(vmx::max_hlat_prefix_size(u64{1} << 54) == 0);
}

TEST_CASE("INVEPT and INVVPID types are supported only with the instruction's bit") {
  // INVEPT types 1 (single) and 2 (all) are bits 25 and 26, and need bit 20.
  CHECK(vmx::invept_type_supported(bit(20) | bit(26), 2));
  CHECK_FALSE(vmx::invept_type_supported(bit(20) | bit(26), 1));
  CHECK(vmx::invept_type_supported(bit(20) | bit(25), 1));
  CHECK_FALSE(vmx::invept_type_supported(bit(25) | bit(26), 2));  // no INVEPT
  CHECK_FALSE(vmx::invept_type_supported(~u64{0}, 0));
  CHECK_FALSE(vmx::invept_type_supported(~u64{0}, 3));
  // INVVPID types 0-3 are bits 40-43, and need bit 32.
  for (unsigned t = 0; t < 4; ++t) {
    INFO("INVVPID type " << t);
    CHECK(vmx::invvpid_type_supported(bit(32) | bit(40 + t), t));
    CHECK_FALSE(vmx::invvpid_type_supported(bit(40 + t), t));
    CHECK_FALSE(vmx::invvpid_type_supported(
        bit(32) | (bit(40) | bit(41) | bit(42) | bit(43)) & ~bit(40 + t), t));
  }
  CHECK_FALSE(vmx::invvpid_type_supported(~u64{0}, 4));
}

TEST_CASE("IA32_VMX_VMFUNC: bit n allows VM function n") {
  CHECK(vmx::vmfunc_allowed(vmx::vmfunc::eptp_switching, 0));
  CHECK_FALSE(vmx::vmfunc_allowed(vmx::vmfunc::eptp_switching, 1));
  CHECK(vmx::vmfunc_allowed(bit(63), 63));
  CHECK_FALSE(vmx::vmfunc_allowed(~u64{0}, 64));
}

TEST_CASE("which capability MSRs exist") {
  vmx::capabilities k;
  // Only the always-present ones.
  for (std::uint32_t m = 0x480; m <= 0x48a; ++m) CHECK(vmx::capability_msr_exists(m, k));
  for (std::uint32_t m = 0x48b; m <= 0x493; ++m) {
    INFO("MSR " << m);
    CHECK_FALSE(vmx::capability_msr_exists(m, k));
  }
  CHECK_FALSE(vmx::capability_msr_exists(0x47f, k));
  CHECK_FALSE(vmx::capability_msr_exists(0x494, k));
  CHECK_FALSE(vmx::capability_msr_exists(vmx::msr::feature_control, k));
  // TRUE_*: BASIC[55].
  k.basic = bit(55);
  for (std::uint32_t m : {vmx::msr::true_pinbased_ctls, vmx::msr::true_procbased_ctls,
                          vmx::msr::true_exit_ctls, vmx::msr::true_entry_ctls})
    CHECK(vmx::capability_msr_exists(m, k));
  // PROCBASED_CTLS2: allowed-1 of "activate secondary controls" (bit 63),
  // not its allowed-0 bit 31.
  k.procbased_ctls = bit(31);
  CHECK_FALSE(vmx::capability_msr_exists(vmx::msr::procbased_ctls2, k));
  k.procbased_ctls = bit(63);
  CHECK(vmx::capability_msr_exists(vmx::msr::procbased_ctls2, k));
  // EPT_VPID_CAP: enable EPT (33) or enable VPID (37) allowed in CTLS2.
  CHECK_FALSE(vmx::capability_msr_exists(vmx::msr::ept_vpid_cap, k));
  k.procbased_ctls2 = bit(33);
  CHECK(vmx::capability_msr_exists(vmx::msr::ept_vpid_cap, k));
  k.procbased_ctls2 = bit(37);
  CHECK(vmx::capability_msr_exists(vmx::msr::ept_vpid_cap, k));
  k.procbased_ctls2 = bit(1) | bit(5);  // allowed-0 bits say nothing
  CHECK_FALSE(vmx::capability_msr_exists(vmx::msr::ept_vpid_cap, k));
  // VMFUNC: enable VM functions (45) allowed.
  CHECK_FALSE(vmx::capability_msr_exists(vmx::msr::vmfunc, k));
  k.procbased_ctls2 = bit(45);
  CHECK(vmx::capability_msr_exists(vmx::msr::vmfunc, k));
  // ...and only if CTLS2 itself exists.
  k.procbased_ctls = 0;
  CHECK_FALSE(vmx::capability_msr_exists(vmx::msr::vmfunc, k));
  // PROCBASED_CTLS3: "activate tertiary controls" (17) allowed, bit 49.
  CHECK_FALSE(vmx::capability_msr_exists(vmx::msr::procbased_ctls3, k));
  k.procbased_ctls = bit(49);
  CHECK(vmx::capability_msr_exists(vmx::msr::procbased_ctls3, k));
  // EXIT_CTLS2: "activate secondary controls" of the exit controls, bit 63.
  CHECK_FALSE(vmx::capability_msr_exists(vmx::msr::exit_ctls2, k));
  k.exit_ctls = bit(63);
  CHECK(vmx::capability_msr_exists(vmx::msr::exit_ctls2, k));
}

TEST_CASE("adjust_controls: forced bits on, optional bits if allowed, required bits or an error") {
  // allowed-0 (must be 1): bits 1, 2, 4; allowed-1 (may be 1): bits 0-7, 31.
  const u64 cap = ((u64{0xff} | bit(31)) << 32) | 0x16;
  const auto none = vmx::adjust_controls(0, 0, cap);
  REQUIRE(none.ok());
  CHECK(none.value() == 0x16);
  CHECK(none.forced() == 0x16);
  CHECK(none.missing() == 0);
  const auto some = vmx::adjust_controls(0x80, 0x300, cap);  // optional 8, 9 not allowed
  REQUIRE(some.ok());
  CHECK(some.value() == 0x96);
  CHECK(some.forced() == 0x16);
  const auto asked = vmx::adjust_controls(0x02, 0x04, cap);  // forced bits asked for
  CHECK(asked.forced() == 0x10);
  // A required bit the CPU does not allow: an error naming exactly it (and
  // any other), not a value without it.
  const auto bad = vmx::adjust_controls(0x80 | 0x100 | 0x4000, 0x1, cap);
  CHECK_FALSE(bad.ok());
  CHECK(bad.missing() == (0x100u | 0x4000u));
  // The capability MSR of a control field that does not exist reads as 0
  // here: nothing is allowed.
  CHECK(vmx::adjust_controls(0, vmx::proc2::enable_ept, 0).value() == 0);
  CHECK(vmx::adjust_controls(vmx::proc2::enable_ept, 0, 0).missing() == vmx::proc2::enable_ept);
  // Bit 31 through the high half.
  CHECK(vmx::adjust_controls(bit(31) >> 0 & 0x80000000u, 0, cap).value() == 0x80000016u);
}

TEST_CASE("adjust_controls64: allowed-1 only, 64-bit fields") {
  const u64 allowed = vmx::proc3::ipi_virtualization | bit(40);
  const auto ok =
      vmx::adjust_controls64(vmx::proc3::ipi_virtualization, bit(40) | bit(41), allowed);
  REQUIRE(ok.ok());
  CHECK(ok.value() == (vmx::proc3::ipi_virtualization | bit(40)));
  CHECK(ok.forced() == 0);
  const auto bad = vmx::adjust_controls64(bit(50) | vmx::proc3::enable_hlat, 0, allowed);
  CHECK(bad.missing() == (bit(50) | vmx::proc3::enable_hlat));
}

TEST_CASE("controls_ok") {
  const u64 cap = (u64{0xff} << 32) | 0x16;
  CHECK(vmx::controls_ok(0x17, cap));
  CHECK_FALSE(vmx::controls_ok(0x01, cap));   // forced bits missing
  CHECK_FALSE(vmx::controls_ok(0x117, cap));  // bit 8 not allowed
}

// Failures are caught at compile time where a constant expression asks.
static_assert(vmx::adjust_controls(vmx::proc::hlt_exiting, 0, u64{0xffffffff} << 32).value() ==
              vmx::proc::hlt_exiting);
static_assert(!vmx::adjust_controls(vmx::proc::hlt_exiting, 0, 0).ok());

TEST_CASE("allows: the allowed-1 half of a capability MSR") {
  const u64 cap = (u64{vmx::proc2::enable_ept | vmx::proc2::enable_vpid} << 32) |
                  vmx::proc2::unrestricted_guest;  // an allowed-0 bit says nothing
  CHECK(vmx::allows(cap, vmx::proc2::enable_ept));
  CHECK(vmx::allows(cap, vmx::proc2::enable_ept | vmx::proc2::enable_vpid));
  CHECK_FALSE(vmx::allows(cap, vmx::proc2::enable_ept | vmx::proc2::unrestricted_guest));
  CHECK_FALSE(vmx::allows(0, vmx::proc2::enable_ept));
  CHECK(vmx::cr4_vmxe == bit(13));
}
