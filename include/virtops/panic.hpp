/// \file
/// virtops: the panic hook, where a failure nobody may ignore ends up:
/// policy::panic's faults and value() of a failed result.
#pragma once

#include "config.hpp"

namespace virtops {

class status;

/// Called with the failure; it should not return (if it does, the CPU
/// executes UD2). The default (nullptr) executes UD2 at once.
using panic_fn = void (*)(const status&) noexcept;

namespace detail {
inline constinit panic_fn panic_hook = nullptr;

[[noreturn]] VIRTOPS_COLD inline void panic(const status& s) noexcept {
  if (const panic_fn hook = __atomic_load_n(&panic_hook, __ATOMIC_ACQUIRE)) hook(s);
  __builtin_trap();
}
}  // namespace detail

/// Installs the panic hook; returns the previous one.
inline panic_fn set_panic_hook(panic_fn hook) noexcept {
  return __atomic_exchange_n(&detail::panic_hook, hook, __ATOMIC_ACQ_REL);
}

}  // namespace virtops
