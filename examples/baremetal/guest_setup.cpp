// Guest set-up for the examples: see guest_setup.hpp.
#include "guest_setup.hpp"

#include <virtops/virtops.hpp>
#include <virtops/vocabulary.hpp>

#include "cpu.hpp"

namespace baremetal {
namespace {

namespace vmx = virtops::vmx;

namespace vmcs = virtops::vmcs;

namespace segment = virtops::segment;

// VMWRITE of a typed field, counted in `failures` (the caller's: several
// CPUs set up their VMCSs at once). The value is checked as vmx::vmwrite<F>
// checks it: an unsigned value no wider than the field, or a constant that fits.
template <class F>
void w(unsigned& failures, vmcs::value_for<F> value) {
  if (!vmx::vmwrite<F>(value).ok()) ++failures;
}

// A control field from required bits only, counted as a failure if the
// CPU does not allow one of them.
std::uint32_t required_controls(unsigned& failures, std::uint32_t required,
                                std::uint64_t capability) {
  const vmx::controls_adjustment<std::uint32_t> a = vmx::adjust_controls(required, 0, capability);
  if (!a.ok()) {
    ++failures;
    return 0;
  }
  return a.value();
}

// Host selector fields must have RPL and TI clear (the VM-entry checks on
// the host segment registers).
std::uint16_t host_selector(std::uint16_t selector) { return selector & 0xfff8; }

namespace vmcb = virtops::vmcb;

void set_segment(vmcb::segment& s, std::uint16_t selector, std::uint16_t attrib,
                 std::uint32_t limit, std::uint64_t base) {
  s = {selector, attrib, limit, base};
}

}  // namespace

std::uint32_t vmcs_revision() { return vmx::revision_id(cpu::rdmsr(vmx::msr::basic)); }

std::uint64_t vmx_enable() {
  namespace fc_bits = vmx::feature_control;
  std::uint64_t fc = cpu::rdmsr(vmx::msr::feature_control);
  if (!(fc & fc_bits::lock))
    cpu::wrmsr(vmx::msr::feature_control, fc | fc_bits::lock | fc_bits::vmx_outside_smx);
  fc = cpu::rdmsr(vmx::msr::feature_control);
  const std::uint64_t cr0 = vmx::adjust_cr(cpu::read_cr0(), cpu::rdmsr(vmx::msr::cr0_fixed0),
                                           cpu::rdmsr(vmx::msr::cr0_fixed1));
  const std::uint64_t cr4 =
      vmx::adjust_cr(cpu::read_cr4() | vmx::cr4_vmxe, cpu::rdmsr(vmx::msr::cr4_fixed0),
                     cpu::rdmsr(vmx::msr::cr4_fixed1));
  cpu::write_cr0(cr0);
  cpu::write_cr4(cr4);
  return fc;
}

unsigned vmx_setup_vmcs(std::uint64_t guest_rip, std::uint64_t guest_rsp,
                        std::uint32_t proc_controls) {
  unsigned failures = 0;
  // Only the capability MSRs that exist, the TRUE_* ones when present.
  const vmx::capabilities_read caps = vmx::read_capabilities();
  if (!caps.ok()) return 1;
  const std::uint64_t cr0 = cpu::read_cr0(), cr3 = cpu::read_cr3(), cr4 = cpu::read_cr4();
  const cpu::table_register gdt = cpu::sgdt(), idt = cpu::sidt();
  const std::uint16_t tr = cpu::str();
  // The field is 32 bits: the MSR's bits 31:0.
  const std::uint32_t sysenter_cs = cpu::rdmsr(cpu::ia32_sysenter_cs) & 0xffffffff;

  w<vmcs::pin_based_vm_execution_controls>(
      failures, required_controls(failures, 0, caps.value.pinbased_ctls));
  w<vmcs::primary_processor_based_vm_execution_controls>(
      failures, required_controls(failures, vmx::proc::hlt_exiting | proc_controls,
                                  caps.value.procbased_ctls));
  w<vmcs::primary_vm_exit_controls>(
      failures,
      required_controls(failures, vmx::exit::host_address_space_size, caps.value.exit_ctls));
  w<vmcs::vm_entry_controls>(
      failures, required_controls(failures, vmx::entry::ia32e_mode_guest, caps.value.entry_ctls));
  w<vmcs::exception_bitmap>(failures, 0);
  w<vmcs::cr3_target_count>(failures, 0);
  w<vmcs::vm_exit_msr_store_count>(failures, 0);
  w<vmcs::vm_exit_msr_load_count>(failures, 0);
  w<vmcs::vm_entry_msr_load_count>(failures, 0);
  w<vmcs::vm_entry_interruption_information>(failures, 0);
  w<vmcs::cr0_guest_host_mask>(failures, 0);
  w<vmcs::cr4_guest_host_mask>(failures, 0);
  w<vmcs::cr0_read_shadow>(failures, cr0);
  w<vmcs::cr4_read_shadow>(failures, cr4);

  w<vmcs::host_cr0>(failures, cr0);
  w<vmcs::host_cr3>(failures, cr3);
  w<vmcs::host_cr4>(failures, cr4);
  w<vmcs::host_cs_selector>(failures, host_selector(cpu::read_cs()));
  w<vmcs::host_ss_selector>(failures, host_selector(cpu::read_ss()));
  w<vmcs::host_ds_selector>(failures, host_selector(cpu::read_ds()));
  w<vmcs::host_es_selector>(failures, host_selector(cpu::read_es()));
  w<vmcs::host_fs_selector>(failures, host_selector(cpu::read_fs()));
  w<vmcs::host_gs_selector>(failures, host_selector(cpu::read_gs()));
  w<vmcs::host_tr_selector>(failures, tr);
  w<vmcs::host_fs_base>(failures, cpu::rdmsr(cpu::ia32_fs_base));
  w<vmcs::host_gs_base>(failures, cpu::rdmsr(cpu::ia32_gs_base));
  w<vmcs::host_tr_base>(failures, cpu::system_segment_base(tr));
  w<vmcs::host_gdtr_base>(failures, gdt.base);
  w<vmcs::host_idtr_base>(failures, idt.base);
  w<vmcs::host_ia32_sysenter_cs>(failures, sysenter_cs);
  w<vmcs::host_ia32_sysenter_esp>(failures, cpu::rdmsr(cpu::ia32_sysenter_esp));
  w<vmcs::host_ia32_sysenter_eip>(failures, cpu::rdmsr(cpu::ia32_sysenter_eip));

  w<vmcs::guest_cr0>(failures, cr0);
  w<vmcs::guest_cr3>(failures, cr3);
  w<vmcs::guest_cr4>(failures, cr4);
  // Flat segments: ES/SS/DS/FS/GS data, CS 64-bit code; LDTR unusable; TR busy TSS.
  // The ES..GS selector/limit/access-rights/base fields are 2 apart, in the
  // order ES, CS, SS, DS, FS, GS: indexed from the ES fields.
  for (std::uint64_t i = 0; i < 6; ++i) {
    const bool code = i == 1;
    const std::uint16_t sel = code ? cpu::read_cs() : cpu::read_ds();
    if (!vmx::vmwrite(vmcs::guest_es_selector::encoding + 2 * i, sel & ~7u) ||
        !vmx::vmwrite(vmcs::guest_es_limit::encoding + 2 * i, 0xffffffff) ||
        !vmx::vmwrite(vmcs::guest_es_access_rights::encoding + 2 * i,
                      segment::to_vmcs(code ? segment::code64 : segment::data32).value()) ||
        !vmx::vmwrite(vmcs::guest_es_base::encoding + 2 * i, 0))
      ++failures;
  }
  w<vmcs::guest_ldtr_selector>(failures, 0);
  w<vmcs::guest_ldtr_access_rights>(failures, segment::to_vmcs(segment::unusable).value());
  w<vmcs::guest_ldtr_limit>(failures, 0);
  w<vmcs::guest_ldtr_base>(failures, 0);
  w<vmcs::guest_tr_selector>(failures, tr);
  w<vmcs::guest_tr_access_rights>(failures, segment::to_vmcs(segment::tss64_busy).value());
  w<vmcs::guest_tr_limit>(failures, cpu::segment_limit(tr));
  w<vmcs::guest_tr_base>(failures, cpu::system_segment_base(tr));
  w<vmcs::guest_gdtr_base>(failures, gdt.base);
  w<vmcs::guest_gdtr_limit>(failures, gdt.limit);
  w<vmcs::guest_idtr_base>(failures, idt.base);
  w<vmcs::guest_idtr_limit>(failures, idt.limit);
  w<vmcs::guest_dr7>(failures, 0x400);
  w<vmcs::guest_rflags>(failures, 0x2);
  w<vmcs::guest_rsp>(failures, guest_rsp);
  w<vmcs::guest_rip>(failures, guest_rip);
  w<vmcs::guest_pending_debug_exceptions>(failures, 0);
  w<vmcs::guest_interruptibility_state>(failures, 0);
  w<vmcs::guest_activity_state>(failures, 0);
  w<vmcs::guest_ia32_sysenter_cs>(failures, 0);
  w<vmcs::guest_ia32_sysenter_esp>(failures, 0);
  w<vmcs::guest_ia32_sysenter_eip>(failures, 0);
  w<vmcs::vmcs_link_pointer>(failures, ~0ull);
  return failures;
}

void svm_setup_vmcb(vmcb::vmcb& v, std::uint64_t guest_rip, std::uint64_t guest_rsp,
                    std::uint32_t misc1, virtops::svm::io_permission_map* iopm) {
  const cpu::table_register gdt = cpu::sgdt(), idt = cpu::sidt();
  const std::uint16_t tr = cpu::str();
  vmcb::control_area& c = v.control;
  vmcb::save_area& g = v.save;
  c.intercept_misc1 = misc1;
  c.intercept_misc2 = vmcb::intercept_misc2::vmrun | vmcb::intercept_misc2::vmmcall;
  if (iopm != nullptr) {
    iopm->intercept_all();
    c.iopm_base_pa = reinterpret_cast<std::uint64_t>(iopm);
  }
  c.guest_asid = 1;
  set_segment(g.cs, cpu::read_cs(), 0xa9b, 0xffffffff, 0);
  vmcb::segment* const data_segments[] = {&g.es, &g.ss, &g.ds, &g.fs, &g.gs};
  for (vmcb::segment* seg : data_segments) set_segment(*seg, cpu::read_ds(), 0xc93, 0xffffffff, 0);
  set_segment(g.gdtr, 0, 0, gdt.limit, gdt.base);
  set_segment(g.idtr, 0, 0, idt.limit, idt.base);
  set_segment(g.ldtr, 0, 0, 0, 0);
  set_segment(g.tr, tr, 0x8b, cpu::segment_limit(tr), cpu::system_segment_base(tr));
  g.cpl = 0;
  g.efer = cpu::rdmsr(cpu::ia32_efer);
  g.cr0 = cpu::read_cr0();
  g.cr3 = cpu::read_cr3();
  g.cr4 = cpu::read_cr4();
  g.dr6 = 0xffff0ff0;
  g.dr7 = 0x400;
  g.rflags = 0x2;
  g.rip = guest_rip;
  g.rsp = guest_rsp;
  g.g_pat = cpu::rdmsr(0x277);
}

}  // namespace baremetal
