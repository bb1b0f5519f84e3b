/// \file
/// virtops: typed outcomes of a wrapped instruction, without exceptions.
#pragma once

#include <cstdint>
#include <type_traits>

#include "config.hpp"
#include "fault.hpp"
#include "insn.hpp"
#include "vm_instruction_error.hpp"

namespace virtops {

enum class errc : std::uint8_t {
  ok,
  vmfail_invalid,  ///< CF=1: no current VMCS (or not yet in VMX operation)
  vmfail_valid,    ///< ZF=1: error number in the VM-instruction error field
  fault,           ///< the instruction raised an exception; see fault_info
  invalid_field,   ///< a checked VMREAD/VMWRITE refused a non-field encoding; nothing ran
  value_too_wide,  ///< a checked VMWRITE refused a value wider than its field; nothing ran
};

constexpr const char* to_string(errc e) noexcept {
  switch (e) {
    case errc::ok: return "ok";
    case errc::vmfail_invalid: return "vmfail_invalid";
    case errc::vmfail_valid: return "vmfail_valid";
    case errc::fault: return "fault";
    case errc::invalid_field: return "invalid_field";
    case errc::value_too_wide: return "value_too_wide";
  }
  return "unknown";
}

/// 16 bytes, trivially copyable: returned in RAX:RDX and folded away when the
/// caller only tests ok(). Every member is always_inline: at -Os GCC would
/// otherwise call the constructor out of line on the hot path.
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
  VIRTOPS_ALWAYS_INLINE static constexpr status from_fault(const fault_info& f) noexcept {
    return status{errc::fault, f.instruction, f.vector, f.error_code, f.rip};
  }

  VIRTOPS_ALWAYS_INLINE constexpr errc code() const noexcept { return code_; }
  VIRTOPS_ALWAYS_INLINE constexpr bool ok() const noexcept { return code_ == errc::ok; }
  VIRTOPS_ALWAYS_INLINE constexpr explicit operator bool() const noexcept { return ok(); }

  /// The instruction that failed or faulted; meaningless when ok().
  VIRTOPS_ALWAYS_INLINE constexpr insn instruction() const noexcept { return insn_; }
  /// The VM-instruction error number after VMfailValid, else none (0).
  VIRTOPS_ALWAYS_INLINE constexpr vm_instruction_error vm_error() const noexcept {
    return code_ == errc::vmfail_valid ? static_cast<vm_instruction_error>(detail_)
                                       : vm_instruction_error::none;
  }
  /// The recorded fault when code() is fault, else all zero.
  VIRTOPS_ALWAYS_INLINE constexpr fault_info fault() const noexcept {
    if (code_ != errc::fault) return fault_info{};
    return fault_info{insn_, vector_, detail_, rip_};
  }

  friend constexpr bool operator==(const status&, const status&) = default;

 private:
  template <class>
  friend class result;

  VIRTOPS_ALWAYS_INLINE constexpr status(errc c, insn i, std::uint8_t v, std::uint32_t d,
                                         std::uintptr_t rip) noexcept
      : rip_(rip), code_(c), insn_(i), vector_(v), detail_(d) {}

  // code_ is the low byte of RDX when returned: ok() is one test.
  std::uintptr_t rip_ = 0;
  errc code_ = errc::ok;
  insn insn_ = insn{};
  std::uint8_t vector_ = 0;
  std::uint32_t detail_ = 0;  ///< vm_instruction_error or the fault's error code
};

static_assert(sizeof(status) == 16 && std::is_trivially_copyable_v<status>);

/// A value or the status that prevented it. The value is zero whenever there
/// is none, so even an unchecked value() is never garbage.
///
/// 16 bytes like status, so it is returned in RAX:RDX: the value shares its
/// word with the fault RIP, which only a failure has. (At 24 bytes it was
/// returned through memory, and GCC 12 kept a `const auto r = vmread(...)`
/// in a stack slot: a store, a load and a compare on every read.)
template <class T>
class [[nodiscard]] result {
  static_assert(sizeof(T) <= 8 && (std::is_integral_v<T> || std::is_enum_v<T>),
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
        vector_(s.vector_),
        detail_(s.detail_) {}

  VIRTOPS_ALWAYS_INLINE constexpr bool has_value() const noexcept { return code_ == errc::ok; }
  VIRTOPS_ALWAYS_INLINE constexpr explicit operator bool() const noexcept { return has_value(); }
  VIRTOPS_ALWAYS_INLINE constexpr T value() const noexcept { return value_or(T{}); }
  VIRTOPS_ALWAYS_INLINE constexpr T value_or(T fallback) const noexcept {
    return has_value() ? static_cast<T>(payload_) : fallback;
  }
  VIRTOPS_ALWAYS_INLINE constexpr status error() const noexcept {
    return has_value() ? status{} : status{code_, insn_, vector_, detail_, payload_};
  }

 private:
  std::uint64_t payload_ = 0;  ///< the value, or the fault RIP after a failure
  errc code_ = errc::ok;
  insn insn_ = insn{};
  std::uint8_t vector_ = 0;
  std::uint32_t detail_ = 0;
};

}  // namespace virtops
