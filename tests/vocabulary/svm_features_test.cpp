// svm_features.hpp against AMD APM Vol. 3, Appendix E (CPUID Fn8000_0001 ECX,
// Fn8000_000A) and APM Vol. 2, 15.4 and 15.30.1 (VM_CR).
#include <string>
#include <virtops/svm_features.hpp>

#include "virtops_catch.hpp"

namespace svm = virtops::svm;
using svm::feature;

namespace {
// The APM's CPUID Fn8000_000A EDX table, as bit numbers written from it.
struct row {
  feature f;
  unsigned bit;
  const char* name;
};
constexpr row apm_edx[] = {
    {feature::nested_paging, 0, "nested_paging"},
    {feature::lbr_virtualization, 1, "lbr_virtualization"},
    {feature::svm_lock, 2, "svm_lock"},
    {feature::nrip_save, 3, "nrip_save"},
    {feature::tsc_rate_msr, 4, "tsc_rate_msr"},
    {feature::vmcb_clean, 5, "vmcb_clean"},
    {feature::flush_by_asid, 6, "flush_by_asid"},
    {feature::decode_assists, 7, "decode_assists"},
    {feature::pause_filter, 10, "pause_filter"},
    {feature::pause_filter_threshold, 12, "pause_filter_threshold"},
    {feature::avic, 13, "avic"},
    {feature::vmsave_vmload_virtualization, 15, "vmsave_vmload_virtualization"},
    {feature::vgif, 16, "vgif"},
    {feature::gmet, 17, "gmet"},
    {feature::x2avic, 18, "x2avic"},
    {feature::supervisor_shadow_stack_check, 19, "supervisor_shadow_stack_check"},
    {feature::spec_ctrl_virtualization, 20, "spec_ctrl_virtualization"},
    {feature::read_only_guest_page_tables, 21, "read_only_guest_page_tables"},
    {feature::host_mce_override, 23, "host_mce_override"},
    {feature::tlbi_control, 24, "tlbi_control"},
    {feature::vnmi, 25, "vnmi"},
    {feature::ibs_virtualization, 26, "ibs_virtualization"},
    {feature::extended_lvt_avic_access, 27, "extended_lvt_avic_access"},
    {feature::vmcb_address_check, 28, "vmcb_address_check"},
    {feature::bus_lock_threshold, 29, "bus_lock_threshold"},
    {feature::idle_hlt_intercept, 30, "idle_hlt_intercept"},
};
}  // namespace

TEST_CASE("each Fn8000_000A EDX feature is the bit the APM gives it, and only that bit") {
  std::uint32_t all = 0;
  for (const row& r : apm_edx) {
    INFO(r.name << " bit " << r.bit);
    CHECK(static_cast<unsigned>(r.f) == r.bit);
    CHECK(std::string(svm::to_string(r.f)) == r.name);
    const svm::features only{0, 0, 1u << r.bit};
    for (const row& other : apm_edx) CHECK(only.has(other.f) == (other.bit == r.bit));
    const svm::features all_but{0, 0, ~(1u << r.bit)};
    CHECK_FALSE(all_but.has(r.f));
    all |= 1u << r.bit;
  }
  // Bits 8, 9, 11, 14, 22 and 31 are reserved.
  CHECK(all == 0x7FBFB4FFu);
  CHECK(svm::defined_feature_bits == all);
  CHECK(std::string(svm::to_string(static_cast<feature>(8))) == "reserved");
  CHECK(std::string(svm::to_string(static_cast<feature>(31))) == "reserved");
}

TEST_CASE("Fn8000_000A EAX is the revision in bits 7:0, EBX the number of ASIDs") {
  constexpr svm::features f{0xffffff01, 0x8000, 0};
  STATIC_REQUIRE(f.revision() == 1);
  STATIC_REQUIRE(f.asid_count() == 0x8000);
  CHECK_FALSE(f.valid_guest_asid(0));  // the host's
  CHECK(f.valid_guest_asid(1));
  CHECK(f.valid_guest_asid(0x7fff));
  CHECK_FALSE(f.valid_guest_asid(0x8000));
  CHECK(svm::cpuid::svm_features_leaf == 0x8000000Au);
  CHECK(svm::cpuid::extended_features_leaf == 0x80000001u);
  CHECK(svm::cpuid::svm_bit == 4u);  // ECX bit 2
  CHECK(svm::svm_key_msr == 0xC0010118u);
  CHECK(svm::tsc_ratio_msr == 0xC0000104u);
  CHECK(svm::tsc_ratio_default == 0x0000000100000000ull);  // 1.0 in 8.32 fixed point
}

TEST_CASE("SVM availability follows the APM's check: CPUID, VM_CR.SVMDIS, VM_CR.LOCK, SVML") {
  using svm::availability;
  constexpr std::uint32_t ecx_svm = 1u << 2;
  constexpr std::uint64_t svmdis = 1u << 4, lock = 1u << 3;
  constexpr svm::features no_svml{0, 0, 0}, svml{0, 0, 1u << 2};
  CHECK(svm::check_availability(0, 0, svml) == availability::not_supported);
  CHECK(svm::check_availability(~ecx_svm, 0, svml) == availability::not_supported);
  CHECK(svm::check_availability(ecx_svm, 0, no_svml) == availability::available);
  // LOCK alone (firmware locked SVM on) and the other VM_CR bits do not disable it.
  CHECK(svm::check_availability(ecx_svm, lock | 0x7, no_svml) == availability::available);
  CHECK(svm::check_availability(ecx_svm, svmdis, svml) == availability::disabled_unlocked);
  CHECK(svm::check_availability(ecx_svm, svmdis | lock, no_svml) ==
        availability::disabled_by_firmware);
  CHECK(svm::check_availability(ecx_svm, svmdis | lock, svml) == availability::disabled_with_key);
  CHECK(std::string(svm::to_string(availability::disabled_by_firmware)) == "disabled_by_firmware");
}
