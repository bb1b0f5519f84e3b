// Ring-0 test kernel: a guest register file none of whose values a
// register holds by chance, to check that every GPR makes the round trip.
#pragma once

#include <cstdint>
#include <virtops/gprs.hpp>

namespace ring0 {

// 0x9e ("guest") in the top byte, the register's number in every other.
constexpr std::uint64_t pattern(std::uint64_t i) {
  return 0x9e00000000000000ull | (0x0101010101010101ull * i) >> 8;
}

// RAX = pattern(1) ... R15 = pattern(15).
constexpr virtops::gprs gprs_pattern{.rax = pattern(1),
                                     .rbx = pattern(2),
                                     .rcx = pattern(3),
                                     .rdx = pattern(4),
                                     .rsi = pattern(5),
                                     .rdi = pattern(6),
                                     .rbp = pattern(7),
                                     .r8 = pattern(8),
                                     .r9 = pattern(9),
                                     .r10 = pattern(10),
                                     .r11 = pattern(11),
                                     .r12 = pattern(12),
                                     .r13 = pattern(13),
                                     .r14 = pattern(14),
                                     .r15 = pattern(15)};

// The first register from `first` (0 = RAX ... 14 = R15) in which `g` is
// not the pattern, or -1.
inline int first_not_pattern(const virtops::gprs& g, int first = 0) {
  const std::uint64_t got[] = {g.rax, g.rbx, g.rcx, g.rdx, g.rsi, g.rdi, g.rbp, g.r8,
                               g.r9,  g.r10, g.r11, g.r12, g.r13, g.r14, g.r15};
  for (int i = first; i < 15; ++i)
    if (got[i] != pattern(static_cast<std::uint64_t>(i + 1))) return i;
  return -1;
}

}  // namespace ring0
