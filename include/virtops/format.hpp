/// \file
/// virtops: a failure as one line of text, for logs (freestanding: into a
/// caller's buffer, no allocation, no hosted library).
///
///     char line[160];
///     virtops::format(s, line, sizeof line);
///     // "vmwrite guest_cs_selector (0x0802): vmfail_valid, VM-instruction error 13
///     //  (VMWRITE to read-only VMCS component)"
#pragma once

#include "detail/std.hpp"
#include "status.hpp"
#include "vmcs.hpp"

namespace virtops {

/// The name of the VMCS field a failed VMREAD/VMWRITE names (status::field()),
/// or nullptr: no field named, or an encoding that is no field's.
constexpr const char* field_name(const status& s) noexcept {
  return s.has_field() ? vmcs::name_of(s.field()) : nullptr;
}

/// The mnemonic of an exception vector ("#UD"), or nullptr.
constexpr const char* vector_name(std::uint8_t vector) noexcept {
  constexpr const char* names[] = {"#DE", "#DB",   "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
                                   "#DF", nullptr, "#TS", "#NP", "#SS", "#GP", "#PF", nullptr,
                                   "#MF", "#AC",   "#MC", "#XM", "#VE", "#CP"};
  return vector < sizeof names / sizeof names[0] ? names[vector] : nullptr;
}

namespace detail {
// Appends to a fixed buffer, always NUL-terminated, counting what did not fit.
struct line_writer {
  char* out;
  std::size_t size;
  std::size_t length = 0;

  void put(char c) noexcept {
    if (length + 1 < size) out[length] = c;
    ++length;
  }
  void put(const char* text) noexcept {
    while (*text != 0) put(*text++);
  }
  void hex(std::uint64_t v, int min_digits = 1) noexcept {
    put("0x");
    int digits = 1;
    while (digits < 16 && (v >> (4 * digits)) != 0) ++digits;
    if (digits < min_digits) digits = min_digits;
    for (int d = digits - 1; d >= 0; --d) put("0123456789abcdef"[(v >> (4 * d)) & 0xf]);
  }
  void dec(std::uint64_t v) noexcept {
    char digits[20];
    int n = 0;
    do digits[n++] = static_cast<char>('0' + v % 10);
    while ((v /= 10) != 0);
    while (n > 0) put(digits[--n]);
  }
  std::size_t finish() noexcept {
    if (size != 0) out[length < size ? length : size - 1] = 0;
    return length;
  }
};
}  // namespace detail

/// Writes a line describing `s` into `out` (`size` bytes, always
/// NUL-terminated if size > 0) and returns the length of the whole line, as
/// snprintf does: a return value >= size means it was cut.
inline std::size_t format(const status& s, char* out, std::size_t size) noexcept {
  detail::line_writer w{out, size};
  if (s.ok()) {
    w.put("ok");
    return w.finish();
  }
  w.put(to_string(s.instruction()));
  if (s.has_field()) {
    w.put(' ');
    if (const char* name = field_name(s)) {
      w.put(name);
      w.put(" (");
      w.hex(s.field(), 4);
      w.put(')');
    } else {
      w.put("of ");
      w.hex(s.field(), 4);
      w.put(" (no VMCS field)");
    }
  } else if (s.instruction() == insn::vmread || s.instruction() == insn::vmwrite) {
    w.put(" of an encoding of 0x8000 or more (no VMCS field)");
  }
  w.put(": ");
  w.put(to_string(s.code()));
  switch (s.code()) {
    case errc::vmfail_valid:
      w.put(", VM-instruction error ");
      w.dec(static_cast<std::uint32_t>(s.vm_error()));
      w.put(" (");
      w.put(description(s.vm_error()));
      w.put(')');
      break;
    case errc::fault: {
      const fault_info f = s.fault();
      w.put(", vector ");
      w.dec(f.vector);
      if (const char* name = vector_name(f.vector)) {
        w.put(" (");
        w.put(name);
        w.put(')');
      }
      w.put(", error code ");
      w.hex(f.error_code);
      w.put(", at ");
      w.hex(f.rip);
      break;
    }
    default: break;
  }
  return w.finish();
}

}  // namespace virtops
