// The VMX/SVM instructions (and RDMSR, WRMSR, XSETBV) fault in ring 3 (which exception is the
// host's business; a hypervisor below may even answer a hypercall). This program runs every wrapper
// under the POSIX trap adapter and shows what the CPU raised on this host and what each fault
// policy made of it.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <virtops/posix.hpp>
#include <virtops/virtops.hpp>

namespace policy = virtops::policy;
using virtops::insn;

namespace {

// A user-written policy: count, remember, report.
struct counting {
  static inline unsigned faults = 0;
  static virtops::fault_action on_fault(const virtops::fault_info&) noexcept {
    ++faults;
    return virtops::fault_action::report;
  }
};

// KVM's kvm_rebooting, as a policy input.
struct machine {
  static inline bool going_down = false;
  static bool rebooting() noexcept { return going_down; }
};

template <class P>
virtops::status run(insn i) {
  namespace vmx = virtops::vmx;
  namespace svm = virtops::svm;
  constexpr std::uint64_t pa = 0x1000;
  switch (i) {
    case insn::vmxon: return vmx::vmxon<P>(pa);
    case insn::vmxoff: return vmx::vmxoff<P>();
    case insn::vmclear: return vmx::vmclear<P>(pa);
    case insn::vmptrld: return vmx::vmptrld<P>(pa);
    case insn::vmptrst: return vmx::vmptrst<P>().error();
    case insn::vmread: return vmx::vmread<P>(0x681e).error();  // guest RIP
    case insn::vmwrite: return vmx::vmwrite<P>(0x681e, 0);
    case insn::invept: return vmx::invept<P>(vmx::invept_type::all_context, {0});
    case insn::invvpid: return vmx::invvpid<P>(vmx::invvpid_type::all_context, {1});
    case insn::vmrun: return svm::vmrun<P>(pa);
    case insn::vmload: return svm::vmload<P>(pa);
    case insn::vmsave: return svm::vmsave<P>(pa);
    case insn::stgi: return svm::stgi<P>();
    case insn::clgi: return svm::clgi<P>();
    case insn::invlpga: return svm::invlpga<P>(0, 1);
    case insn::vmlaunch: {
      virtops::gprs g{};
      return vmx::launch<P>(g);
    }
    case insn::vmresume: {
      virtops::gprs g{};
      return vmx::resume<P>(g);
    }
    case insn::vmcall: {
      virtops::hypercall_regs r{};
      return vmx::vmcall<P>(r);
    }
    case insn::vmmcall: {
      virtops::hypercall_regs r{};
      return svm::vmmcall<P>(r);
    }
    case insn::rdmsr: return virtops::msr::read<P>(0xc0000080).error();  // IA32_EFER
    case insn::wrmsr: return virtops::msr::write<P>(0xc0000080, 0);
    case insn::xsetbv: return virtops::xsetbv<P>(0, 3);  // XCR0 = x87|SSE
  }
  return virtops::status::vmfail_invalid(i);
}

// A hypervisor below may answer a hypercall from ring 3 instead of faulting.
bool is_hypercall(insn i) { return i == insn::vmcall || i == insn::vmmcall; }

// policy::panic must not return: run it in a child whose panic hook exits 42.
bool panics(insn i) {
  const pid_t pid = fork();
  if (pid == 0) {
    virtops::posix::trap_guard guard;
    virtops::set_panic_hook([](const virtops::status&) noexcept { _exit(42); });
    (void)run<policy::panic>(i);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 42;
}

}  // namespace

int main() {
  const insn all[] = {insn::vmxon,    insn::vmxoff,  insn::vmclear, insn::vmptrld, insn::vmptrst,
                      insn::vmread,   insn::vmwrite, insn::invept,  insn::invvpid, insn::vmlaunch,
                      insn::vmresume, insn::vmcall,  insn::vmrun,   insn::vmload,  insn::vmsave,
                      insn::stgi,     insn::clgi,    insn::invlpga, insn::vmmcall, insn::rdmsr,
                      insn::wrmsr,    insn::xsetbv};
  virtops::posix::trap_guard guard;
  std::printf("virtops %d.%d.%d: each wrapper, faulting for real in ring 3\n\n",
              VIRTOPS_VERSION_MAJOR, VIRTOPS_VERSION_MINOR, VIRTOPS_VERSION_PATCH);
  std::printf("%-9s %-10s %-24s %-8s %-8s %-10s %-10s %s\n", "insn", "CPU raised", "report",
              "ignore", "counting", "reboot_aware", "", "panic");
  std::printf("%-9s %-10s %-24s %-8s %-8s %-10s %-10s %s\n", "", "", "", "", "", "rebooting",
              "otherwise", "");
  unsigned handled = 0;
  for (insn i : all) {
    const virtops::status reported = run<policy::report>(i);
    const virtops::fault_info f = reported.fault();
    if (reported.ok() && is_hypercall(i)) {
      // No fault: the hypervisor below answered, and every policy agrees.
      const bool all_ok =
          run<policy::ignore>(i).ok() && run<counting>(i).ok() && run<policy::panic>(i).ok();
      std::printf("%-9s %-10s %s\n", virtops::to_string(i), "no fault",
                  all_ok ? "answered by the hypervisor below, under every policy" : "?");
      handled += all_ok ? 1 : 0;
      continue;
    }
    const bool ignored = run<policy::ignore>(i).ok();
    counting::faults = 0;
    (void)run<counting>(i);
    const unsigned counted = counting::faults;  // exactly one per faulting call
    machine::going_down = true;
    const bool eaten = run<policy::reboot_aware<machine, counting>>(i).ok();
    machine::going_down = false;
    const bool not_eaten = !run<policy::reboot_aware<machine, counting>>(i).ok();
    const bool panicked = panics(i);
    char where[32];
    std::snprintf(where, sizeof where, "fault at %#lx", static_cast<unsigned long>(f.rip));
    std::printf("%-9s %-10s %-24s %-8s %-8u %-10s %-10s %s\n", virtops::to_string(i),
                reported.code() == virtops::errc::fault && virtops::vector_name(f.vector) != nullptr
                    ? virtops::vector_name(f.vector)
                    : "?",
                reported.code() == virtops::errc::fault ? where : "?", ignored ? "resumed" : "?",
                counted, eaten ? "eaten" : "?", not_eaten ? "reported" : "?",
                panicked ? "panicked" : "?");
    const bool ok = reported.code() == virtops::errc::fault && f.instruction == i && ignored &&
                    counted == 1 && counting::faults == 2 && eaten && not_eaten && panicked;
    handled += ok ? 1 : 0;
  }
  std::printf("\n%u/%zu instructions handled as expected under every policy\n", handled,
              sizeof all / sizeof all[0]);
  return handled == sizeof all / sizeof all[0] ? 0 : 1;
}
