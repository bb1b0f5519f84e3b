/// \file
/// virtops: a value or the typed reason a builder refused its input
/// (the VMX and SVM vocabulary headers): bad input gets a named error,
/// never a field value that the CPU would reject or misread.
#pragma once

namespace virtops {

/// `E` is an enumeration whose value-initialized enumerator (0) means ok.
template <class T, class E>
class [[nodiscard]] checked {
 public:
  constexpr checked(T value) noexcept : value_(value) {}
  /// A refusal; `error` must not be E{}.
  constexpr checked(E error) noexcept : value_{}, error_(error) {}

  constexpr bool ok() const noexcept { return error_ == E{}; }
  constexpr explicit operator bool() const noexcept { return ok(); }
  constexpr E error() const noexcept { return error_; }
  /// The value. Of a refusal it executes UD2 (in a constant expression it
  /// does not compile): test ok() first, or use value_or().
  constexpr T value() const noexcept {
    if (!ok()) __builtin_trap();
    return value_;
  }
  constexpr T value_or(T fallback) const noexcept { return ok() ? value_ : fallback; }

 private:
  T value_;
  E error_{};
};

}  // namespace virtops
