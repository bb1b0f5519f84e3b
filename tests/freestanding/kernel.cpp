// A freestanding "kernel" using every wrapper, every policy and the ring-0
// trap hook: it must compile and link with no hosted library at all.
#include <virtops/virtops.hpp>
#include <virtops/vocabulary.hpp>

namespace {

struct machine_state {
  static bool rebooting() noexcept { return flag; }
  static inline bool flag = false;
};

virtops::fault_info per_cpu_slot[4];
unsigned current_cpu() noexcept { return 0; }
virtops::fault_info& my_slot() noexcept { return per_cpu_slot[current_cpu()]; }

template <class P>
unsigned use_all(std::uint64_t pa) {
  namespace vmx = virtops::vmx;
  namespace svm = virtops::svm;
  unsigned ok = 0;
  ok += vmx::vmxon<P>(pa).ok();
  ok += vmx::vmclear<P>(pa).ok();
  ok += vmx::vmptrld<P>(pa).ok();
  ok += vmx::vmptrst<P>().has_value();
  ok += vmx::vmwrite<P>(0x681e, pa).ok();
  ok += static_cast<unsigned>(vmx::vmread<P>(0x681e).value_or(0));
  ok += vmx::invept<P>(vmx::invept_type::all_context, {pa}).ok();
  ok += vmx::invvpid<P>(vmx::invvpid_type::all_context, {1}).ok();
  ok += vmx::vmxoff<P>().ok();
  ok += svm::clgi<P>().ok();
  ok += svm::vmrun<P>(pa).ok();
  ok += svm::stgi<P>().ok();
  ok += svm::vmsave<P>(pa).ok();
  ok += svm::vmload<P>(pa).ok();
  ok += svm::invlpga<P>(pa, 1).ok();
  virtops::gprs guest{};
  virtops::hypercall_regs hc{};
  ok += vmx::launch<P>(guest).ok();
  ok += vmx::resume<P>(guest).ok();
  ok += vmx::vmcall<P>(hc).ok();
  ok += svm::vmrun<P>(pa, guest).ok();
  ok += svm::vmmcall<P>(hc).ok();
  ok += static_cast<unsigned>(virtops::msr::read<P>(0xc0000080u).value_or(0));
  ok += virtops::msr::write<P>(0xc0000102u, pa).ok();
  ok += virtops::xsetbv<P>(0, 3).ok();
  return ok;
}

// The bring-up vocabulary, with run-time inputs: capability MSRs, control
// adjustment, event injection, segment attributes, EPT and exit decoding.
unsigned bring_up(std::uint64_t pa, std::uint64_t qualification) {
  namespace vmx = virtops::vmx;
  unsigned ok = 0;
  const vmx::capabilities_read caps = vmx::read_capabilities();
  ok += caps.ok();
  const auto proc =
      vmx::adjust_controls(vmx::proc::hlt_exiting | vmx::proc::use_msr_bitmaps,
                           vmx::proc::activate_secondary_controls, caps.value.procbased_ctls);
  ok += proc.ok() ? proc.value() : proc.missing();
  const auto proc3 =
      vmx::adjust_controls64(0, vmx::proc3::ipi_virtualization, caps.value.procbased_ctls3);
  ok += static_cast<unsigned>(proc3.ok());
  const auto eptp = virtops::ept::make_eptp(pa, caps.value.ept_vpid_cap);
  ok += static_cast<unsigned>(eptp.value_or(0));
  const auto pte =
      virtops::ept::page_entry(virtops::ept::level::pte, pa, virtops::ept::memory_type::wb,
                               virtops::ept::read, caps.value.ept_vpid_cap);
  ok += pte.ok();
  const auto gp = vmx::inject_hardware_exception(13, static_cast<std::uint32_t>(qualification));
  ok += gp.ok() ? gp.value().interruption_information : 0;
  const auto again = vmx::reinject(static_cast<std::uint32_t>(qualification), 0, 2);
  ok += again.ok();
  ok += vmx::decode_io(qualification).port;
  ok += vmx::decode_cr_access(qualification).gpr;
  ok += static_cast<unsigned>(vmx::decode_exit_reason(qualification).basic);
  const auto ar = virtops::segment::to_vmcs(virtops::segment::from_descriptor(qualification));
  ok += ar.value_or(0);
  return ok;
}

}  // namespace

// What an IDT stub would call with the saved frame.
extern "C" bool kernel_trap(std::uintptr_t* rip, std::uint8_t vector, std::uint32_t error) {
  return virtops::trap::handle(*rip, vector, error);
}

extern "C" [[noreturn]] void _start() {
  virtops::set_fault_slot(&my_slot);
  virtops::extable::this_module().sort();
  volatile unsigned sink = 0;
  sink = sink + use_all<virtops::policy::report>(0x1000);
  sink = sink + use_all<virtops::policy::ignore>(0x2000);
  sink = sink + use_all<virtops::policy::panic>(0x3000);
  sink = sink + use_all<virtops::policy::reboot_aware<machine_state>>(0x4000);
  sink = sink + bring_up(0x5000, sink);
  for (;;) asm volatile("hlt");
}
