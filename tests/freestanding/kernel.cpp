// A freestanding "kernel" using every wrapper, every policy and the ring-0
// trap hook: it must compile and link with no hosted library at all.
#include <virtops/virtops.hpp>

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
  for (;;) asm volatile("hlt");
}
