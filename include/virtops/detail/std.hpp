/// \file
/// virtops: the little of the C++ standard library the core headers use, so
/// that they build with nothing but the compiler's own headers (UEFI and
/// Windows kernel builds often have no C++ library at all).
///
/// How a header uses it (the scheme for every core header; posix.hpp, a
/// hosted adapter, may include what it likes):
///  - `#include "detail/std.hpp"` (or `"std.hpp"` from detail/) instead of
///    <cstdint>, <cstddef>, <type_traits> and <concepts>;
///  - keep writing std::uint64_t, std::uintptr_t, std::size_t: they are the
///    standard's names, from <cstdint>/<cstddef> when the compiler finds
///    them, else declared here from the compiler's <stdint.h>/<stddef.h>
///    (the same types, so signatures are the same either way; the
///    <stdint.h> macros, INT32_MAX etc., are there in both cases);
///  - for traits and concepts write virtops::detail::is_same_v,
///    detail::same_as, ... (below): the standard's semantics for what
///    virtops needs, on compiler builtins where GCC 11+ and Clang 14+ both
///    have one. <type_traits> and <concepts> cost a TU more than all of
///    virtops' own declarations (docs/benchmarks.md, "Compile time").
#pragma once

#if __has_include(<cstdint>) && __has_include(<cstddef>)
#include <cstddef>
#include <cstdint>
#else
// No C++ library (clang --target=x86_64-pc-windows-msvc, or -nostdinc++):
// the compiler's own C headers (with -ffreestanding they include nothing
// else), and the C++ names as <cstdint> and <cstddef> declare them. No C++
// library can declare them too, so this does not clash with anything.
#include <stddef.h>
#include <stdint.h>
namespace std {
using ::int16_t;
using ::int32_t;
using ::int64_t;
using ::int8_t;
using ::intptr_t;
using ::ptrdiff_t;
using ::size_t;
using ::uint16_t;
using ::uint32_t;
using ::uint64_t;
using ::uint8_t;
using ::uintptr_t;
}  // namespace std
#endif

namespace virtops::detail {

template <class T, class U>
inline constexpr bool is_same_v = __is_same(T, U);
template <class T, class U>
concept same_as = __is_same(T, U) && __is_same(U, T);

/// From converts implicitly (and explicitly) to To, as std::convertible_to.
template <class From, class To>
concept convertible_to = requires(From (&from)(), void (&to)(To)) {
  to(from());
  static_cast<To>(from());
};

template <class Base, class Derived>
inline constexpr bool is_base_of_v = __is_base_of(Base, Derived);
template <class T>
inline constexpr bool is_enum_v = __is_enum(T);
template <class T>
inline constexpr bool is_trivially_copyable_v = __is_trivially_copyable(T);

// GCC 12 has no __is_integral: the standard's list of integer types, and
// their cv-qualified forms.
template <class T>
inline constexpr bool is_integral_v = false;
template <class T>
inline constexpr bool is_integral_v<const T> = is_integral_v<T>;
template <class T>
inline constexpr bool is_integral_v<volatile T> = is_integral_v<T>;
template <class T>
inline constexpr bool is_integral_v<const volatile T> = is_integral_v<T>;
template <>
inline constexpr bool is_integral_v<bool> = true;
template <>
inline constexpr bool is_integral_v<char> = true;
template <>
inline constexpr bool is_integral_v<signed char> = true;
template <>
inline constexpr bool is_integral_v<unsigned char> = true;
template <>
inline constexpr bool is_integral_v<wchar_t> = true;
template <>
inline constexpr bool is_integral_v<char8_t> = true;
template <>
inline constexpr bool is_integral_v<char16_t> = true;
template <>
inline constexpr bool is_integral_v<char32_t> = true;
template <>
inline constexpr bool is_integral_v<short> = true;
template <>
inline constexpr bool is_integral_v<unsigned short> = true;
template <>
inline constexpr bool is_integral_v<int> = true;
template <>
inline constexpr bool is_integral_v<unsigned> = true;
template <>
inline constexpr bool is_integral_v<long> = true;
template <>
inline constexpr bool is_integral_v<unsigned long> = true;
template <>
inline constexpr bool is_integral_v<long long> = true;
template <>
inline constexpr bool is_integral_v<unsigned long long> = true;

template <class T>
inline constexpr bool is_floating_point_v = false;
template <class T>
inline constexpr bool is_floating_point_v<const T> = is_floating_point_v<T>;
template <class T>
inline constexpr bool is_floating_point_v<volatile T> = is_floating_point_v<T>;
template <class T>
inline constexpr bool is_floating_point_v<const volatile T> = is_floating_point_v<T>;
template <>
inline constexpr bool is_floating_point_v<float> = true;
template <>
inline constexpr bool is_floating_point_v<double> = true;
template <>
inline constexpr bool is_floating_point_v<long double> = true;

template <class T>
consteval bool is_signed_arithmetic() noexcept {
  if constexpr (is_integral_v<T> || is_floating_point_v<T>)
    return T(-1) < T(0);
  else
    return false;
}
template <class T>
consteval bool is_unsigned_arithmetic() noexcept {
  if constexpr (is_integral_v<T> || is_floating_point_v<T>)
    return T(0) < T(-1);
  else
    return false;
}
template <class T>
inline constexpr bool is_signed_v = is_signed_arithmetic<T>();
template <class T>
inline constexpr bool is_unsigned_v = is_unsigned_arithmetic<T>();

}  // namespace virtops::detail
