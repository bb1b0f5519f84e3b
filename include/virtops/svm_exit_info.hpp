/// \file
/// virtops: decoders of a `#VMEXIT`'s EXITINFO1 and EXITINFO2 (VMCB offsets
/// 0x078, 0x080; AMD APM Vol. 2, 15.8.1 decode assists, 15.10.2 IOIO,
/// 15.11 MSR, 15.12 exceptions, 15.25.6 nested page faults).
#pragma once

#include "checked.hpp"
#include "detail/std.hpp"

namespace virtops::svm {

/// Why EXITINFO1 could not be decoded.
enum class exit_info_error : std::uint8_t {
  none,
  bad_operand_size,   ///< IOIO: not exactly one of SZ8, SZ16, SZ32
  bad_address_size,   ///< IOIO: more than one of A16, A32, A64
  bad_segment,        ///< IOIO: SEG is 6 or 7
  bad_msr_direction,  ///< MSR: EXITINFO1 neither 0 (RDMSR) nor 1 (WRMSR)
};

constexpr const char* to_string(exit_info_error e) noexcept {
  switch (e) {
    case exit_info_error::none: return "none";
    case exit_info_error::bad_operand_size: return "bad_operand_size";
    case exit_info_error::bad_address_size: return "bad_address_size";
    case exit_info_error::bad_segment: return "bad_segment";
    case exit_info_error::bad_msr_direction: return "bad_msr_direction";
  }
  return "unknown";
}

/// EXITINFO1 bits of an IOIO intercept (APM Figure 15-2).
namespace ioio_bits {
inline constexpr std::uint32_t in = 1u << 0;  ///< TYPE: 1 IN, 0 OUT
inline constexpr std::uint32_t str = 1u << 2;
inline constexpr std::uint32_t rep = 1u << 3;
inline constexpr std::uint32_t sz8 = 1u << 4, sz16 = 1u << 5, sz32 = 1u << 6;
inline constexpr std::uint32_t a16 = 1u << 7, a32 = 1u << 8, a64 = 1u << 9;
inline constexpr unsigned seg_shift = 10;   ///< bits 12:10 (with decode assists)
inline constexpr unsigned port_shift = 16;  ///< bits 31:16
}  // namespace ioio_bits

/// A segment register number as the CPU encodes it (ES=0 ... GS=5).
enum class segment_register : std::uint8_t { es, cs, ss, ds, fs, gs };

/// An intercepted IN, OUT, INS or OUTS.
struct io_access {
  std::uint16_t port;
  std::uint8_t operand_size;  ///< bytes: 1, 2 or 4
  std::uint8_t address_size;  ///< bits: 16, 32 or 64; 0 if the CPU set none (QEMU TCG)
  bool in;                    ///< IN/INS, else OUT/OUTS
  bool string;                ///< INS/OUTS
  bool rep;
  segment_register segment;  ///< the effective segment (decode assists; else 0)
  std::uint64_t next_rip;    ///< EXITINFO2: the instruction after it
};

/// EXITINFO1 and EXITINFO2 of exit_code::ioio.
constexpr virtops::checked<io_access, exit_info_error> decode_ioio(
    std::uint64_t exit_info_1, std::uint64_t exit_info_2) noexcept {
  namespace b = ioio_bits;
  const auto v = static_cast<std::uint32_t>(exit_info_1);
  io_access a{};
  switch (v & (b::sz8 | b::sz16 | b::sz32)) {
    case b::sz8: a.operand_size = 1; break;
    case b::sz16: a.operand_size = 2; break;
    case b::sz32: a.operand_size = 4; break;
    default: return exit_info_error::bad_operand_size;
  }
  // QEMU TCG (7.2 and later) never sets A16/A32/A64: none is "not
  // reported", only two or more are wrong.
  switch (v & (b::a16 | b::a32 | b::a64)) {
    case 0: a.address_size = 0; break;
    case b::a16: a.address_size = 16; break;
    case b::a32: a.address_size = 32; break;
    case b::a64: a.address_size = 64; break;
    default: return exit_info_error::bad_address_size;
  }
  const unsigned seg = (v >> b::seg_shift) & 7u;
  if (seg > 5) return exit_info_error::bad_segment;
  a.segment = static_cast<segment_register>(seg);
  a.port = static_cast<std::uint16_t>(v >> b::port_shift);
  a.in = (v & b::in) != 0;
  a.string = (v & b::str) != 0;
  a.rep = (v & b::rep) != 0;
  a.next_rip = exit_info_2;
  return a;
}

/// The access of an intercepted RDMSR/WRMSR (exit_code::msr; the MSR is
/// the guest's ECX).
enum class msr_direction : std::uint8_t { read = 0, write = 1 };

constexpr virtops::checked<msr_direction, exit_info_error> decode_msr(
    std::uint64_t exit_info_1) noexcept {
  if (exit_info_1 > 1) return exit_info_error::bad_msr_direction;
  return static_cast<msr_direction>(exit_info_1);
}

/// EXITINFO1 of a nested page fault (exit_code::npf): a `#PF`-style error
/// code; EXITINFO2 is the faulting guest-physical address.
namespace npf_bits {
inline constexpr std::uint64_t present = 1u << 0;  ///< a protection violation, not a missing page
inline constexpr std::uint64_t write = 1u << 1;
inline constexpr std::uint64_t user = 1u << 2;
inline constexpr std::uint64_t reserved_bit = 1u << 3;  ///< a reserved bit was set in an entry
inline constexpr std::uint64_t fetch = 1u << 4;
inline constexpr std::uint64_t protection_key = 1u << 5;
inline constexpr std::uint64_t shadow_stack = 1u << 6;
inline constexpr std::uint64_t rmp = 1u << 31;  ///< an RMP check failed (SEV-SNP)
/// The fault was on the guest's final physical address (the data access).
inline constexpr std::uint64_t final_translation = std::uint64_t{1} << 32;
/// The fault was on a guest page-table access during the guest's walk.
inline constexpr std::uint64_t page_table_walk = std::uint64_t{1} << 33;
inline constexpr std::uint64_t encrypted = std::uint64_t{1} << 34;      ///< C-bit access (SEV-SNP)
inline constexpr std::uint64_t size_mismatch = std::uint64_t{1} << 35;  ///< RMP page size (SEV-SNP)
inline constexpr std::uint64_t vmpl = std::uint64_t{1} << 36;  ///< VMPL permission (SEV-SNP)
}  // namespace npf_bits

struct nested_page_fault {
  std::uint64_t error_code;  ///< EXITINFO1 (npf_bits)
  std::uint64_t gpa;         ///< EXITINFO2
  constexpr bool present() const noexcept { return error_code & npf_bits::present; }
  constexpr bool write() const noexcept { return error_code & npf_bits::write; }
  constexpr bool user() const noexcept { return error_code & npf_bits::user; }
  constexpr bool reserved_bit() const noexcept { return error_code & npf_bits::reserved_bit; }
  constexpr bool fetch() const noexcept { return error_code & npf_bits::fetch; }
  constexpr bool final_translation() const noexcept {
    return error_code & npf_bits::final_translation;
  }
  constexpr bool page_table_walk() const noexcept { return error_code & npf_bits::page_table_walk; }
};

constexpr nested_page_fault decode_npf(std::uint64_t exit_info_1,
                                       std::uint64_t exit_info_2) noexcept {
  return {exit_info_1, exit_info_2};
}

/// EXITINFO1 of a CR or DR access intercept with decode assists
/// (feature::decode_assists; APM 15.8.1).
struct cr_dr_access {
  /// Bit 63, for CR accesses: the exit was a MOV to/from CRn, and gpr is
  /// its register; 0 for LMSW, CLTS, SMSW (and for a DR access, where the
  /// bit is not defined and gpr is always valid).
  bool mov;
  std::uint8_t gpr;  ///< bits 3:0: RAX=0, RCX=1, ..., R15=15
};

constexpr cr_dr_access decode_cr_access(std::uint64_t exit_info_1) noexcept {
  return {(exit_info_1 >> 63) != 0, static_cast<std::uint8_t>(exit_info_1 & 0xf)};
}
constexpr cr_dr_access decode_dr_access(std::uint64_t exit_info_1) noexcept {
  return {true, static_cast<std::uint8_t>(exit_info_1 & 0xf)};
}

/// An intercepted exception (exit_code::exception_base + vector): for
/// vectors with an error code EXITINFO1 holds it; for `#PF` EXITINFO2 is
/// the faulting linear address (what CR2 would have become).
struct exception_info {
  std::uint32_t error_code;
  std::uint64_t page_fault_address;
};

constexpr exception_info decode_exception(std::uint64_t exit_info_1,
                                          std::uint64_t exit_info_2) noexcept {
  return {static_cast<std::uint32_t>(exit_info_1), exit_info_2};
}

}  // namespace virtops::svm
