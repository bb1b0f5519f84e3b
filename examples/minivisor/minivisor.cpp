// minivisor: a small hypervisor built on virtops' public headers.
//
// It enters VMX or SVM operation, runs a guest that prints through
// hypercalls, asks CPUID for the hypervisor's signature and reports a
// computation through an I/O port, handles those exits and HLT, then goes
// through an emergency shutdown as Linux's reboot path does: VMX/SVM has
// already been turned off under its feet, and the faults that follow are
// eaten while "rebooting" and reported outside of it.
#include <virtops/virtops.hpp>
#include <virtops/vocabulary.hpp>

#include "baremetal.hpp"
#include "cpu.hpp"
#include "guest_setup.hpp"

using baremetal::print;
namespace policy = virtops::policy;

namespace {

// ---- The guest: a function of this image, run as a VM on its own stack. ----

// Hypercall ABI: RAX = number, RBX and RCX = arguments; the result comes
// back in RAX. Port 0x510 receives the guest's result.
enum : std::uint64_t { hypercall_print = 1, hypercall_done = 2 };
constexpr std::uint16_t result_port = 0x510;
constexpr std::uint32_t signature_leaf = 0x40000000;
constexpr unsigned squares_up_to = 1000;

bool guest_uses_vmcall = false;  // VMX guests VMCALL, SVM guests VMMCALL

std::uint64_t hypercall(std::uint64_t number, std::uint64_t a, std::uint64_t b) {
  virtops::hypercall_regs r{number, a, b, 0, 0, 0};
  const virtops::status s = guest_uses_vmcall ? virtops::vmx::vmcall(r) : virtops::svm::vmmcall(r);
  return s.ok() ? r.rax : ~0ull;
}

void guest_print(const char* text) {
  std::uint64_t n = 0;
  while (text[n]) ++n;
  hypercall(hypercall_print, reinterpret_cast<std::uint64_t>(text), n);
}

[[noreturn]] void guest_main() {
  guest_print("Hello from the guest: printing through hypercalls");
  const cpu::cpuid_regs id = cpu::cpuid(signature_leaf);
  char signature[13];
  const std::uint32_t words[3] = {id.ebx, id.ecx, id.edx};
  for (unsigned i = 0; i < 12; ++i) signature[i] = static_cast<char>(words[i / 4] >> (8 * (i % 4)));
  signature[12] = 0;
  guest_print("CPUID 0x40000000 says the hypervisor is:");
  guest_print(signature);
  std::uint64_t sum = 0;
  for (std::uint64_t i = 1; i <= squares_up_to; ++i) sum += i * i;
  guest_print("sum of squares 1..1000 computed; sending it to port 0x510");
  asm volatile("outl %0, %1" : : "a"(static_cast<std::uint32_t>(sum)), "Nd"(result_port));
  hypercall(hypercall_done, sum, 0);
  for (;;) asm volatile("hlt");
}

// ---- The host. ----

struct exit_counts {
  unsigned hypercalls = 0, cpuids = 0, ios = 0, hlts = 0;
};
exit_counts exits;
std::uint64_t port_result = 0, hypercall_result = 0;

std::uint64_t handle_hypercall(std::uint64_t number, std::uint64_t a, std::uint64_t b) {
  ++exits.hypercalls;
  switch (number) {
    case hypercall_print: {
      print("  guest> ");
      const auto* text = reinterpret_cast<const char*>(a);  // identity-mapped guest memory
      for (std::uint64_t i = 0; i < b; ++i) print("%c", text[i]);
      print("\n");
      return b;
    }
    case hypercall_done: hypercall_result = a; return 0;
    default:
      print("  unknown hypercall %llu\n", static_cast<unsigned long long>(number));
      return ~0ull;
  }
}

void handle_cpuid(std::uint64_t& rax, std::uint64_t& rbx, std::uint64_t& rcx, std::uint64_t& rdx) {
  ++exits.cpuids;
  if (static_cast<std::uint32_t>(rax) == signature_leaf) {
    rax = signature_leaf;
    rbx = 0x74726976;  // "virt"
    rcx = 0x2d73706f;  // "ops-"
    rdx = 0x696e696d;  // "mini"
    return;
  }
  const cpu::cpuid_regs r =
      cpu::cpuid(static_cast<std::uint32_t>(rax), static_cast<std::uint32_t>(rcx));
  rax = r.eax, rbx = r.ebx, rcx = r.ecx, rdx = r.edx;
}

void handle_out(std::uint16_t port, std::uint64_t value) {
  ++exits.ios;
  if (port == result_port) port_result = value;
  print("  exit: OUT port %#x value %llu\n", port, static_cast<unsigned long long>(value));
}

const char* outcome(const virtops::status& s) {
  return s.code() == virtops::errc::vmfail_valid ? virtops::to_string(s.vm_error())
                                                 : virtops::to_string(s.code());
}

// KVM's kvm_rebooting, as the input of policy::reboot_aware.
bool kvm_rebooting = false;
struct machine {
  static bool rebooting() noexcept { return kvm_rebooting; }
};
using on_reboot = policy::reboot_aware<machine>;

// A fault under report: print what virtops recorded.
void show(const char* what, const virtops::status& s) {
  const virtops::fault_info f = s.fault();
  if (s.code() == virtops::errc::fault)
    print("  %s -> reported: %s raised vector %u at %#llx\n", what,
          virtops::to_string(f.instruction), unsigned{f.vector},
          static_cast<unsigned long long>(f.rip));
  else
    print("  %s -> %s\n", what, outcome(s));
}

std::uint64_t pa(const void* p) { return reinterpret_cast<std::uint64_t>(p); }

// ---- VMX ----

namespace vmcs = virtops::vmcs;
using virtops::vmx::exit_reason;

bool run_vmx(void* guest_stack_top, void* vmcs) {
  guest_uses_vmcall = true;
  baremetal::vmx_enable();
  void* vmxon_region = baremetal::alloc_page();
  *static_cast<std::uint32_t*>(vmxon_region) = baremetal::vmcs_revision();
  *static_cast<std::uint32_t*>(vmcs) = baremetal::vmcs_revision();
  const virtops::status on = virtops::vmx::vmxon(pa(vmxon_region));
  print("host: VMXON -> %s\n", outcome(on));
  if (!on || !virtops::vmx::vmclear(pa(vmcs)) || !virtops::vmx::vmptrld(pa(vmcs))) return false;
  const unsigned bad =
      baremetal::vmx_setup_vmcs(reinterpret_cast<std::uint64_t>(&guest_main), pa(guest_stack_top),
                                virtops::vmx::proc::unconditional_io_exiting);
  if (bad) {
    print("host: %u VMWRITEs failed while setting up the VMCS\n", bad);
    return false;
  }
  virtops::gprs g{};
  virtops::status s = virtops::vmx::launch(g);
  print("host: VMLAUNCH -> %s\n", outcome(s));
  for (;;) {
    if (!s) {
      print("host: VM entry failed: %s\n", outcome(s));
      return false;
    }
    const exit_reason reason =
        virtops::vmx::basic_exit_reason(virtops::vmx::vmread<vmcs::vm_exit_reason>().value());
    switch (reason) {
      case exit_reason::vmcall: g.rax = handle_hypercall(g.rax, g.rbx, g.rcx); break;
      case exit_reason::cpuid: handle_cpuid(g.rax, g.rbx, g.rcx, g.rdx); break;
      case exit_reason::io_instruction: {
        const virtops::vmx::io_access io =
            virtops::vmx::decode_io(virtops::vmx::vmread<vmcs::exit_qualification>().value());
        if (!io.in) handle_out(io.port, g.rax & 0xffffffff);
        break;
      }
      case exit_reason::hlt:
        ++exits.hlts;
        print("  exit: HLT, the guest is done\n");
        return true;
      default:
        print("host: unexpected exit reason %s\n", virtops::vmx::to_string(reason));
        return false;
    }
    const std::uint64_t rip = virtops::vmx::vmread<vmcs::guest_rip>().value();
    const std::uint32_t len = virtops::vmx::vmread<vmcs::vm_exit_instruction_length>().value();
    (void)virtops::vmx::vmwrite<vmcs::guest_rip>(rip + len);
    s = virtops::vmx::resume(g);
  }
}

// Linux's emergency reboot on Intel: an NMI shootdown (or crash kexec) may
// already have executed VMXOFF and cleared CR4.VMXE on this CPU. The reboot
// path then runs VMCLEAR/VMXOFF again: those #UDs must be eaten.
unsigned shutdown_vmx(void* vmcs) {
  print("host: emergency shutdown (Linux reboot flow)\n");
  print("  crash path: VMXOFF and CR4.VMXE cleared behind the hypervisor's back\n");
  (void)virtops::vmx::vmxoff<policy::ignore>();
  cpu::write_cr4(cpu::read_cr4() & ~virtops::vmx::cr4_vmxe);
  unsigned ok = 0;
  kvm_rebooting = true;
  const virtops::status clear = virtops::vmx::vmclear<on_reboot>(pa(vmcs));
  const virtops::status off = virtops::vmx::vmxoff<on_reboot>();
  print("  rebooting: VMCLEAR<reboot_aware> -> %s (fault eaten while rebooting)\n", outcome(clear));
  print("  rebooting: VMXOFF<reboot_aware> -> %s (fault eaten while rebooting)\n", outcome(off));
  ok += clear.ok() && off.ok();
  kvm_rebooting = false;
  const virtops::status reported = virtops::vmx::vmxoff<policy::report>();
  show("not rebooting: VMXOFF<report>", reported);
  ok += reported.code() == virtops::errc::fault && reported.fault().vector == virtops::vector::ud;
  return ok;
}

// ---- SVM ----

constexpr std::uint32_t vm_hsave_pa = virtops::vmcb::msr::vm_hsave_pa;
constexpr std::uint64_t efer_svme = virtops::vmcb::efer::svme;
bool run_svm(void* guest_stack_top, virtops::vmcb::vmcb* vmcb) {
  using virtops::vmcb::exit_code;
  guest_uses_vmcall = false;
  cpu::wrmsr(cpu::ia32_efer, cpu::rdmsr(cpu::ia32_efer) | efer_svme);
  cpu::wrmsr(vm_hsave_pa, pa(baremetal::alloc_page()));
  namespace intercept = virtops::vmcb::intercept_misc1;
  baremetal::svm_setup_vmcb(
      *vmcb, reinterpret_cast<std::uint64_t>(&guest_main), pa(guest_stack_top),
      intercept::cpuid | intercept::hlt | intercept::ioio_prot,
      static_cast<virtops::svm::io_permission_map*>(baremetal::alloc_pages(3)));
  print("host: EFER.SVME set, VMCB ready\n");
  virtops::gprs g{};
  for (bool first = true;; first = false) {
    (void)virtops::svm::clgi();
    const virtops::status s = virtops::svm::vmrun(pa(vmcb), g);
    (void)virtops::svm::stgi();
    if (first) print("host: VMRUN -> %s\n", outcome(s));
    if (!s) return false;
    std::uint64_t& rip = vmcb->save.rip;
    std::uint64_t& rax = vmcb->save.rax;  // the guest's RAX lives in the VMCB
    switch (const auto code = static_cast<exit_code>(vmcb->control.exit_code)) {
      case exit_code::vmmcall:
        rax = handle_hypercall(rax, g.rbx, g.rcx);
        rip += 3;  // QEMU TCG has no nRIP save: VMMCALL is 3 bytes
        break;
      case exit_code::cpuid:
        handle_cpuid(rax, g.rbx, g.rcx, g.rdx);
        rip += 2;
        break;
      case exit_code::ioio: {
        const auto io =
            virtops::svm::decode_ioio(vmcb->control.exit_info_1, vmcb->control.exit_info_2);
        if (!io) {
          print("host: IOIO exit info %s\n", virtops::svm::to_string(io.error()));
          return false;
        }
        if (!io.value().in) handle_out(io.value().port, rax & 0xffffffff);
        rip = io.value().next_rip;
        break;
      }
      case exit_code::hlt:
        ++exits.hlts;
        print("  exit: HLT, the guest is done\n");
        return true;
      default:
        print("host: unexpected exit code %s\n", virtops::vmcb::to_string(code));
        return false;
    }
  }
}

// Linux's emergency reboot on AMD (cpu_svm_disable): STGI so that INIT and
// NMI are not blocked, then clear EFER.SVME. If an NMI already disabled SVM,
// STGI raises #UD: GIF is set anyway, so the fault is eaten.
unsigned shutdown_svm() {
  print("host: emergency shutdown (Linux reboot flow)\n");
  print("  crash path: EFER.SVME cleared behind the hypervisor's back (NMI shootdown)\n");
  cpu::wrmsr(cpu::ia32_efer, cpu::rdmsr(cpu::ia32_efer) & ~efer_svme);
  unsigned ok = 0;
  kvm_rebooting = true;
  const virtops::status gif = virtops::svm::stgi<on_reboot>();
  print("  rebooting: STGI<reboot_aware> -> %s (fault eaten while rebooting)\n", outcome(gif));
  ok += gif.ok();
  kvm_rebooting = false;
  const virtops::status reported = virtops::svm::clgi<policy::report>();
  show("not rebooting: CLGI<report>", reported);
  ok += reported.code() == virtops::errc::fault && reported.fault().vector == virtops::vector::ud;
  return ok;
}

}  // namespace

void on_unhandled_exception(const baremetal::trap_frame& f) {
  print("minivisor: unexpected exception %llu at %#llx (error %#llx)\n",
        static_cast<unsigned long long>(f.vector), static_cast<unsigned long long>(f.rip),
        static_cast<unsigned long long>(f.error_code));
  baremetal::exit_emulator(false);
}

void program_main() {
  baremetal::init();
  virtops::set_panic_hook([](const virtops::status& s) noexcept {
    print("minivisor: panic: %s: %s\n", virtops::to_string(s.instruction()),
          virtops::to_string(s.code()));
    baremetal::exit_emulator(false);
  });
  const bool vmx =
      (cpu::cpuid(virtops::vmx::cpuid::feature_leaf).ecx & virtops::vmx::cpuid::vmx_bit) != 0;
  const bool svm =
      cpu::cpuid(virtops::svm::cpuid::extended_features_leaf).ecx & virtops::svm::cpuid::svm_bit;
  print("minivisor on %s (%s), built with %s: using %s\n", baremetal::arg("emulator", "?"),
        baremetal::arg("cpu", "?"), BAREMETAL_COMPILER,
        vmx   ? "VMX"
        : svm ? "SVM"
              : "nothing");
  if (!vmx && !svm) baremetal::exit_emulator(false);

  void* stack = baremetal::alloc_pages(4);
  void* stack_top = static_cast<char*>(stack) + 4 * 4096 - 16;
  void* control_page = baremetal::alloc_page();  // the VMCS or the VMCB
  const bool ran = vmx ? run_vmx(stack_top, control_page)
                       : run_svm(stack_top, static_cast<virtops::vmcb::vmcb*>(control_page));

  std::uint64_t expected = 0;
  for (std::uint64_t i = 1; i <= squares_up_to; ++i) expected += i * i;
  const bool computed = port_result == expected && hypercall_result == expected;
  print("host: guest result %llu via port 0x510, %llu via hypercall, expected %llu: %s\n",
        static_cast<unsigned long long>(port_result),
        static_cast<unsigned long long>(hypercall_result),
        static_cast<unsigned long long>(expected), computed ? "ok" : "WRONG");
  print("host: exits handled: %u hypercalls, %u CPUID, %u I/O, %u HLT\n", exits.hypercalls,
        exits.cpuids, exits.ios, exits.hlts);
  const unsigned shutdown_ok = vmx ? shutdown_vmx(control_page) : shutdown_svm();
  const bool ok =
      ran && computed && exits.cpuids == 1 && exits.ios == 1 && exits.hlts == 1 && shutdown_ok == 2;
  print("minivisor: %s\n", ok ? "all good" : "FAILED");
  baremetal::exit_emulator(ok);
}
