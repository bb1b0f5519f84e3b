/// \file
/// virtops: segment attributes in the three forms a hypervisor meets them:
/// a GDT/LDT descriptor (Intel SDM Vol. 3A, 3.4.5), the VMCS access-rights
/// format (Vol. 3C, 25.4.1) and the VMCB's 12-bit attribute format (AMD APM
/// Vol. 2, 15.5.1 and Appendix B).
///
///     VMCS access rights:  bits 3:0 type, 4 S, 6:5 DPL, 7 P, 11:8 reserved,
///                          12 AVL, 13 L, 14 D/B, 15 G, 16 unusable, 31:17 reserved
///     VMCB attrib:         bits 3:0 type, 4 S, 6:5 DPL, 7 P, 8 AVL, 9 L, 10 D/B, 11 G
///     descriptor:          bits 43:40 type, 44 S, 46:45 DPL, 47 P, 52 AVL, 53 L,
///                          54 D/B, 55 G (and base, limit)
#pragma once

#include "checked.hpp"
#include "detail/std.hpp"

namespace virtops::segment {

/// The type field's values (SDM Vol. 3A, Tables 3-1 and 3-2) that a
/// hypervisor writes most.
namespace type {
inline constexpr std::uint8_t data_read_write_accessed = 0x3;
inline constexpr std::uint8_t code_execute_read_accessed = 0xb;
inline constexpr std::uint8_t ldt = 0x2;
inline constexpr std::uint8_t tss16_busy = 0x3;
inline constexpr std::uint8_t tss_available = 0x9;  ///< 32-bit, or 64-bit in IA-32e mode
inline constexpr std::uint8_t tss_busy = 0xb;       ///< 32-bit, or 64-bit in IA-32e mode
}  // namespace type

/// The attributes of a segment, whatever their encoding.
struct attributes {
  std::uint8_t type = 0;  ///< 0-15
  bool s = false;         ///< code or data (else system)
  std::uint8_t dpl = 0;   ///< 0-3
  bool present = false;
  bool avl = false;
  bool long_mode = false;    ///< L: 64-bit code segment
  bool default_big = false;  ///< D/B
  bool granularity = false;  ///< G: limit in 4-KByte units
  bool unusable = false;     ///< VMCS only: the segment register is unusable

  friend constexpr bool operator==(const attributes&, const attributes&) = default;
};

/// Why an encoding was refused.
enum class error : std::uint8_t {
  ok,
  type_too_wide,     ///< type above 15
  dpl_too_wide,      ///< DPL above 3
  reserved_bits,     ///< a VMCS access-rights value with bits 11:8 or 31:17 set
  attrib_too_wide,   ///< a VMCB attrib with bits 15:12 set
  unusable_in_vmcb,  ///< the VMCB has no unusable bit (use P = 0, type 0)
};

constexpr const char* to_string(error e) noexcept {
  switch (e) {
    case error::ok: return "ok";
    case error::type_too_wide: return "type_too_wide";
    case error::dpl_too_wide: return "dpl_too_wide";
    case error::reserved_bits: return "reserved_bits";
    case error::attrib_too_wide: return "attrib_too_wide";
    case error::unusable_in_vmcb: return "unusable_in_vmcb";
  }
  return "unknown";
}

/// The VMCS access-rights value of `a` (vmcs::guest_*_access_rights).
constexpr checked<std::uint32_t, error> to_vmcs(const attributes& a) noexcept {
  if (a.type > 15) return error::type_too_wide;
  if (a.dpl > 3) return error::dpl_too_wide;
  return std::uint32_t{a.type} | (a.s ? 1u << 4 : 0u) | (std::uint32_t{a.dpl} << 5) |
         (a.present ? 1u << 7 : 0u) | (a.avl ? 1u << 12 : 0u) | (a.long_mode ? 1u << 13 : 0u) |
         (a.default_big ? 1u << 14 : 0u) | (a.granularity ? 1u << 15 : 0u) |
         (a.unusable ? 1u << 16 : 0u);
}

/// A VMCS access-rights value, decoded. Reserved bits set are refused,
/// except in an unusable segment's value, where the CPU ignores them (VM
/// entry skips the checks) and VMREAD can return them.
constexpr checked<attributes, error> from_vmcs(std::uint32_t ar) noexcept {
  const bool unusable = ((ar >> 16) & 1) != 0;
  if (!unusable && (ar & 0xfffe0f00u) != 0) return error::reserved_bits;
  attributes a;
  a.type = static_cast<std::uint8_t>(ar & 0xf);
  a.s = ((ar >> 4) & 1) != 0;
  a.dpl = static_cast<std::uint8_t>((ar >> 5) & 3);
  a.present = ((ar >> 7) & 1) != 0;
  a.avl = ((ar >> 12) & 1) != 0;
  a.long_mode = ((ar >> 13) & 1) != 0;
  a.default_big = ((ar >> 14) & 1) != 0;
  a.granularity = ((ar >> 15) & 1) != 0;
  a.unusable = unusable;
  return a;
}

/// The VMCB attrib value of `a` (vmcb segment `attrib`). An unusable
/// segment has no VMCB form: the VMCB says "not present" instead.
constexpr checked<std::uint16_t, error> to_vmcb(const attributes& a) noexcept {
  if (a.unusable) return error::unusable_in_vmcb;
  const checked<std::uint32_t, error> ar = to_vmcs(a);
  if (!ar) return ar.error();
  const std::uint32_t v = ar.value();
  return static_cast<std::uint16_t>((v & 0xff) | ((v >> 4) & 0xf00));
}

/// A VMCB attrib value, decoded; bits 15:12 set are refused.
constexpr checked<attributes, error> from_vmcb(std::uint16_t attrib) noexcept {
  if ((attrib & 0xf000) != 0) return error::attrib_too_wide;
  const std::uint32_t ar = (attrib & 0xffu) | ((attrib & 0xf00u) << 4);
  return from_vmcs(ar);
}

/// The attributes of a segment descriptor (its low 8 bytes).
constexpr attributes from_descriptor(std::uint64_t descriptor) noexcept {
  const auto ar =
      static_cast<std::uint32_t>(((descriptor >> 40) & 0xff) | (((descriptor >> 52) & 0xf) << 12));
  return from_vmcs(ar).value();  // bits 11:8 and 31:16 are 0 by construction
}

/// The base of a segment descriptor; for a system descriptor in IA-32e mode
/// (LDT, TSS: 16 bytes) pass its high 8 bytes as `high`.
constexpr std::uint64_t descriptor_base(std::uint64_t descriptor, std::uint64_t high = 0) noexcept {
  return ((descriptor >> 16) & 0xffffff) | (((descriptor >> 56) & 0xff) << 24) |
         ((high & 0xffffffff) << 32);
}

/// The limit of a segment descriptor in bytes (G applied), as the VMCS and
/// the VMCB hold it.
constexpr std::uint32_t descriptor_limit(std::uint64_t descriptor) noexcept {
  const auto raw =
      static_cast<std::uint32_t>((descriptor & 0xffff) | ((descriptor >> 32) & 0xf0000));
  return ((descriptor >> 55) & 1) != 0 ? (raw << 12) | 0xfff : raw;
}

/// A flat 64-bit ring-0 code segment, a flat ring-0 data segment, a busy
/// 64-bit TSS and an unusable segment, as guests at reset of long mode use them.
inline constexpr attributes code64 = {.type = type::code_execute_read_accessed,
                                      .s = true,
                                      .present = true,
                                      .long_mode = true,
                                      .granularity = true};
inline constexpr attributes data32 = {.type = type::data_read_write_accessed,
                                      .s = true,
                                      .present = true,
                                      .default_big = true,
                                      .granularity = true};
inline constexpr attributes tss64_busy = {.type = type::tss_busy, .present = true};
inline constexpr attributes unusable = {.unusable = true};

}  // namespace virtops::segment
