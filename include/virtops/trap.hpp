/// \file
/// virtops: the ring-0 trap hook, for a hypervisor's own IDT handlers.
#pragma once

#include "detail/std.hpp"
#include "extable.hpp"

namespace virtops::trap {

/// Call from the `#UD`, `#GP`, `#PF` and `#SS` exception handlers with the
/// saved RIP, the vector and the error code (0 if the vector has none).
/// Returns true if the fault is virtops': `rip` is a wrapper's site and the
/// exception one its instruction can raise (extable::vector_rules); `rip`
/// now points at the wrapper's fault path and the handler should return
/// (IRET) to it. Returns false and leaves everything untouched otherwise:
/// the handler must treat the event as it would without virtops. NMI, `#DB`,
/// `#BP`, `#DF`, `#MC` and vectors >= 32 are never claimed, whatever RIP
/// they interrupted, so a common handler may give it every vector.
/// Freestanding, and lock-free but for one wait: while a table's first sort
/// runs on another CPU, a lookup in it waits (bounded, with PAUSE) for the
/// sort to end, since entries move. Sort at boot, before other CPUs run
/// wrappers (extable::this_module().sort()), and nothing ever waits.
inline bool handle(std::uintptr_t& rip, std::uint8_t vector, std::uint32_t error_code) noexcept {
  const std::uintptr_t continuation = extable::fixup(rip, vector, error_code);
  if (continuation == 0) return false;
  rip = continuation;
  return true;
}

}  // namespace virtops::trap
