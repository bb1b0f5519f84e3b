// Ring-0 SVM conformance checks: every wrapper's success and fault paths on a
// CPU that implements SVM (QEMU TCG, Bochs). Expected results are the APM's.
#include <virtops/virtops.hpp>

#include "cpu.hpp"
#include "events.hpp"
#include "gprs_pattern.hpp"
#include "guest_program.hpp"
#include "guest_setup.hpp"
#include "platform.hpp"
#include "policy_checks.hpp"

namespace {

namespace svm = virtops::svm;
using virtops::errc;
using virtops::insn;
using virtops::status;

constexpr std::uint32_t vm_hsave_pa = virtops::vmcb::msr::vm_hsave_pa;
constexpr std::uint64_t efer_svme = virtops::vmcb::efer::svme;

namespace vmcb = virtops::vmcb;
using vmcb::exit_code;

std::uint64_t pa(const void* p) { return reinterpret_cast<std::uint64_t>(p); }  // identity map

// The guest: changes the GPRs it is given, VMMCALLs, then HLTs.
extern "C" void svm_guest_entry();
RING0_GUEST_PROGRAM(svm_guest_entry, "vmmcall");

void setup_vmcb(vmcb::vmcb* v, void* stack) {
  for (unsigned i = 0; i < sizeof *v; ++i) reinterpret_cast<std::uint8_t*>(v)[i] = 0;
  baremetal::svm_setup_vmcb(*v, reinterpret_cast<std::uint64_t>(&svm_guest_entry),
                            pa(stack) + 4096 - 16, vmcb::intercept_misc1::hlt);
}

std::uint64_t exit_code_of(const vmcb::vmcb* v) { return v->control.exit_code; }
bool exited_with(const vmcb::vmcb* v, exit_code c) {
  return v->control.exit_code == static_cast<std::uint64_t>(c);
}

// GIF is cleared around VMRUN as a hypervisor would (KVM: clgi; vmrun; stgi).
status run_guest(vmcb::vmcb* v, virtops::gprs& g) {
  (void)svm::clgi();
  const status s = svm::vmrun(pa(v), g);
  (void)svm::stgi();
  return s;
}

void check_svm_disabled(void* page) {
  // EFER.SVME=0: every SVM instruction raises #UD.
  const std::uint64_t p = pa(page);
  const auto ud = virtops::vector::ud;
  ring0::check_fault_policies("svm.vmrun_with_svme_0", insn::vmrun, ud,
                              [=]<class P>() { return svm::vmrun<P>(p); });
  ring0::check_fault_policies("svm.vmload_with_svme_0", insn::vmload, ud,
                              [=]<class P>() { return svm::vmload<P>(p); });
  ring0::check_fault_policies("svm.vmsave_with_svme_0", insn::vmsave, ud,
                              [=]<class P>() { return svm::vmsave<P>(p); });
  ring0::check_fault_policies("svm.stgi_with_svme_0", insn::stgi, ud,
                              []<class P>() { return svm::stgi<P>(); });
  ring0::check_fault_policies("svm.clgi_with_svme_0", insn::clgi, ud,
                              []<class P>() { return svm::clgi<P>(); });
  ring0::check_fault_policies("svm.invlpga_with_svme_0", insn::invlpga, ud,
                              [=]<class P>() { return svm::invlpga<P>(p, 1); });
}

void check_vmsave_vmload(vmcb::vmcb* area) {
  const std::uint64_t saved_kgs = cpu::rdmsr(cpu::ia32_kernel_gs_base),
                      saved_star = cpu::rdmsr(cpu::ia32_star),
                      saved_lstar = cpu::rdmsr(cpu::ia32_lstar);
  cpu::wrmsr(cpu::ia32_kernel_gs_base, 0x1111222233334000ull & 0x00007fffffffffffull);
  cpu::wrmsr(cpu::ia32_star, 0x0023001000000000ull);
  cpu::wrmsr(cpu::ia32_lstar, 0xffff800000abc000ull);
  const status saved = svm::vmsave(pa(area));
  check("svm.vmsave",
        saved.ok() && area->save.kernel_gs_base == cpu::rdmsr(cpu::ia32_kernel_gs_base) &&
            area->save.star == 0x0023001000000000ull && area->save.lstar == 0xffff800000abc000ull,
        "status=%s star=%#lx", virtops::to_string(saved.code()),
        static_cast<unsigned long>(area->save.star));
  cpu::wrmsr(cpu::ia32_kernel_gs_base, 0);
  cpu::wrmsr(cpu::ia32_star, 0);
  cpu::wrmsr(cpu::ia32_lstar, 0xffff800000000000ull);
  const status loaded = svm::vmload(pa(area));
  check("svm.vmload_restores_vmsave_state",
        loaded.ok() && cpu::rdmsr(cpu::ia32_star) == 0x0023001000000000ull &&
            cpu::rdmsr(cpu::ia32_lstar) == 0xffff800000abc000ull &&
            cpu::rdmsr(cpu::ia32_kernel_gs_base) == area->save.kernel_gs_base,
        "status=%s star=%#lx", virtops::to_string(loaded.code()),
        static_cast<unsigned long>(cpu::rdmsr(cpu::ia32_star)));
  cpu::wrmsr(cpu::ia32_kernel_gs_base, saved_kgs);
  cpu::wrmsr(cpu::ia32_star, saved_star);
  cpu::wrmsr(cpu::ia32_lstar, saved_lstar);
}

// An interrupt and an NMI arriving with their saved RIP on a VMSAVE's site
// (events.hpp): the IDT hook's trap::handle leaves them, and the #DB of the
// single step that got there, to their handlers; then the VMSAVE runs for
// real and stores STAR.
void check_events_at_vmsave(vmcb::vmcb* area) {
  constexpr ring0::event events[] = {ring0::event::interrupt, ring0::event::nmi};
  constexpr const char* names[] = {"svm.interrupt_on_vmsave_site_not_claimed",
                                   "svm.nmi_on_vmsave_site_not_claimed"};
  const std::uint64_t saved_star = cpu::rdmsr(cpu::ia32_star);
  for (unsigned k = 0; k < 2; ++k) {
    const std::uint64_t star = 0x0023001000000000ull + (std::uint64_t{k + 1} << 32);
    cpu::wrmsr(cpu::ia32_star, star);
    area->save.star = 0;
    ring0::arm_event_at_next_site(events[k]);
    const status saved = svm::vmsave(pa(area));
    const ring0::event_report r = ring0::disarm_event();
    const bool saved_ok = saved.ok() && area->save.star == star;
    ring0::check_event(names[k], events[k], r, insn::vmsave, saved_ok, saved);
    if (k == 0 && r.unsupported == nullptr)
      check("svm.single_step_on_vmsave_site_not_claimed", r.site != 0 && r.step_refused,
            "site=%#lx step_refused=%d", static_cast<unsigned long>(r.site), r.step_refused);
  }
  cpu::wrmsr(cpu::ia32_star, saved_star);
}

void check_vmrun(vmcb::vmcb* v, void* stack) {
  setup_vmcb(v, stack);
  v->save.rax = guest_input.rax;
  virtops::gprs g = guest_input;
  const status first = run_guest(v, g);
  check("svm.vmrun_guest_exits_on_vmmcall", first.ok() && exited_with(v, exit_code::vmmcall),
        "status=%s exit_code=%#lx", virtops::to_string(first.code()),
        static_cast<unsigned long>(exit_code_of(v)));
  check("svm.guest_gprs_saved_on_exit", guest_output_ok(g, v->save.rax),
        "rax=%#lx rbx=%#lx rdi=%#lx rbp=%#lx r15=%#lx", static_cast<unsigned long>(v->save.rax),
        static_cast<unsigned long>(g.rbx), static_cast<unsigned long>(g.rdi),
        static_cast<unsigned long>(g.rbp), static_cast<unsigned long>(g.r15));
  v->save.rip += 3;  // VMMCALL; QEMU TCG has no nRIP save
  const status second = run_guest(v, g);
  check("svm.vmrun_guest_exits_on_hlt", second.ok() && exited_with(v, exit_code::hlt),
        "status=%s exit_code=%#lx", virtops::to_string(second.code()),
        static_cast<unsigned long>(exit_code_of(v)));

  // RBX ... R15 through a real VMRUN and #VMEXIT: the guest stops at its
  // HLT, which is intercepted again at once, so what comes back is what went
  // in, after the wrapper stored it and before it zeroed the registers (that
  // the zeroing follows the stores in every build:
  // tests/codegen/exit_check.sh). The guest's RAX stays in the VMCB, and
  // gprs::rax is left alone.
  g = ring0::gprs_pattern;
  g.rax = 0x5a5a5a5a5a5a5a5aull;
  v->save.rax = ring0::pattern(1);
  const status halted = run_guest(v, g);
  const int wrong = ring0::first_not_pattern(g, 1);  // RAX: svm::vmrun leaves it alone
  const std::uint64_t guest_rax = v->save.rax;
  check("svm.guest_gprs_rbx_to_r15_round_trip",
        halted.ok() && exited_with(v, exit_code::hlt) && wrong < 0 &&
            guest_rax == ring0::pattern(1) && g.rax == 0x5a5a5a5a5a5a5a5aull,
        "status=%s exit_code=%#lx first wrong register=%d vmcb rax=%#lx gprs rax=%#lx",
        virtops::to_string(halted.code()), static_cast<unsigned long>(exit_code_of(v)), wrong,
        static_cast<unsigned long>(guest_rax), static_cast<unsigned long>(g.rax));

  // Consistency-check failures are #VMEXIT(VMEXIT_INVALID), stored as -1
  // (QEMU writes only the low 32 bits: compare those).
  setup_vmcb(v, stack);
  v->control.guest_asid = 0;
  const status asid0 = run_guest(v, g);
  check("svm.vmrun_asid_0_vmexit_invalid", asid0.ok() && vmcb::is_invalid(exit_code_of(v)),
        "status=%s exit_code=%#lx", virtops::to_string(asid0.code()),
        static_cast<unsigned long>(exit_code_of(v)));
  setup_vmcb(v, stack);
  v->control.intercept_misc2 = vmcb::intercept_misc2::vmmcall;
  const status no_intercept = run_guest(v, g);
  check("svm.vmrun_without_vmrun_intercept_vmexit_invalid",
        no_intercept.ok() && vmcb::is_invalid(exit_code_of(v)), "status=%s exit_code=%#lx",
        virtops::to_string(no_intercept.code()), static_cast<unsigned long>(exit_code_of(v)));

  // A VMCB address that is not 4 KiB aligned: #GP(0).
  const std::uint64_t odd = pa(v) + 0x10;
  ring0::check_fault_policies("svm.vmrun_unaligned_vmcb", insn::vmrun, virtops::vector::gp,
                              [=]<class P>() { return svm::vmrun<P>(odd); });
  // Beyond the physical-address width (CPUID 0x80000008): #GP(0) as well.
  const std::uint64_t too_wide = 1ull << cpu::physical_address_bits();
  ring0::check_fault_policies("svm.vmrun_vmcb_beyond_physical_width", insn::vmrun,
                              virtops::vector::gp,
                              [=]<class P>() { return svm::vmrun<P>(too_wide); });
  const status load_odd = svm::vmload(odd), save_odd = svm::vmsave(odd);
  check("svm.vmload_unaligned_gp", load_odd.code() == errc::fault && load_odd.fault().vector == 13,
        "got %s", virtops::to_string(load_odd.code()));
  check("svm.vmsave_unaligned_gp", save_odd.code() == errc::fault && save_odd.fault().vector == 13,
        "got %s", virtops::to_string(save_odd.code()));
}

}  // namespace

void run_svm_checks() {
  if (!(cpu::cpuid(svm::cpuid::extended_features_leaf).ecx & svm::cpuid::svm_bit)) {
    check("svm.cpuid_reports_svm", false, "CPUID.80000001:ECX.SVM=0");
    return;
  }
  auto* const vmcb_page = static_cast<vmcb::vmcb*>(alloc_page());
  auto* const save_area = static_cast<vmcb::vmcb*>(alloc_page());
  void* hsave = alloc_page();
  void* stack = alloc_page();
  cpu::wrmsr(cpu::ia32_efer, cpu::rdmsr(cpu::ia32_efer) & ~efer_svme);
  check_svm_disabled(vmcb_page);

  cpu::wrmsr(cpu::ia32_efer, cpu::rdmsr(cpu::ia32_efer) | efer_svme);
  cpu::wrmsr(vm_hsave_pa, pa(hsave));
  const status cleared = svm::clgi(), set = svm::stgi();
  check("svm.clgi_stgi", cleared.ok() && set.ok(), "clgi=%s stgi=%s",
        virtops::to_string(cleared.code()), virtops::to_string(set.code()));
  const status flushed = svm::invlpga(pa(stack), 1);
  check("svm.invlpga", flushed.ok(), "got %s", virtops::to_string(flushed.code()));
  check_vmsave_vmload(save_area);
  check_events_at_vmsave(save_area);
  check_vmrun(vmcb_page, stack);
}
