// Ring-0 SVM conformance checks: every wrapper's success and fault paths on a
// CPU that implements SVM (QEMU TCG, Bochs). Expected results are the APM's.
#include <virtops/virtops.hpp>
#include <virtops/vocabulary.hpp>

#include "baremetal.hpp"
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

// The permission maps, as the CPU reads them: a guest whose accesses pass
// through or exit, in order, by the bits svm::msr_permission_map and
// svm::io_permission_map set (one MSR in each of the three MSRPM ranges, a
// read and a write bit, and the IOPM's third page for a wrapped access).
extern "C" void svm_permission_guest();
asm(".pushsection .text\n"
    ".globl svm_permission_guest\n"
    "svm_permission_guest:\n"
    "mov $0xc0000080, %ecx\n rdmsr\n"    // EFER read: passes
    "mov $0xc0000081, %ecx\n rdmsr\n"    // STAR read: exits
    "wrmsr\n"                            // STAR write: exits
    "mov $0x1b, %ecx\n rdmsr\n"          // APIC_BASE read: passes
    "mov $0x10, %ecx\n rdmsr\n"          // TSC read: exits
    "mov $0xc0010117, %ecx\n rdmsr\n"    // VM_HSAVE_PA read: exits
    "out %al, $0x81\n"                   // passes
    "out %al, $0x80\n"                   // exits
    "mov $0xffff, %dx\n out %ax, %dx\n"  // ports 0xFFFF and 0: exits through bit 0x10000
    "hlt\n"
    "ud2\n"
    ".popsection");

struct expected_exit {
  exit_code code;
  std::uint64_t what;  ///< the MSR (RCX) or the port
  bool write;          ///< WRMSR or OUT
};

void check_permission_maps(vmcb::vmcb* v, void* stack) {
  auto* const msrpm = static_cast<svm::msr_permission_map*>(baremetal::alloc_pages(2));
  auto* const iopm = static_cast<svm::io_permission_map*>(baremetal::alloc_pages(3));
  for (std::uint8_t& b : msrpm->bytes) b = 0;
  iopm->pass_through_all();
  const bool maps_ok =
      msrpm->intercept(cpu::ia32_star, virtops::msr_access::read_write) ==
          virtops::bitmap_error::none &&
      msrpm->intercept(0x10, virtops::msr_access::read) == virtops::bitmap_error::none &&
      msrpm->intercept(vmcb::msr::vm_hsave_pa, virtops::msr_access::read) ==
          virtops::bitmap_error::none;
  iopm->intercept(0x80);
  iopm->intercept(0);  // and, for a wrapped access, bit 0x10000
  for (unsigned i = 0; i < sizeof *v; ++i) reinterpret_cast<std::uint8_t*>(v)[i] = 0;
  baremetal::svm_setup_vmcb(*v, reinterpret_cast<std::uint64_t>(&svm_permission_guest),
                            pa(stack) + 4096 - 16,
                            vmcb::intercept_misc1::hlt | vmcb::intercept_misc1::msr_prot |
                                vmcb::intercept_misc1::ioio_prot);
  v->control.msrpm_base_pa = pa(msrpm);
  v->control.iopm_base_pa = pa(iopm);

  constexpr expected_exit expected[] = {
      {exit_code::msr, 0xc0000081, false}, {exit_code::msr, 0xc0000081, true},
      {exit_code::msr, 0x10, false},       {exit_code::msr, 0xc0010117, false},
      {exit_code::ioio, 0x80, true},       {exit_code::ioio, 0xffff, true},
      {exit_code::hlt, 0, false},
  };
  const char* const names[] = {"svm.msrpm_second_range_read_exits_first_passes",
                               "svm.msrpm_write_bit_exits",
                               "svm.msrpm_first_range_read_exits_second_passes",
                               "svm.msrpm_third_range_read_exits",
                               "svm.iopm_port_exits_neighbour_passes",
                               "svm.iopm_wrapped_access_exits_through_third_page",
                               "svm.permission_guest_reaches_hlt"};
  virtops::gprs g{};
  for (unsigned i = 0; i < sizeof expected / sizeof expected[0]; ++i) {
    const expected_exit& e = expected[i];
    const status s = maps_ok ? run_guest(v, g) : status{};
    const vmcb::control_area& c = v->control;
    bool ok = maps_ok && s.ok() && exited_with(v, e.code);
    std::uint64_t what = 0;
    bool write = false;
    if (ok && e.code == exit_code::msr) {
      const auto d = svm::decode_msr(c.exit_info_1);
      what = g.rcx & 0xffffffffu;
      write = d.ok() && d.value() == svm::msr_direction::write;
      ok = d.ok() && what == e.what && write == e.write;
      v->save.rip += 2;  // RDMSR/WRMSR; QEMU TCG has no nRIP save
    } else if (ok && e.code == exit_code::ioio) {
      const auto io = svm::decode_ioio(c.exit_info_1, c.exit_info_2);
      ok = io.ok() && io.value().port == e.what && !io.value().in;
      if (io.ok()) {
        what = io.value().port;
        write = !io.value().in;
        v->save.rip = io.value().next_rip;
      }
    }
    check(names[i], ok, "maps=%d status=%s exit_code=%#lx (%s) msr/port=%#lx write=%d", maps_ok,
          virtops::to_string(s.code()), static_cast<unsigned long>(exit_code_of(v)),
          vmcb::to_string(static_cast<exit_code>(exit_code_of(v))),
          static_cast<unsigned long>(what), write);
    if (!ok) return;
  }
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
  check_permission_maps(vmcb_page, stack);
}
