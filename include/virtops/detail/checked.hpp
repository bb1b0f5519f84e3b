/// \file
/// virtops internals: a value or the typed reason there is none, for the
/// constexpr builders and decoders of the vocabulary headers (no exceptions,
/// no allocation, freestanding).
#pragma once

namespace virtops::detail {

/// `E` is an enum whose value 0 means "no error". value() of an error traps
/// (UD2) rather than hand out garbage; check ok() or use value_or().
template <class T, class E>
class [[nodiscard]] checked {
 public:
  constexpr checked(T v) noexcept : value_(v) {}
  constexpr checked(E e) noexcept : error_(e) {}

  constexpr bool ok() const noexcept { return error_ == E{}; }
  constexpr explicit operator bool() const noexcept { return ok(); }
  constexpr E error() const noexcept { return error_; }
  constexpr T value() const noexcept {
    if (!ok()) __builtin_trap();
    return value_;
  }
  constexpr T value_or(T fallback) const noexcept { return ok() ? value_ : fallback; }

 private:
  T value_{};
  E error_{};
};

}  // namespace virtops::detail
