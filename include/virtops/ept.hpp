/// \file
/// virtops: EPT paging-structure entries (Intel SDM Vol. 3C, 29.3.2) and the
/// EPT pointer (25.6.11), built against IA32_VMX_EPT_VPID_CAP so that a
/// memory type, walk length or A/D setting the CPU lacks is a typed error,
/// not a VM entry failure (or an EPT misconfiguration) later.
///
///     const auto eptp = virtops::ept::make_eptp(pml4_pa, caps.ept_vpid_cap,
///                                               {.accessed_dirty = true});
///     if (!eptp) log(virtops::ept::to_string(eptp.error()));
#pragma once

#include "checked.hpp"
#include "detail/std.hpp"
#include "vmx_capabilities.hpp"

namespace virtops::ept {

/// Bits of an EPT paging-structure entry (SDM Tables 29-1 to 29-6).
inline constexpr std::uint64_t read = std::uint64_t{1} << 0;
inline constexpr std::uint64_t write = std::uint64_t{1} << 1;
/// Execute access (for supervisor-mode linear addresses with mode-based
/// execute control).
inline constexpr std::uint64_t execute = std::uint64_t{1} << 2;
/// Leaf entries: bits 5:3 hold the memory type (memory_type).
inline constexpr unsigned memory_type_shift = 3;
inline constexpr std::uint64_t memory_type_mask = std::uint64_t{7} << memory_type_shift;
/// Leaf entries: ignore the guest's PAT.
inline constexpr std::uint64_t ignore_pat = std::uint64_t{1} << 6;
/// PDPTE / PDE: maps a 1-GByte / 2-MByte page.
inline constexpr std::uint64_t large_page = std::uint64_t{1} << 7;
/// Set by the CPU when A/D flags are enabled (EPTP bit 6).
inline constexpr std::uint64_t accessed = std::uint64_t{1} << 8;
inline constexpr std::uint64_t dirty = std::uint64_t{1} << 9;
/// Execute access for user-mode linear addresses (mode-based execute control).
inline constexpr std::uint64_t user_execute = std::uint64_t{1} << 10;
/// Leaf entries with the tertiary controls of HLAT and guest-paging
/// verification: verify guest paging, paging-write access.
inline constexpr std::uint64_t verify_guest_paging = std::uint64_t{1} << 57;
inline constexpr std::uint64_t paging_write_access = std::uint64_t{1} << 58;
/// Leaf entries: supervisor shadow-stack page (EPTP bit 7).
inline constexpr std::uint64_t supervisor_shadow_stack = std::uint64_t{1} << 60;
/// PTE: sub-page write permissions apply.
inline constexpr std::uint64_t subpage_write = std::uint64_t{1} << 61;
/// Leaf entries: an EPT violation is not turned into `#VE`.
inline constexpr std::uint64_t suppress_ve = std::uint64_t{1} << 63;
/// Bits 51:12: the physical address of the next table or the page.
inline constexpr std::uint64_t address_mask = 0x000ffffffffff000;

/// EPT memory types (SDM 29.3.7); 2, 3 and 7 are reserved.
enum class memory_type : std::uint8_t { uc = 0, wc = 1, wt = 4, wp = 5, wb = 6 };

/// Where an entry sits: what it maps when it is a leaf.
enum class level : std::uint8_t {
  pte = 1,    ///< 4-KByte page
  pde = 2,    ///< 2-MByte page or a page table
  pdpte = 3,  ///< 1-GByte page or a page directory
  pml4e = 4,  ///< a page-directory-pointer table (never a leaf)
  pml5e = 5,  ///< a PML4 table (never a leaf)
};

/// Why an entry or EPTP was refused.
enum class error : std::uint8_t {
  ok,
  address_not_aligned,        ///< not aligned to what the entry maps (4K, 2M, 1G)
  address_beyond_maxphyaddr,  ///< bits at or above MAXPHYADDR set
  reserved_memory_type,       ///< 2, 3 or 7
  memory_type_not_supported,  ///< EPTP: not UC/WB, or not in IA32_VMX_EPT_VPID_CAP
  walk_length_not_supported,  ///< EPTP: 4 or 5, as IA32_VMX_EPT_VPID_CAP allows
  accessed_dirty_not_supported,
  supervisor_shadow_stack_not_supported,
  large_page_not_supported,    ///< 2M or 1G page without IA32_VMX_EPT_VPID_CAP bit 16 / 17
  no_leaf_at_this_level,       ///< a page at the PML4E or PML5E level
  write_without_read,          ///< write without read is an EPT misconfiguration
  execute_only_not_supported,  ///< execute without read needs IA32_VMX_EPT_VPID_CAP[0]
  flags_overlap_fields,        ///< flags had address, memory-type or large-page bits
};

constexpr const char* to_string(error e) noexcept {
  switch (e) {
    case error::ok: return "ok";
    case error::address_not_aligned: return "address_not_aligned";
    case error::address_beyond_maxphyaddr: return "address_beyond_maxphyaddr";
    case error::reserved_memory_type: return "reserved_memory_type";
    case error::memory_type_not_supported: return "memory_type_not_supported";
    case error::walk_length_not_supported: return "walk_length_not_supported";
    case error::accessed_dirty_not_supported: return "accessed_dirty_not_supported";
    case error::supervisor_shadow_stack_not_supported:
      return "supervisor_shadow_stack_not_supported";
    case error::large_page_not_supported: return "large_page_not_supported";
    case error::no_leaf_at_this_level: return "no_leaf_at_this_level";
    case error::write_without_read: return "write_without_read";
    case error::execute_only_not_supported: return "execute_only_not_supported";
    case error::flags_overlap_fields: return "flags_overlap_fields";
  }
  return "unknown";
}

namespace detail {
constexpr bool reserved(memory_type t) noexcept {
  const auto v = static_cast<unsigned>(t);
  return v == 2 || v == 3 || v > 6;
}
constexpr error check_address(std::uint64_t pa, std::uint64_t alignment,
                              unsigned maxphyaddr) noexcept {
  if ((pa & (alignment - 1)) != 0) return error::address_not_aligned;
  if (maxphyaddr < 64 && (pa >> maxphyaddr) != 0) return error::address_beyond_maxphyaddr;
  if ((pa & ~address_mask) != 0) return error::address_beyond_maxphyaddr;  // above bit 51
  return error::ok;
}
constexpr error check_permissions(std::uint64_t flags, std::uint64_t cap) noexcept {
  if ((flags & write) != 0 && (flags & read) == 0) return error::write_without_read;
  if ((flags & (execute | user_execute)) != 0 && (flags & read) == 0 &&
      (cap & vmx::ept_vpid_cap::execute_only) == 0)
    return error::execute_only_not_supported;
  return error::ok;
}
}  // namespace detail

/// A non-leaf entry pointing at the next table (4-KByte aligned), with
/// access bits `flags` (read, write, execute, user_execute). `cap` is
/// IA32_VMX_EPT_VPID_CAP (execute-only permissions need its bit 0).
constexpr checked<std::uint64_t, error> table_entry(std::uint64_t next_table_pa,
                                                    std::uint64_t flags, std::uint64_t cap,
                                                    unsigned maxphyaddr = 52) noexcept {
  if ((flags & ~(read | write | execute | user_execute)) != 0) return error::flags_overlap_fields;
  if (const error e = detail::check_address(next_table_pa, 0x1000, maxphyaddr); e != error::ok)
    return e;
  if (const error e = detail::check_permissions(flags, cap); e != error::ok) return e;
  return next_table_pa | flags;
}

/// A leaf entry mapping the page at `pa` at level `at` (a PTE, a 2-MByte
/// PDE or a 1-GByte PDPTE, which get large_page), with memory type `type`
/// and `flags` (permissions, ignore_pat, suppress_ve, ...: no address,
/// memory-type or large-page bits).
constexpr checked<std::uint64_t, error> page_entry(level at, std::uint64_t pa, memory_type type,
                                                   std::uint64_t flags, std::uint64_t cap,
                                                   unsigned maxphyaddr = 52) noexcept {
  if ((flags & (address_mask | memory_type_mask | large_page)) != 0)
    return error::flags_overlap_fields;
  if (at == level::pml4e || at == level::pml5e) return error::no_leaf_at_this_level;
  if (at == level::pde && (cap & vmx::ept_vpid_cap::pages_2m) == 0)
    return error::large_page_not_supported;
  if (at == level::pdpte && (cap & vmx::ept_vpid_cap::pages_1g) == 0)
    return error::large_page_not_supported;
  if (detail::reserved(type)) return error::reserved_memory_type;
  const std::uint64_t size = std::uint64_t{1} << (12 + 9 * (static_cast<unsigned>(at) - 1));
  if (const error e = detail::check_address(pa, size, maxphyaddr); e != error::ok) return e;
  if (const error e = detail::check_permissions(flags, cap); e != error::ok) return e;
  return pa | flags | (std::uint64_t{static_cast<std::uint8_t>(type)} << memory_type_shift) |
         (at == level::pte ? 0 : large_page);
}

/// Bits of the EPT pointer (SDM 25.6.11).
namespace eptp_bits {
inline constexpr std::uint64_t memory_type_mask = 7;  ///< bits 2:0
inline constexpr unsigned walk_length_shift = 3;      ///< bits 5:3: walk length - 1
inline constexpr std::uint64_t accessed_dirty = std::uint64_t{1} << 6;
inline constexpr std::uint64_t supervisor_shadow_stack = std::uint64_t{1} << 7;
}  // namespace eptp_bits

struct eptp_options {
  memory_type type = memory_type::wb;  ///< of the paging structures: UC or WB
  unsigned walk_length = 4;            ///< 4 (PML4) or 5 (PML5)
  bool accessed_dirty = false;
  bool supervisor_shadow_stack = false;
  unsigned maxphyaddr = 52;  ///< CPUID.80000008H:EAX[7:0], if known
};

/// The EPTP of the top-level table at `pml_pa` (4-KByte aligned), checked
/// against `cap` (IA32_VMX_EPT_VPID_CAP): the memory type, walk length,
/// A/D flags and supervisor shadow stack must be what it allows.
constexpr checked<std::uint64_t, error> make_eptp(std::uint64_t pml_pa, std::uint64_t cap,
                                                  eptp_options o = {}) noexcept {
  namespace c = vmx::ept_vpid_cap;
  const bool type_ok = (o.type == memory_type::uc && (cap & c::memory_type_uc) != 0) ||
                       (o.type == memory_type::wb && (cap & c::memory_type_wb) != 0);
  if (!type_ok) return error::memory_type_not_supported;
  const bool walk_ok = (o.walk_length == 4 && (cap & c::page_walk_length_4) != 0) ||
                       (o.walk_length == 5 && (cap & c::page_walk_length_5) != 0);
  if (!walk_ok) return error::walk_length_not_supported;
  if (o.accessed_dirty && (cap & c::accessed_dirty) == 0)
    return error::accessed_dirty_not_supported;
  if (o.supervisor_shadow_stack && (cap & c::supervisor_shadow_stack) == 0)
    return error::supervisor_shadow_stack_not_supported;
  if (const error e = detail::check_address(pml_pa, 0x1000, o.maxphyaddr); e != error::ok) return e;
  return pml_pa | static_cast<std::uint8_t>(o.type) |
         (std::uint64_t{o.walk_length - 1} << eptp_bits::walk_length_shift) |
         (o.accessed_dirty ? eptp_bits::accessed_dirty : 0) |
         (o.supervisor_shadow_stack ? eptp_bits::supervisor_shadow_stack : 0);
}

}  // namespace virtops::ept
