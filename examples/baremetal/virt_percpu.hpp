// VMX or SVM on every CPU: what a hypervisor keeps per CPU, how each CPU
// enters, runs its guest and leaves, and the two ways out: the orderly
// teardown (unload) and the emergency disable an NMI shootdown runs (Linux's
// cpu_emergency_disable_virtualization). Hypervisor plumbing, not part of
// virtops.
#pragma once

#include <cstdint>
#include <virtops/virtops.hpp>
#include <virtops/vocabulary.hpp>

#include "cpu.hpp"
#include "smp.hpp"

namespace baremetal::virt {

enum class kind { none, vmx, svm };
kind detect();  // from CPUID: VMX first

// Per CPU. `on` is what the hypervisor believes; the emergency flow trusts
// it, as KVM trusts its per-CPU state, even if VMX/SVM was turned off under
// its feet (then the instructions fault and the policy decides).
struct cpu_state {
  bool on = false;
  void* vmxon_region = nullptr;  // VMX
  void* vmcs = nullptr;          // VMX: this CPU's VMCS; loaded while `on`
  void* hsave = nullptr;         // SVM: VM_HSAVE_PA
  void* vmcb = nullptr;          // SVM
  void* guest_stack = nullptr;
  // Counted by counted<P>: every fault a policy saw on this CPU.
  unsigned faults = 0;
  virtops::fault_info last_fault{};
};
cpu_state& state(unsigned cpu);
inline cpu_state& this_state() { return state(smp::this_cpu_index()); }

// Gives `cpus` CPUs their pages (the page pool is not thread-safe): call on
// the bootstrap processor before the APs use them.
void prepare(unsigned cpus);

// Enters VMX (IA32_FEATURE_CONTROL, CR0/CR4 fixed bits, VMXON, VMCLEAR,
// VMPTRLD, the VMCS for a guest at `guest_rip` with NMI exiting) or SVM
// (EFER.SVME, VM_HSAVE_PA, the VMCB with the NMI intercept) on this CPU.
// Returns the first failure, or ok.
virtops::status enter(std::uint64_t guest_rip);

// One VM entry to this CPU's guest and back: VMLAUNCH (first time) or
// VMRESUME; CLGI, VMRUN, STGI on SVM. `exit` gets the VMX basic exit reason
// or the SVM exit code.
template <virtops::fault_policy P = virtops::policy::report>
virtops::status run_guest(virtops::gprs& g, bool launch, std::uint64_t& exit) {
  cpu_state& s = this_state();
  if (s.vmxon_region != nullptr) {
    const virtops::status r = launch ? virtops::vmx::launch<P>(g) : virtops::vmx::resume<P>(g);
    exit = r.ok() ? static_cast<std::uint64_t>(virtops::vmx::basic_exit_reason(
                        virtops::vmx::vmread<virtops::vmcs::vm_exit_reason, P>().value_or(~0u)))
                  : ~0ull;
    return r;
  }
  auto* v = static_cast<virtops::vmcb::vmcb*>(s.vmcb);
  // GIF is clear around VMRUN as KVM does (clgi; vmrun; stgi): an NMI that
  // made the guest exit stays pending until the STGI, then the host's
  // handler takes it.
  (void)virtops::svm::clgi<P>();
  const virtops::status r = virtops::svm::vmrun<P>(reinterpret_cast<std::uint64_t>(v), g);
  exit = r.ok() ? v->control.exit_code & 0xffffffff : ~0ull;
  (void)virtops::svm::stgi<P>();
  return r;
}

// The policy P, counting each fault in this CPU's state first.
template <virtops::fault_policy P>
struct counted {
  static virtops::fault_action on_fault(const virtops::fault_info& f) noexcept {
    cpu_state& s = this_state();
    ++s.faults;
    s.last_fault = f;
    return P::on_fault(f);
  }
};

// What one CPU's way out did.
struct leave_report {
  bool was_on = false;       // the hypervisor believed it was on
  virtops::status first{};   // VMCLEAR (VMX) or STGI (SVM)
  virtops::status second{};  // VMXOFF (VMX); ok on SVM
  unsigned faults = 0;       // faults the policy saw on the way
};

// The emergency disable, as Linux's NMI-shootdown callback does it: VMX:
// VMCLEAR of the loaded VMCS, VMXOFF, CR4.VMXE off; SVM: VM_HSAVE_PA 0,
// STGI (so INIT and NMI are not left blocked), EFER.SVME off. Safe in an NMI
// handler: it keeps the interrupted wrapper's fault record. Faults go to P
// (policy::reboot_aware<...>: eaten while rebooting).
template <virtops::fault_policy P>
leave_report emergency_disable() noexcept {
  virtops::preserve_fault_record keep;
  cpu_state& s = this_state();
  leave_report r;
  r.was_on = s.on;
  if (!s.on) return r;  // the hypervisor's own state, trusted
  const unsigned faults_before = s.faults;
  if (s.vmxon_region != nullptr) {
    r.first = virtops::vmx::vmclear<counted<P>>(reinterpret_cast<std::uint64_t>(s.vmcs));
    r.second = virtops::vmx::vmxoff<counted<P>>();
    cpu::write_cr4(cpu::read_cr4() & ~virtops::vmx::cr4_vmxe);
  } else {
    cpu::wrmsr(virtops::vmcb::msr::vm_hsave_pa, 0);
    r.first = virtops::svm::stgi<counted<P>>();
    cpu::wrmsr(virtops::vmcb::msr::efer,
               cpu::rdmsr(virtops::vmcb::msr::efer) & ~virtops::vmcb::efer::svme);
  }
  s.on = false;
  r.faults = s.faults - faults_before;
  return r;
}

// The orderly teardown (driver unload): the same steps on request, with
// faults reported; a CPU already out does nothing, so a second teardown is
// harmless.
inline leave_report teardown() noexcept { return emergency_disable<virtops::policy::report>(); }

// After leaving: proof that this CPU is out. VMX: CR4.VMXE on again, VMXON
// of its region succeeds (it would fail with VMfail if still in VMX
// operation), VMXOFF, CR4.VMXE off. SVM: EFER.SVME is clear and VMSAVE
// raises #UD. Returns true if out; `why` says what was seen.
bool prove_out(const char*& why);

}  // namespace baremetal::virt
