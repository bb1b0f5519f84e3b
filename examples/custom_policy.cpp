// A user-written fault policy (log + count + reboot awareness) and a
// per-CPU fault slot, in user space: four threads stand in for four CPUs,
// each faulting through its own slot.
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>
#include <virtops/posix.hpp>
#include <virtops/virtops.hpp>

namespace {

// ---- The policy: count every fault, log the first few, eat them while the
// machine is going down, report them otherwise. ----
std::atomic<bool> rebooting{false};

struct logging_reboot_aware {
  static inline std::atomic<unsigned> seen{0}, eaten{0};
  static virtops::fault_action on_fault(const virtops::fault_info& f) noexcept {
    if (seen.fetch_add(1) < 3)
      std::printf("  policy: %s raised vector %u at %#lx%s\n", virtops::to_string(f.instruction),
                  unsigned{f.vector}, static_cast<unsigned long>(f.rip),
                  rebooting ? " (rebooting: eaten)" : "");
    if (rebooting) {
      ++eaten;
      return virtops::fault_action::resume;
    }
    return virtops::fault_action::report;
  }
};
static_assert(virtops::fault_policy<logging_reboot_aware>);

// ---- The per-CPU fault slot: what a hypervisor would index by its CPU
// number (GS base, APIC id); here a thread-local "CPU number". ----
constexpr unsigned cpus = 4;
virtops::fault_info slots[cpus];
std::atomic<unsigned> slot_uses[cpus];
thread_local unsigned this_cpu = 0;

virtops::fault_info& per_cpu_slot() noexcept {
  ++slot_uses[this_cpu];
  return slots[this_cpu];
}

}  // namespace

int main() {
  virtops::posix::trap_guard guard;
  virtops::set_fault_slot(&per_cpu_slot);  // once, before anything can fault

  std::puts("Four CPUs, 1000 faulting VMREADs each, not rebooting:");
  std::atomic<unsigned> reported{0};
  std::vector<std::thread> cpu_threads;
  for (unsigned cpu = 0; cpu < cpus; ++cpu)
    cpu_threads.emplace_back([cpu, &reported] {
      this_cpu = cpu;
      for (unsigned i = 0; i < 1000; ++i) {
        const auto r = virtops::vmx::vmread<logging_reboot_aware>(0x681e);
        if (r.error().code() == virtops::errc::fault && slots[cpu].rip == r.error().fault().rip)
          ++reported;
      }
    });
  for (auto& t : cpu_threads) t.join();

  std::puts("Rebooting: the same fault is eaten.");
  rebooting = true;
  const virtops::status off = virtops::vmx::vmxoff<logging_reboot_aware>();
  rebooting = false;

  const unsigned seen = logging_reboot_aware::seen, eaten = logging_reboot_aware::eaten;
  std::printf("faults seen by the policy: %u, reported: %u, eaten while rebooting: %u\n", seen,
              reported.load(), eaten);
  bool slots_ok = true;
  for (unsigned cpu = 0; cpu < cpus; ++cpu) {
    std::printf("  cpu %u: fault slot used %u times, last fault: %s\n", cpu, slot_uses[cpu].load(),
                virtops::to_string(slots[cpu].instruction));
    slots_ok &= slot_uses[cpu] == (cpu == 0 ? 2002u : 2000u);  // write + read per fault
  }
  const bool ok = seen == 4001 && reported == 4000 && eaten == 1 && off.ok() && slots_ok;
  std::printf("custom_policy: %s\n", ok ? "all good" : "FAILED");
  return ok ? 0 : 1;
}
