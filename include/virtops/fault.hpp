/// \file
/// virtops: what a trap handler records about a fault at a wrapped instruction,
/// and where that record lives.
#pragma once

#include "detail/std.hpp"
#include "insn.hpp"

namespace virtops {

/// Exception and interrupt vectors (SDM Vol. 3A, 6.3.1; APM Vol. 2, 8.2). A
/// wrapped instruction raises some of `#UD`, `#GP`, `#PF` and `#SS`, which
/// ones per instruction in extable::vector_rules; the others here are events
/// that are never a wrapper's fault, whatever RIP they interrupted.
namespace vector {
inline constexpr std::uint8_t db = 1;   ///< `#DB`: breakpoint, single step
inline constexpr std::uint8_t nmi = 2;  ///< NMI
inline constexpr std::uint8_t bp = 3;   ///< `#BP`: INT3
inline constexpr std::uint8_t ud = 6;   ///< `#UD`: VMX/SVM off, or not supported
inline constexpr std::uint8_t df = 8;   ///< `#DF`: double fault (an abort)
inline constexpr std::uint8_t ss = 12;  ///< `#SS(0)`: memory operand beyond SS limit, non-canonical
inline constexpr std::uint8_t gp = 13;  ///< `#GP`: CPL>0, bad operand
inline constexpr std::uint8_t pf = 14;  ///< `#PF`: memory operand not mapped
inline constexpr std::uint8_t mc = 18;  ///< `#MC`: machine check (an abort)
inline constexpr std::uint8_t first_interrupt = 32;  ///< 32-255: interrupts (external, IPI, INT n)
}  // namespace vector

struct fault_info {
  insn instruction;
  std::uint8_t vector;
  std::uint32_t error_code;
  std::uintptr_t rip;

  friend constexpr bool operator==(const fault_info&, const fault_info&) = default;
};

/// The fault slot: the trap handler writes the record there and the wrapper's
/// out-of-line fault path reads it right after the fixup, on the same CPU, so
/// one slot per CPU (or thread) is enough. The default is one slot per thread
/// in hosted builds and one global slot in freestanding builds and Windows
/// drivers (`_KERNEL_MODE`); a hypervisor running on several CPUs installs its
/// per-CPU slot once at boot, before any wrapper can fault.
using fault_slot_fn = fault_info& (*)() noexcept;

namespace detail {
inline constinit fault_slot_fn fault_slot_hook = nullptr;

inline fault_info& default_fault_slot() noexcept {
  // A Windows driver (clang-cl /kernel: _KERNEL_MODE, yet __STDC_HOSTED__ 1)
  // has no _tls_index for thread_local.
#if __STDC_HOSTED__ && !defined(_KERNEL_MODE)
  static thread_local constinit fault_info slot{};
#else
  static constinit fault_info slot{};
#endif
  return slot;
}

inline fault_info& fault_slot() noexcept {
  const fault_slot_fn hook = __atomic_load_n(&fault_slot_hook, __ATOMIC_RELAXED);
  return hook != nullptr ? hook() : default_fault_slot();
}
}  // namespace detail

/// Installs `slot` (nullptr restores the default); returns the previous hook.
inline fault_slot_fn set_fault_slot(fault_slot_fn slot) noexcept {
  return __atomic_exchange_n(&detail::fault_slot_hook, slot, __ATOMIC_ACQ_REL);
}

/// For a handler that can interrupt a wrapper between its fault and its
/// report (an asynchronous signal handler, an NMI handler) and runs wrappers
/// itself: saves the record on entry and puts it back on exit, as such a
/// handler saves errno. Without it, the interrupted wrapper would report the
/// handler's last fault instead of its own.
class preserve_fault_record {
 public:
  preserve_fault_record() noexcept : saved_(detail::fault_slot()) {}
  ~preserve_fault_record() { detail::fault_slot() = saved_; }
  preserve_fault_record(const preserve_fault_record&) = delete;
  preserve_fault_record& operator=(const preserve_fault_record&) = delete;

 private:
  fault_info saved_;
};

}  // namespace virtops
