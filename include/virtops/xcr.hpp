/// \file
/// virtops: fault-tolerant XSETBV.
///
/// XSETBV of an invalid XCR or value (XCR0 with bit 0 clear, reserved bits,
/// an invalid AVX state combination) raises `#GP(0)`, and with XSAVE absent
/// or CR4.OSXSAVE clear `#UD` (SDM Vol. 2, "XSETBV"); either comes back as
/// errc::fault through the exception table and the fault policy. No VMfail:
/// the hot path is the bare instruction.
#pragma once

#include "config.hpp"
#include "detail/outcome.hpp"
#include "detail/std.hpp"
#include "extable.hpp"
#include "insn.hpp"
#include "policy.hpp"
#include "status.hpp"

namespace virtops {

/// XSETBV of `value` to extended control register `xcr` (0: XCR0).
/// "memory": the enabled state components change what XSAVE/XRSTOR store.
template <fault_policy P = policy::report>
VIRTOPS_ALWAYS_INLINE status xsetbv(std::uint32_t xcr, std::uint64_t value) noexcept {
  VIRTOPS_DETAIL_PLAIN_ASM(xsetbv, "", "c"(xcr), "a"(static_cast<std::uint32_t>(value)),
                           "d"(static_cast<std::uint32_t>(value >> 32)));
}

}  // namespace virtops
