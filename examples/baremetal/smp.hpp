// Several CPUs on the bare-metal platform: the local APIC, AP start-up
// (INIT-SIPI-SIPI and a real-mode trampoline), one area per CPU found through
// GS base, NMI IPIs, a console lock and a barrier. Not part of virtops.
#pragma once

#include <cstdint>
#include <virtops/fault.hpp>

namespace baremetal::smp {

inline constexpr unsigned max_cpus = 8;

// One per CPU; IA32_GS_BASE points at it (gs:0 is `self`).
struct cpu_area {
  cpu_area* self;
  unsigned index;                  // 0: the bootstrap processor; APs in start-up order
  std::uint32_t apic_id;           // the local APIC's ID
  virtops::fault_info fault_slot;  // this CPU's virtops fault record (set_fault_slot)
  std::uint32_t console_depth;     // nesting of the console lock on this CPU
};

cpu_area& this_cpu() noexcept;
inline unsigned this_cpu_index() noexcept { return this_cpu().index; }
cpu_area& cpu(unsigned index) noexcept;

// For virtops::set_fault_slot: this CPU's record.
virtops::fault_info& fault_slot() noexcept;

// Sets up the bootstrap processor's area and local APIC; call after
// baremetal::init(). Returns nullptr, or why this machine cannot (no xAPIC
// at the address the platform maps, x2APIC mode, ...).
const char* init();

// Wakes the other CPUs (INIT-SIPI-SIPI to all but self) and waits until
// `expected` of them run, or a bounded time. Each AP gets its own stack,
// GDT and TSS, the shared IDT, GS base at its area and a software-enabled
// local APIC, and then runs `ap_main(index)`, which must not return.
// Returns the number of CPUs running, the bootstrap processor included.
unsigned start_aps(unsigned expected, void (*ap_main)(unsigned index));
unsigned cpus() noexcept;  // CPUs running (1 before start_aps)

// NMI to every CPU but this one (the shorthand "all excluding self"), or to
// one CPU by index. False if the ICR stayed busy.
bool send_nmi_to_others() noexcept;
bool send_nmi_to(unsigned index) noexcept;
bool send_nmi_to_self() noexcept;

// Returns from an NMI-blocked state: an IRET to the next instruction. An NMI
// that causes a VM exit blocks later NMIs once the exit completes (SDM Vol.
// 3C, "Architectural State before a VM Exit"), until the next IRET: a
// hypervisor that handles that NMI without one would block every later NMI
// on that CPU.
void unblock_nmis() noexcept;

// The console lock: whole lines from several CPUs never interleave. It nests
// on one CPU (an NMI handler may print while its CPU holds it).
void console_lock() noexcept;
void console_unlock() noexcept;
struct console_guard {
  console_guard() noexcept { console_lock(); }
  ~console_guard() { console_unlock(); }
  console_guard(const console_guard&) = delete;
  console_guard& operator=(const console_guard&) = delete;
};
// baremetal::print under the console lock.
void print(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Every running CPU waits here until all have arrived.
void barrier() noexcept;

}  // namespace baremetal::smp
