// VMX or SVM on every CPU: see virt_percpu.hpp.
#include "virt_percpu.hpp"

#include "baremetal.hpp"
#include "guest_setup.hpp"

namespace baremetal::virt {
namespace {

namespace vmx = virtops::vmx;
namespace vmcs = virtops::vmcs;
namespace svm = virtops::svm;

cpu_state states[smp::max_cpus];
kind detected = kind::none;

// Pin-based control "NMI exiting" (SDM Vol. 3C, 25.6.1, bit 3): an NMI in
// the guest causes a VM exit instead of going through the guest's IDT (here
// the host's own).
constexpr std::uint32_t pin_nmi_exiting = 1u << 3;
constexpr std::uint64_t cr4_vmxe = std::uint64_t{1} << 13;

std::uint64_t pa(const void* p) { return reinterpret_cast<std::uint64_t>(p); }  // identity map

virtops::status enter_vmx(cpu_state& s, std::uint64_t guest_rip) {
  baremetal::vmx_enable();
  const std::uint32_t revision = baremetal::vmcs_revision();
  *static_cast<std::uint32_t*>(s.vmxon_region) = revision;
  *static_cast<std::uint32_t*>(s.vmcs) = revision;
  virtops::status r = vmx::vmxon(pa(s.vmxon_region));
  if (!r) return r;
  s.on = true;
  if (!(r = vmx::vmclear(pa(s.vmcs)))) return r;
  if (!(r = vmx::vmptrld(pa(s.vmcs)))) return r;
  if (baremetal::vmx_setup_vmcs(guest_rip, pa(s.guest_stack) + 4096 - 16, 0) != 0)
    return vmx::vmwrite<vmcs::guest_rip>(guest_rip);  // the failure, named
  const auto pin = vmx::vmread<vmcs::pin_based_vm_execution_controls>();
  if (!pin) return pin.error();
  return vmx::vmwrite<vmcs::pin_based_vm_execution_controls>(pin.value() | pin_nmi_exiting);
}

virtops::status enter_svm(cpu_state& s, std::uint64_t guest_rip) {
  cpu::wrmsr(virtops::vmcb::msr::efer,
             cpu::rdmsr(virtops::vmcb::msr::efer) | virtops::vmcb::efer::svme);
  cpu::wrmsr(virtops::vmcb::msr::vm_hsave_pa, pa(s.hsave));
  s.on = true;
  auto* v = static_cast<std::uint8_t*>(s.vmcb);
  for (unsigned i = 0; i < 4096; ++i) v[i] = 0;
  baremetal::svm_setup_vmcb(
      s.vmcb, guest_rip, pa(s.guest_stack) + 4096 - 16,
      virtops::vmcb::intercept_misc1::hlt | virtops::vmcb::intercept_misc1::nmi);
  return {};
}

}  // namespace

kind detect() {
  if ((cpu::cpuid(1).ecx >> 5) & 1) return detected = kind::vmx;
  if ((cpu::cpuid(0x80000001).ecx >> 2) & 1) return detected = kind::svm;
  return detected = kind::none;
}

cpu_state& state(unsigned cpu) { return states[cpu]; }

void prepare(unsigned cpus) {
  for (unsigned i = 0; i < cpus; ++i) {
    cpu_state& s = states[i];
    if (detected == kind::vmx) {
      s.vmxon_region = baremetal::alloc_page();
      s.vmcs = baremetal::alloc_page();
    } else {
      s.hsave = baremetal::alloc_page();
      s.vmcb = baremetal::alloc_page();
    }
    s.guest_stack = baremetal::alloc_page();
  }
}

virtops::status enter(std::uint64_t guest_rip) {
  cpu_state& s = this_state();
  return detected == kind::vmx ? enter_vmx(s, guest_rip) : enter_svm(s, guest_rip);
}

bool prove_out(const char*& why) {
  cpu_state& s = this_state();
  if (s.vmxon_region != nullptr) {
    if (cpu::read_cr4() & cr4_vmxe) {
      why = "CR4.VMXE is still set";
      return false;
    }
    baremetal::vmx_enable();  // CR4.VMXE on again
    const virtops::status on = vmx::vmxon(pa(s.vmxon_region));
    const virtops::status off = on.ok() ? vmx::vmxoff() : virtops::status{};
    cpu::write_cr4(cpu::read_cr4() & ~cr4_vmxe);
    why = on.ok() ? (off.ok() ? "VMXON works again after re-enabling" : "VMXOFF after it failed")
                  : "VMXON fails: still in VMX operation";
    return on.ok() && off.ok();
  }
  if (cpu::rdmsr(virtops::vmcb::msr::efer) & virtops::vmcb::efer::svme) {
    why = "EFER.SVME is still set";
    return false;
  }
  const virtops::status save = svm::vmsave(pa(s.vmcb));
  const bool ud = save.code() == virtops::errc::fault && save.fault().vector == virtops::vector::ud;
  why = ud ? "EFER.SVME is clear and VMSAVE raises #UD" : "VMSAVE did not raise #UD";
  return ud;
}

}  // namespace baremetal::virt
