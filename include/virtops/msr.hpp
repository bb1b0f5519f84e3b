/// \file
/// virtops: fault-tolerant RDMSR and WRMSR.
///
/// A bring-up probes MSRs that may not exist: RDMSR or WRMSR of a reserved
/// or unimplemented MSR, a reserved bit or a non-canonical address raises
/// `#GP(0)` (SDM Vol. 2, "RDMSR", "WRMSR"), which comes back as errc::fault
/// through the same exception table and fault policies as the VMX and SVM
/// wrappers. Like the SVM instructions they have no VMfail: the hot path is
/// the bare instruction and the only other way out is the fault label.
#pragma once

#include "config.hpp"
#include "detail/outcome.hpp"
#include "detail/std.hpp"
#include "extable.hpp"
#include "insn.hpp"
#include "policy.hpp"
#include "status.hpp"

namespace virtops::msr {

namespace detail = virtops::detail;

/// RDMSR of MSR `index`: EDX:EAX as one value.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE result<std::uint64_t> read(std::uint32_t index) noexcept {
#if VIRTOPS_HAS_ASM_GOTO_OUTPUT
  std::uint32_t lo, hi;  // no initial store: only the success path reads them
  asm volatile goto(VIRTOPS_DETAIL_SITE("1", "rdmsr", "%l[fault]")
                    : "=a"(lo), "=d"(hi)
                    : "c"(index), VIRTOPS_DETAIL_INSN_ID(rdmsr)
                    :
                    : fault);
#else
  // No asm goto outputs: the asm stores EDX:EAX after the instruction, on
  // the success path only.
  std::uint32_t lo = 0, hi = 0;
  asm volatile goto(
      VIRTOPS_DETAIL_SITE("1", "rdmsr", "%l[fault]") "mov %%eax, %[lo]\n\t"
                                                      "mov %%edx, %[hi]\n\t"
      :
      : [lo] "m"(lo), [hi] "m"(hi), "c"(index), VIRTOPS_DETAIL_INSN_ID(rdmsr)
      : "rax", "rdx", "memory"
      : fault);
#endif
  VIRTOPS_DETAIL_SUCCESS_EDGE();
  return (std::uint64_t{hi} << 32) | lo;
fault:
  return detail::on_fault<P>();
}

/// WRMSR of `value` to MSR `index`. "memory": an MSR write can change what
/// memory accesses do (PAT, MTRRs, the FS/GS bases).
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status write(std::uint32_t index, std::uint64_t value) noexcept {
  VIRTOPS_DETAIL_PLAIN_ASM(wrmsr, "", "c"(index), "a"(static_cast<std::uint32_t>(value)),
                           "d"(static_cast<std::uint32_t>(value >> 32)));
}

}  // namespace virtops::msr
