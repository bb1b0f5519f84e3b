/// \file
/// virtops: typed outcomes of a wrapped instruction, without exceptions.
#pragma once

#include "config.hpp"
#include "detail/std.hpp"
#include "fault.hpp"
#include "insn.hpp"
#include "panic.hpp"
#include "vm_instruction_error.hpp"

namespace virtops {

// The error codes, in value order: name. ok is 0.
// clang-format off
#define VIRTOPS_DETAIL_ERRCS(X)                                                              \
  X(ok)                                                                                      \
  X(vmfail_invalid) /* CF=1: no current VMCS (or not yet in VMX operation) */                \
  X(vmfail_valid)   /* ZF=1: error number in the VM-instruction error field */               \
  X(fault)          /* the instruction raised an exception; see fault_info */                \
  X(invalid_field)  /* a checked VMREAD/VMWRITE refused a non-field encoding; nothing ran */ \
  X(value_too_wide) /* a checked VMWRITE refused a value wider than its field; nothing ran */
// clang-format on

/// What became of a wrapped instruction; one enumerator per row of the table
/// above, which says what each means.
enum class errc : std::uint8_t {
#define VIRTOPS_DETAIL_X(name) name,
  VIRTOPS_DETAIL_ERRCS(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
};
// The table check: ok is row 0, so that ok() of a status returned in RDX is
// a test of its low byte.
static_assert(static_cast<unsigned>(errc::ok) == 0, "virtops::errc: ok must be the first row");

constexpr const char* to_string(errc e) noexcept {
  switch (e) {
#define VIRTOPS_DETAIL_X(name) \
  case errc::name: return #name;
    VIRTOPS_DETAIL_ERRCS(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
  }
  return "unknown";
}

#undef VIRTOPS_DETAIL_ERRCS

/// 16 bytes, trivially copyable: returned in RAX:RDX and folded away when the
/// caller only tests ok(). Every member is always_inline: at -Os GCC would
/// otherwise call the constructor out of line on the hot path.
///
/// A failed VMREAD or VMWRITE also names its field (field()): in a set-up of
/// thirty VMWRITEs, "vmwrite failed" alone says nothing.
class [[nodiscard]] status {
 public:
  // User-provided so that value-initialization does not zero-fill first
  // (Clang -O0 would call memset, which freestanding code may not have).
  VIRTOPS_ALWAYS_INLINE constexpr status() noexcept {}

  VIRTOPS_ALWAYS_INLINE static constexpr status vmfail_invalid(insn i) noexcept {
    return status{errc::vmfail_invalid, i, 0, 0, 0};
  }
  VIRTOPS_ALWAYS_INLINE static constexpr status vmfail_valid(insn i,
                                                             vm_instruction_error e) noexcept {
    return status{errc::vmfail_valid, i, 0, static_cast<std::uint32_t>(e), 0};
  }
  /// A checked wrapper's refusals of an operand, before `i` ran.
  VIRTOPS_ALWAYS_INLINE static constexpr status invalid_field(insn i) noexcept {
    return status{errc::invalid_field, i, 0, 0, 0};
  }
  VIRTOPS_ALWAYS_INLINE static constexpr status value_too_wide(insn i) noexcept {
    return status{errc::value_too_wide, i, 0, 0, 0};
  }
  /// `f.vector` must be an exception (below 32, as the trap hooks claim) and
  /// `f.rip` canonical.
  VIRTOPS_ALWAYS_INLINE static constexpr status from_fault(const fault_info& f) noexcept {
    return status{errc::fault, f.instruction, f.vector, f.error_code, f.rip};
  }
  /// The same failure of a VMREAD or VMWRITE of `encoding`. Without a fault
  /// RIP to keep, the whole encoding is kept; with one, an encoding below
  /// 0x8000 (every VMCS field's, and more), else has_field() stays false.
  VIRTOPS_ALWAYS_INLINE constexpr status with_field(std::uint64_t encoding) const noexcept {
    status s = *this;
    if (code() != errc::fault) {
      s.rip_ = static_cast<std::uintptr_t>(encoding);
      s.field_ = field_present;
    } else if (encoding < field_present) {
      s.field_ = static_cast<std::uint16_t>(field_present | encoding);
    }
    return s;
  }

  VIRTOPS_ALWAYS_INLINE constexpr errc code() const noexcept { return code_; }
  VIRTOPS_ALWAYS_INLINE constexpr bool ok() const noexcept { return code_ == errc::ok; }
  VIRTOPS_ALWAYS_INLINE constexpr explicit operator bool() const noexcept { return ok(); }

  /// The instruction that failed or faulted; meaningless when ok().
  VIRTOPS_ALWAYS_INLINE constexpr insn instruction() const noexcept { return insn_; }
  /// The VM-instruction error number after VMfailValid, else none (0).
  VIRTOPS_ALWAYS_INLINE constexpr vm_instruction_error vm_error() const noexcept {
    return code() == errc::vmfail_valid ? static_cast<vm_instruction_error>(detail_)
                                        : vm_instruction_error::none;
  }
  /// The recorded fault when code() is fault, else all zero.
  VIRTOPS_ALWAYS_INLINE constexpr fault_info fault() const noexcept {
    if (code() != errc::fault) return fault_info{};
    // The RIP is canonical: bits 57-63 repeat bit 56, and hold the vector here.
    const auto rip = static_cast<std::uintptr_t>(static_cast<std::intptr_t>(rip_ << 7) >> 7);
    return fault_info{insn_, static_cast<std::uint8_t>(rip_ >> vector_shift), detail_, rip};
  }
  /// Whether the failure names a VMCS field: every failed VMREAD and VMWRITE
  /// does (typed, untyped, checked), but a fault at an encoding of 0x8000 or
  /// more, which is no field's.
  VIRTOPS_ALWAYS_INLINE constexpr bool has_field() const noexcept {
    return (field_ & field_present) != 0;
  }
  /// The VMCS field encoding the failed VMREAD/VMWRITE was given, if
  /// has_field(); vmcs::name_of() names it (format() does).
  VIRTOPS_ALWAYS_INLINE constexpr std::uint64_t field() const noexcept {
    if (!has_field()) return 0;
    return code() == errc::fault ? std::uint64_t{field_} & (field_present - 1u)
                                 : std::uint64_t{rip_};
  }

  friend constexpr bool operator==(const status&, const status&) = default;

 private:
  template <class>
  friend class result;

  static constexpr unsigned vector_shift = 57;
  static constexpr std::uint16_t field_present = 0x8000;

  VIRTOPS_ALWAYS_INLINE constexpr status(errc c, insn i, std::uint8_t v, std::uint32_t d,
                                         std::uintptr_t rip) noexcept
      : rip_(c == errc::fault ? (rip & ((std::uintptr_t{1} << vector_shift) - 1)) |
                                    (std::uintptr_t{v} << vector_shift)
                              : rip),
        code_(c),
        insn_(i),
        detail_(d) {}

  // code_ is the low byte of RDX when returned: ok() is one test.
  std::uintptr_t rip_ = 0;  ///< a fault's RIP (bits 0-56) and vector (57-63), or a field
  errc code_ = errc::ok;
  insn insn_ = insn{};
  std::uint16_t field_ = 0;   ///< bit 15: a field is named; bits 0-14: a fault's field
  std::uint32_t detail_ = 0;  ///< vm_instruction_error or the fault's error code
};

static_assert(sizeof(status) == 16 && detail::is_trivially_copyable_v<status>);

/// A value or the status that prevented it. value() of a failed result does
/// not return: it hands the failure to the panic hook (0 is a real value:
/// exit reason 0 is an exception or NMI). value_or() gives a default
/// instead; after a fault that the policy resumed there is success without
/// a value, and value() is 0.
///
/// 16 bytes like status, so it is returned in RAX:RDX: the value shares its
/// word with the fault RIP, which only a failure has. (At 24 bytes it was
/// returned through memory, and GCC 12 kept a `const auto r = vmread(...)`
/// in a stack slot: a store, a load and a compare on every read.)
template <class T>
class [[nodiscard]] result {
  static_assert(sizeof(T) <= 8 && (detail::is_integral_v<T> || detail::is_enum_v<T>),
                "result<T> holds what a VM instruction yields: an integer or enum of at most "
                "8 bytes");

 public:
  VIRTOPS_ALWAYS_INLINE constexpr result(T value) noexcept
      : payload_(static_cast<std::uint64_t>(value)) {}
  /// An error, or success without a value (a fault resumed by the policy).
  VIRTOPS_ALWAYS_INLINE constexpr result(status s) noexcept
      : payload_(s.ok() ? 0 : s.rip_),
        code_(s.code_),
        insn_(s.insn_),
        field_(s.field_),
        detail_(s.detail_) {}

  VIRTOPS_ALWAYS_INLINE constexpr bool has_value() const noexcept { return code_ == errc::ok; }
  VIRTOPS_ALWAYS_INLINE constexpr explicit operator bool() const noexcept { return has_value(); }
  /// The value; a failed result goes to the panic hook and never returns.
  VIRTOPS_ALWAYS_INLINE constexpr T value() const noexcept {
    if (!has_value()) detail::panic(error());
    return static_cast<T>(payload_);
  }
  VIRTOPS_ALWAYS_INLINE constexpr T value_or(T fallback) const noexcept {
    return has_value() ? static_cast<T>(payload_) : fallback;
  }
  VIRTOPS_ALWAYS_INLINE constexpr status error() const noexcept {
    status s;
    if (has_value()) return s;
    s.rip_ = static_cast<std::uintptr_t>(payload_);
    s.code_ = code_;
    s.insn_ = insn_;
    s.field_ = field_;
    s.detail_ = detail_;
    return s;
  }

 private:
  std::uint64_t payload_ = 0;  ///< the value, or the failure's RIP or field
  errc code_ = errc::ok;
  insn insn_ = insn{};
  std::uint16_t field_ = 0;
  std::uint32_t detail_ = 0;
};

}  // namespace virtops
