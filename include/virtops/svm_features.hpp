/// \file
/// virtops: what the CPU says about SVM: CPUID Fn8000_0001 ECX[SVM],
/// CPUID Fn8000_000A (revision, number of ASIDs, the EDX feature bits) and
/// whether firmware disabled SVM through VM_CR (AMD APM Vol. 2, 15.4 and
/// 15.30.1; Vol. 3, Appendix E, "CPUID Fn8000_000A"). Decoders only: the
/// caller executes CPUID and reads VM_CR (msr::read, which turns the `#GP`
/// of a CPU without VM_CR, such as Bochs, into errc::fault).
#pragma once

#include "detail/std.hpp"
#include "vmcb.hpp"

namespace virtops::svm {

/// CPUID leaves and the SVM bit.
namespace cpuid {
/// Fn8000_0001: ECX bit 2 (svm_bit) says SVM is implemented.
inline constexpr std::uint32_t extended_features_leaf = 0x80000001;
inline constexpr std::uint32_t svm_bit = 1u << 2;
/// Fn8000_000A: the SVM features; only meaningful when svm_bit is set.
inline constexpr std::uint32_t svm_features_leaf = 0x8000000A;
}  // namespace cpuid

/// SVM_KEY (APM Vol. 2, ch. 15, "SVM-Lock"): with feature::svm_lock, the key that
/// unlocks VM_CR.LOCK (availability::disabled_with_key).
inline constexpr std::uint32_t svm_key_msr = 0xC0010118;
/// TSC_RATIO (APM Vol. 2, ch. 15, "TSC Ratio MSR"): the guest's TSC rate, with
/// feature::tsc_rate_msr; 8.32 fixed point, tsc_ratio_default is 1.0.
inline constexpr std::uint32_t tsc_ratio_msr = 0xC0000104;
inline constexpr std::uint64_t tsc_ratio_default = std::uint64_t{1} << 32;

// CPUID Fn8000_000A EDX: name, bit (APM Vol. 3, Appendix E; bits not listed
// are reserved).
// clang-format off
#define VIRTOPS_DETAIL_SVM_FEATURES(X)     \
  X(nested_paging, 0)                      \
  X(lbr_virtualization, 1)                 \
  X(svm_lock, 2)                           \
  X(nrip_save, 3)                          \
  X(tsc_rate_msr, 4)                       \
  X(vmcb_clean, 5)                         \
  X(flush_by_asid, 6)                      \
  X(decode_assists, 7)                     \
  X(pause_filter, 10)                      \
  X(pause_filter_threshold, 12)            \
  X(avic, 13)                              \
  X(vmsave_vmload_virtualization, 15)      \
  X(vgif, 16)                              \
  X(gmet, 17)                              \
  X(x2avic, 18)                            \
  X(supervisor_shadow_stack_check, 19)     \
  X(spec_ctrl_virtualization, 20)          \
  X(read_only_guest_page_tables, 21)       \
  X(host_mce_override, 23)                 \
  X(tlbi_control, 24)                      \
  X(vnmi, 25)                              \
  X(ibs_virtualization, 26)                \
  X(extended_lvt_avic_access, 27)          \
  X(vmcb_address_check, 28)                \
  X(bus_lock_threshold, 29)                \
  X(idle_hlt_intercept, 30)
// clang-format on

/// A feature of CPUID Fn8000_000A EDX; the value is its bit number.
enum class feature : std::uint8_t {
#define VIRTOPS_DETAIL_X(name, bit) name = bit,
  VIRTOPS_DETAIL_SVM_FEATURES(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
};

/// The feature's name (the enumerator's), "reserved" for a bit the APM does
/// not define.
constexpr const char* to_string(feature f) noexcept {
  switch (f) {
#define VIRTOPS_DETAIL_X(name, bit) \
  case feature::name: return #name;
    VIRTOPS_DETAIL_SVM_FEATURES(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
  }
  return "reserved";
}

/// Every EDX bit the APM defines, as a mask.
inline constexpr std::uint32_t defined_feature_bits = 0
#define VIRTOPS_DETAIL_X(name, bit) | (1u << bit)
    VIRTOPS_DETAIL_SVM_FEATURES(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
    ;
#undef VIRTOPS_DETAIL_SVM_FEATURES

/// CPUID Fn8000_000A, decoded.
struct features {
  std::uint32_t eax = 0, ebx = 0, edx = 0;

  /// EAX[7:0]: the SVM revision.
  constexpr unsigned revision() const noexcept { return eax & 0xffu; }
  /// EBX: the number of ASIDs (ASID 0 is the host's, so guests get 1 to
  /// asid_count() - 1).
  constexpr std::uint32_t asid_count() const noexcept { return ebx; }
  /// Whether `asid` is one a guest may run with: not 0, below asid_count().
  constexpr bool valid_guest_asid(std::uint32_t asid) const noexcept {
    return asid != 0 && asid < ebx;
  }
  constexpr bool has(feature f) const noexcept { return (edx >> static_cast<unsigned>(f)) & 1u; }
};

/// Whether SVM can be enabled (APM Vol. 2, 15.4, "Enabling SVM", with the
/// VM_CR.LOCK distinction of 15.30.1).
enum class availability : std::uint8_t {
  available,             ///< VM_CR.SVMDIS is 0: EFER.SVME may be set
  not_supported,         ///< CPUID Fn8000_0001 ECX[SVM] is 0
  disabled_unlocked,     ///< SVMDIS set, VM_CR.LOCK clear: writing SVMDIS=0 enables SVM
  disabled_by_firmware,  ///< SVMDIS set and locked, no SVM lock (SVML=0): a firmware setting
  disabled_with_key,     ///< SVMDIS set and locked, SVML=1: the SVM_KEY can unlock it
};

constexpr const char* to_string(availability a) noexcept {
  switch (a) {
    case availability::available: return "available";
    case availability::not_supported: return "not_supported";
    case availability::disabled_unlocked: return "disabled_unlocked";
    case availability::disabled_by_firmware: return "disabled_by_firmware";
    case availability::disabled_with_key: return "disabled_with_key";
  }
  return "unknown";
}

/// The APM's check in order: CPUID Fn8000_0001 ECX[SVM], VM_CR.SVMDIS,
/// VM_CR.LOCK, then CPUID Fn8000_000A EDX[SVML]. `vm_cr` is VM_CR's value;
/// pass 0 where reading it faulted (a CPU without VM_CR, such as Bochs, has
/// nothing that disables SVM).
constexpr availability check_availability(std::uint32_t cpuid_80000001_ecx, std::uint64_t vm_cr,
                                          features f) noexcept {
  if (!(cpuid_80000001_ecx & cpuid::svm_bit)) return availability::not_supported;
  if (!(vm_cr & vmcb::vm_cr::svmdis)) return availability::available;
  if (!(vm_cr & vmcb::vm_cr::lock)) return availability::disabled_unlocked;
  return f.has(feature::svm_lock) ? availability::disabled_with_key
                                  : availability::disabled_by_firmware;
}

}  // namespace virtops::svm
