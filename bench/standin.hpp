// The stand-in instruction and the error-handling scaffolds benchmarked
// around it.
//
// VMREAD cannot succeed in ring 3, so the benchmarks run POPCNT in its place:
// one instruction, register in (the field), register out (the value), and
// flags out: with a nonzero source POPCNT clears CF and ZF, exactly what a
// successful VMREAD leaves, so every scaffold takes its success path for
// real. Only the scaffolding differs between variants, never the work.
#pragma once

#include <cstdint>
#include <virtops/virtops.hpp>

#include "legacy_ex.hpp"

namespace standin {

using virtops::insn;
using virtops::result;
using virtops::status;
namespace detail = virtops::detail;

// The physical limit: the instruction and nothing else.
[[gnu::always_inline]] inline std::uint64_t bare(std::uint64_t field) noexcept {
  std::uint64_t v;
  asm volatile("popcnt %[f], %[v]" : [v] "=r"(v) : [f] "r"(field) : "cc");
  return v;
}

// virtops: the exact asm goto of vmx::vmread (jna to the VMfail stub, the
// entry, the shared out-of-line ends), with POPCNT for VMREAD.
template <virtops::fault_policy P = virtops::policy::report>
[[gnu::always_inline]] inline result<std::uint64_t> virtops_goto(std::uint64_t field) noexcept {
  status failure;
  std::uint64_t v;
  asm volatile goto(VIRTOPS_DETAIL_SITE("1", "popcnt %[f], %[v]", "%l[fault]")
                        VIRTOPS_DETAIL_VMFAIL_BRANCH
                    : [v] "=r"(v)
                    : [f] "r"(field), VIRTOPS_DETAIL_INSN_ID(vmread)
                    : "cc"
                    : vmfail_invalid, vmfail_valid, fault);
  VIRTOPS_DETAIL_SUCCESS_EDGE();
  return v;
  VIRTOPS_DETAIL_VMX_OUTCOMES(insn::vmread);
}

// Old KVM: __ex() around the instruction, setna for VMfail (as its
// vmcs_writel did), the caller tests the flag.
[[gnu::always_inline]] inline result<std::uint64_t> jmp_call(std::uint64_t field) noexcept {
  std::uint64_t v;
  bool failed;
  asm volatile(LEGACY_EX("popcnt %[f], %[v]") "setna %[failed]"
               : [v] "=r"(v), [failed] "=qm"(failed)
               : [f] "r"(field), [id] "i"(static_cast<int>(insn::vmread))
               : "cc");
  if (failed) [[unlikely]]
    return detail::vmfail_valid(insn::vmread);
  return v;
}

// bhyve style: the asm yields an error code (setna), C code branches on it.
[[gnu::always_inline]] inline result<std::uint64_t> setcc(std::uint64_t field) noexcept {
  std::uint64_t v;
  std::uint8_t error;
  asm volatile("popcnt %[f], %[v]\n\tsetna %[e]"
               : [v] "=r"(v), [e] "=q"(error)
               : [f] "r"(field)
               : "cc");
  if (error != 0) [[unlikely]]
    return detail::vmfail_valid(insn::vmread);
  return v;
}

// Rust x86 crate style: capture RFLAGS with pushf/pop, test CF|ZF in code.
[[gnu::always_inline]] inline result<std::uint64_t> pushf(std::uint64_t field) noexcept {
  std::uint64_t v, flags;
  asm volatile("popcnt %[f], %[v]\n\tpushfq\n\tpopq %[fl]"
               : [v] "=r"(v), [fl] "=r"(flags)
               : [f] "r"(field)
               : "cc");
  if ((flags & 0x41) != 0) [[unlikely]]  // CF | ZF
    return detail::vmfail_valid(insn::vmread);
  return v;
}

// An out-of-line function per instruction (what a C wrapper library without
// inlining gives): the virtops scaffold behind a call.
[[gnu::noinline]] inline result<std::uint64_t> call(std::uint64_t field) noexcept {
  return virtops_goto(field);
}

}  // namespace standin
