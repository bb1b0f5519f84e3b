/// \file
/// virtops: what a trap handler records about a fault at a wrapped instruction,
/// and where that record lives.
#pragma once

#include <cstdint>

#include "insn.hpp"

namespace virtops {

/// Exception vectors a wrapped instruction is documented to raise.
namespace vector {
inline constexpr std::uint8_t ud = 6;   ///< `#UD`: VMX/SVM off, or not supported
inline constexpr std::uint8_t gp = 13;  ///< `#GP`: CPL>0, bad operand
inline constexpr std::uint8_t pf = 14;  ///< `#PF`: memory operand not mapped
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
/// in hosted builds and one global slot in freestanding builds; a hypervisor
/// running on several CPUs installs its per-CPU slot once at boot, before any
/// wrapper can fault.
using fault_slot_fn = fault_info& (*)() noexcept;

namespace detail {
inline constinit fault_slot_fn fault_slot_hook = nullptr;

inline fault_info& default_fault_slot() noexcept {
#if __STDC_HOSTED__
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
