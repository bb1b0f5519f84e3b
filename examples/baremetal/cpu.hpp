// Ring-0 test kernel: raw CPU access the checks need (not part of virtops).
#pragma once

#include <cstdint>

namespace cpu {

inline std::uint64_t rdmsr(std::uint32_t msr) {
  std::uint32_t lo, hi;
  asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
  return (std::uint64_t{hi} << 32) | lo;
}
inline void wrmsr(std::uint32_t msr, std::uint64_t v) {
  asm volatile("wrmsr"
               :
               : "c"(msr), "a"(static_cast<std::uint32_t>(v)),
                 "d"(static_cast<std::uint32_t>(v >> 32))
               : "memory");
}
#define CPU_CR_ACCESSORS(n)                                \
  inline std::uint64_t read_cr##n() {                      \
    std::uint64_t v;                                       \
    asm volatile("mov %%cr" #n ", %0" : "=r"(v));          \
    return v;                                              \
  }                                                        \
  inline void write_cr##n(std::uint64_t v) {               \
    asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
  }
CPU_CR_ACCESSORS(0)
CPU_CR_ACCESSORS(3)
CPU_CR_ACCESSORS(4)
#undef CPU_CR_ACCESSORS

struct cpuid_regs {
  std::uint32_t eax, ebx, ecx, edx;
};
inline cpuid_regs cpuid(std::uint32_t leaf, std::uint32_t sub = 0) {
  cpuid_regs r;
  asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(sub));
  return r;
}

struct [[gnu::packed]] table_register {
  std::uint16_t limit;
  std::uint64_t base;
};
inline table_register sgdt() {
  table_register t;
  asm volatile("sgdt %0" : "=m"(t));
  return t;
}
inline table_register sidt() {
  table_register t;
  asm volatile("sidt %0" : "=m"(t));
  return t;
}
inline std::uint16_t str() {
  std::uint16_t s;
  asm volatile("str %0" : "=r"(s));
  return s;
}
#define CPU_SEG(name)                              \
  inline std::uint16_t read_##name() {             \
    std::uint16_t s;                               \
    asm volatile("mov %%" #name ", %0" : "=r"(s)); \
    return s;                                      \
  }
CPU_SEG(cs)
CPU_SEG(ss)
CPU_SEG(ds)
CPU_SEG(es)
CPU_SEG(fs)
CPU_SEG(gs)
#undef CPU_SEG

// Base of a system-segment (TSS) descriptor of the current GDT.
inline std::uint64_t system_segment_base(std::uint16_t selector) {
  const auto* d = reinterpret_cast<const std::uint8_t*>(sgdt().base + (selector & ~7u));
  const std::uint64_t base = d[2] | (std::uint64_t{d[3]} << 8) | (std::uint64_t{d[4]} << 16) |
                             (std::uint64_t{d[7]} << 24) |
                             (std::uint64_t{*reinterpret_cast<const std::uint32_t*>(d + 8)} << 32);
  return base;
}
inline std::uint32_t segment_limit(std::uint16_t selector) {
  std::uint32_t limit = 0;
  asm volatile("lsl %1, %0" : "=r"(limit) : "r"(std::uint32_t{selector}));
  return limit;
}

inline constexpr std::uint32_t ia32_efer = 0xC0000080;
inline constexpr std::uint32_t ia32_fs_base = 0xC0000100;
inline constexpr std::uint32_t ia32_gs_base = 0xC0000101;
inline constexpr std::uint32_t ia32_kernel_gs_base = 0xC0000102;
inline constexpr std::uint32_t ia32_star = 0xC0000081;
inline constexpr std::uint32_t ia32_lstar = 0xC0000082;
inline constexpr std::uint32_t ia32_sysenter_cs = 0x174;
inline constexpr std::uint32_t ia32_sysenter_esp = 0x175;
inline constexpr std::uint32_t ia32_sysenter_eip = 0x176;

// Physical-address width (CPUID 0x80000008).
inline unsigned physical_address_bits() { return cpuid(0x80000008).eax & 0xff; }

}  // namespace cpu
