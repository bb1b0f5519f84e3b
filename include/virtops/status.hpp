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
};

constexpr const char* to_string(errc e) noexcept {
  switch (e) {
    case errc::ok: return "ok";
    case errc::vmfail_invalid: return "vmfail_invalid";
    case errc::vmfail_valid: return "vmfail_valid";
    case errc::fault: return "fault";
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
  VIRTOPS_ALWAYS_INLINE constexpr status(errc c, insn i, std::uint8_t v, std::uint32_t d,
                                         std::uintptr_t rip) noexcept
      : rip_(rip), detail_(d), code_(c), insn_(i), vector_(v) {}

  std::uintptr_t rip_ = 0;
  std::uint32_t detail_ = 0;  ///< vm_instruction_error or the fault's error code
  errc code_ = errc::ok;
  insn insn_ = insn{};
  std::uint8_t vector_ = 0;
};

static_assert(sizeof(status) == 16 && std::is_trivially_copyable_v<status>);

/// A value or the status that prevented it. The value is zero whenever there
/// is none, so even an unchecked value() is never garbage.
template <class T>
class [[nodiscard]] result {
  static_assert(std::is_trivially_copyable_v<T>, "result<T> needs a trivially copyable T");

 public:
  VIRTOPS_ALWAYS_INLINE constexpr result(T value) noexcept : value_(value) {}
  /// An error, or success without a value (a fault resumed by the policy).
  VIRTOPS_ALWAYS_INLINE constexpr result(status s) noexcept : value_{}, status_(s) {}

  VIRTOPS_ALWAYS_INLINE constexpr bool has_value() const noexcept { return status_.ok(); }
  VIRTOPS_ALWAYS_INLINE constexpr explicit operator bool() const noexcept { return has_value(); }
  VIRTOPS_ALWAYS_INLINE constexpr T value() const noexcept { return value_; }
  VIRTOPS_ALWAYS_INLINE constexpr T value_or(T fallback) const noexcept {
    return has_value() ? value_ : fallback;
  }
  VIRTOPS_ALWAYS_INLINE constexpr status error() const noexcept { return status_; }

 private:
  T value_;
  status status_;  ///< default-initialized: its members have initializers
};

}  // namespace virtops
