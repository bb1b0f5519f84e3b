// Ring-0 VMX conformance checks: every wrapper's success, VMfail and fault
// paths on a CPU that implements VMX (Bochs). Expected results are the SDM's.
#include <virtops/virtops.hpp>
#include <virtops/vocabulary.hpp>

#include "cpu.hpp"
#include "events.hpp"
#include "gprs_pattern.hpp"
#include "guest_program.hpp"
#include "guest_setup.hpp"
#include "platform.hpp"
#include "policy_checks.hpp"

namespace {

namespace vmx = virtops::vmx;
namespace vmcs = virtops::vmcs;
using virtops::errc;
using virtops::insn;
using virtops::status;
using E = virtops::vm_instruction_error;

using vmx::exit_reason;

std::uint64_t pa(const void* p) { return reinterpret_cast<std::uint64_t>(p); }  // identity map

const char* errname(const status& s) {
  return s.code() == errc::vmfail_valid ? virtops::to_string(s.vm_error())
                                        : virtops::to_string(s.code());
}

bool vmfail_valid(const status& s, E e) {
  return s.code() == errc::vmfail_valid && s.vm_error() == e;
}

// The guest: changes every GPR it is given, VMCALLs, then HLTs.
extern "C" void vmx_guest_entry();
RING0_GUEST_PROGRAM(vmx_guest_entry, "vmcall");

struct regions {
  void* vmxon;
  void* vmcs1;
  void* vmcs2;
  void* bad_revision;
  void* guest_stack;
  std::uint32_t revision;
};

void write_revision(void* region, std::uint32_t revision) {
  *static_cast<std::uint32_t*>(region) = revision;
}

void check_pre_vmx(const regions& r) {
  // CR4.VMXE=0: every VMX instruction raises #UD.
  const std::uint64_t vmxon_pa = pa(r.vmxon);
  ring0::check_fault_policies("vmx.vmxon_with_cr4_vmxe_0", insn::vmxon, virtops::vector::ud,
                              [=]<class P>() { return vmx::vmxon<P>(vmxon_pa); });
  ring0::check_fault_policies(
      "vmx.vmread_outside_vmx", insn::vmread, virtops::vector::ud,
      []<class P>() { return vmx::vmread<P>(vmcs::guest_rip::encoding).error(); });
  ring0::check_fault_policies("vmx.vmxoff_outside_vmx", insn::vmxoff, virtops::vector::ud,
                              []<class P>() { return vmx::vmxoff<P>(); });
}

void enable_vmx() {
  const std::uint64_t fc = baremetal::vmx_enable();
  const std::uint64_t locked_vmx =
      vmx::feature_control::lock | vmx::feature_control::vmx_outside_smx;
  check("vmx.feature_control_locked_with_vmx", (fc & locked_vmx) == locked_vmx,
        "IA32_FEATURE_CONTROL=%#lx", static_cast<unsigned long>(fc));
}

void check_vmxon_and_pointers(const regions& r) {
  // VMXON failures outside VMX operation are always VMfailInvalid.
  const status unaligned = vmx::vmxon(pa(r.vmxon) + 8);
  check("vmx.vmxon_unaligned_region", unaligned.code() == errc::vmfail_invalid, "got %s",
        errname(unaligned));
  write_revision(r.vmxon, r.revision + 1);
  const status wrong_rev = vmx::vmxon(pa(r.vmxon));
  check("vmx.vmxon_wrong_revision", wrong_rev.code() == errc::vmfail_invalid, "got %s",
        errname(wrong_rev));
  write_revision(r.vmxon, r.revision);

  const status on = vmx::vmxon(pa(r.vmxon));
  check("vmx.vmxon", on.ok(), "got %s", errname(on));
  const status again = vmx::vmxon(pa(r.vmxon));
  check("vmx.vmxon_again_without_vmcs", again.code() == errc::vmfail_invalid, "got %s",
        errname(again));
  const auto no_current = vmx::vmptrst();
  check("vmx.vmptrst_without_vmcs", no_current.has_value() && no_current.value() == ~0ull,
        "value=%#lx", static_cast<unsigned long>(no_current.value_or(0)));
  const auto read_none = vmx::vmread<vmcs::guest_rip>();
  check("vmx.vmread_without_vmcs", read_none.error().code() == errc::vmfail_invalid, "got %s",
        errname(read_none.error()));

  write_revision(r.vmcs1, r.revision);
  write_revision(r.vmcs2, r.revision);
  write_revision(r.bad_revision, r.revision + 1);
  const status clear = vmx::vmclear(pa(r.vmcs1));
  check("vmx.vmclear", clear.ok(), "got %s", errname(clear));
  const status load = vmx::vmptrld(pa(r.vmcs1));
  check("vmx.vmptrld", load.ok(), "got %s", errname(load));
  const auto current = vmx::vmptrst();
  check("vmx.vmptrst", current.has_value() && current.value() == pa(r.vmcs1), "value=%#lx",
        static_cast<unsigned long>(current.value_or(0)));

  const status again_valid = vmx::vmxon(pa(r.vmxon));
  check("vmx.vmxon_in_root_error_15", vmfail_valid(again_valid, E::vmxon_in_vmx_root_operation),
        "got %s", errname(again_valid));
  if (running_on("bochs")) {
    skip("vmx.vmcall_in_root_error_1", "Bochs 2.7 panics: 'VMCALL: not implemented yet'");
  } else {
    virtops::hypercall_regs hc{};
    const status call = vmx::vmcall(hc);
    check("vmx.vmcall_in_root_error_1", vmfail_valid(call, E::vmcall_in_vmx_root_operation),
          "got %s", errname(call));
  }

  const status rev = vmx::vmptrld(pa(r.bad_revision));
  check("vmx.vmptrld_wrong_revision_error_11", vmfail_valid(rev, E::vmptrld_incorrect_revision_id),
        "got %s", errname(rev));
  const status ld_on = vmx::vmptrld(pa(r.vmxon));
  check("vmx.vmptrld_vmxon_region_error_10", vmfail_valid(ld_on, E::vmptrld_vmxon_pointer),
        "got %s", errname(ld_on));
  const status cl_on = vmx::vmclear(pa(r.vmxon));
  check("vmx.vmclear_vmxon_region_error_3", vmfail_valid(cl_on, E::vmclear_vmxon_pointer), "got %s",
        errname(cl_on));
  const std::uint64_t too_wide = 1ull << cpu::physical_address_bits();
  const status cl_odd = vmx::vmclear(pa(r.vmcs2) + 0x10);
  check("vmx.vmclear_unaligned_error_2", vmfail_valid(cl_odd, E::vmclear_invalid_address), "got %s",
        errname(cl_odd));
  const status cl_wide = vmx::vmclear(too_wide);
  check("vmx.vmclear_too_wide_error_2", vmfail_valid(cl_wide, E::vmclear_invalid_address), "got %s",
        errname(cl_wide));
  const status ld_odd = vmx::vmptrld(pa(r.vmcs2) + 0x10);
  check("vmx.vmptrld_unaligned_error_9", vmfail_valid(ld_odd, E::vmptrld_invalid_address), "got %s",
        errname(ld_odd));
  const status ld_wide = vmx::vmptrld(too_wide);
  check("vmx.vmptrld_too_wide_error_9", vmfail_valid(ld_wide, E::vmptrld_invalid_address), "got %s",
        errname(ld_wide));
  const auto still = vmx::vmptrst();
  check("vmx.failed_vmptrld_keeps_current_vmcs", still.has_value() && still.value() == pa(r.vmcs1),
        "value=%#lx", static_cast<unsigned long>(still.value_or(0)));
}

bool same_text(const char* a, const char* b) {
  if (a == nullptr || b == nullptr) return a == b;
  while (*a != 0 && *a == *b) ++a, ++b;
  return *a == *b;
}

// value() of a failed result: the hook records the failure and escapes.
void* failed_value_jump[5];
status failed_value_seen{};
void failed_value_hook(const status& s) noexcept {
  failed_value_seen = s;
  __builtin_longjmp(failed_value_jump, 1);
}

// A typed round trip: the value type is the field's width.
template <class F>
void round_trip(const char* name, typename F::value_type value) {
  const status wr = vmx::vmwrite<F>(value);
  const virtops::result<typename F::value_type> rd = vmx::vmread<F>();
  check(name, wr.ok() && rd.has_value() && rd.value() == value, "write=%s read=%s value=%#lx",
        errname(wr), errname(rd.error()), static_cast<unsigned long>(rd.value_or(0)));
}

void check_vmread_vmwrite() {
  round_trip<vmcs::guest_es_selector>("vmx.vmwrite_vmread_16bit", 0x0010);
  round_trip<vmcs::guest_es_limit>("vmx.vmwrite_vmread_32bit", 0x678fffff);
  round_trip<vmcs::vmcs_link_pointer>("vmx.vmwrite_vmread_64bit", 0xfedcba9876543000ull);
  round_trip<vmcs::guest_rip>("vmx.vmwrite_vmread_natural", 0xffffffff81234567ull);
  // Untyped, the CPU itself truncates to the field's width.
  const status wide = vmx::vmwrite(vmcs::guest_es_selector::encoding, 0x1234abcd0011ull);
  const auto narrow = vmx::vmread(vmcs::guest_es_selector::encoding);
  check("vmx.vmwrite_untyped_truncates_to_16bit",
        wide.ok() && narrow.has_value() && narrow.value() == 0x0011, "value=%#lx",
        static_cast<unsigned long>(narrow.value_or(0)));
  const auto high = vmx::vmread<vmcs::vmcs_link_pointer_high>();
  check("vmx.vmread_64bit_high_half", high.has_value() && high.value() == 0xfedcba98u, "value=%#lx",
        static_cast<unsigned long>(high.value_or(0)));
  const auto unsupported_read = vmx::vmread(0x1000);  // bit 12 is reserved
  check("vmx.vmread_unsupported_error_12",
        vmfail_valid(unsupported_read.error(), E::vmread_vmwrite_unsupported_component), "got %s",
        errname(unsupported_read.error()));
  const status unsupported_write = vmx::vmwrite(0x1ull << 32 | vmcs::guest_rip::encoding, 0);
  check("vmx.vmwrite_unsupported_error_12",
        vmfail_valid(unsupported_write, E::vmread_vmwrite_unsupported_component), "got %s",
        errname(unsupported_write));
  // A failed VMREAD/VMWRITE names its field, whole (none of these is a
  // field), and format() says which: the line goes to the log.
  char line[160];
  virtops::format(unsupported_write, line, sizeof line);
  check("vmx.vmfail_names_the_field",
        unsupported_read.error().field() == 0x1000 &&
            unsupported_write.field() == (0x1ull << 32 | vmcs::guest_rip::encoding) &&
            unsupported_write.has_field() && virtops::field_name(unsupported_write) == nullptr,
        "%s", line);
  // value() of the failed read goes to the panic hook, not a silent 0.
  {
    const virtops::panic_fn previous = virtops::set_panic_hook(&failed_value_hook);
    failed_value_seen = {};
    bool returned = false;
    if (__builtin_setjmp(failed_value_jump) == 0) {
      (void)unsupported_read.value();
      returned = true;
    }
    virtops::set_panic_hook(previous);
    check("vmx.value_of_failed_read_reaches_the_panic_hook",
          !returned && failed_value_seen == unsupported_read.error(), "returned=%d code=%s",
          returned ? 1 : 0, errname(failed_value_seen));
  }
  const bool any_field_writable = vmx::vmwrite_read_only_allowed(cpu::rdmsr(vmx::msr::misc));
  // Untyped on purpose: the typed VMWRITE of a read-only field does not compile.
  const status read_only = vmx::vmwrite(vmcs::vm_exit_reason::encoding, 0);
  if (any_field_writable)
    check("vmx.vmwrite_read_only_allowed_by_misc29", read_only.ok(), "got %s", errname(read_only));
  else
    check("vmx.vmwrite_read_only_error_13",
          vmfail_valid(read_only, E::vmwrite_read_only_component) &&
              read_only.field() == vmcs::vm_exit_reason::encoding &&
              same_text(virtops::field_name(read_only), "vm_exit_reason"),
          "got %s field %#lx", errname(read_only), static_cast<unsigned long>(read_only.field()));

  // The checked forms refuse in software and leave the field alone; what
  // they pass goes to the CPU as usual.
  (void)vmx::vmwrite<vmcs::guest_es_selector>(0x0018);
  const status too_wide = vmx::vmwrite_checked(vmcs::guest_es_selector::encoding, 0x10018);
  const auto kept = vmx::vmread_checked(vmcs::guest_es_selector::encoding);
  check("vmx.vmwrite_checked_refuses_wide_value",
        too_wide.code() == errc::value_too_wide && kept.has_value() && kept.value() == 0x0018,
        "got %s, field %#lx", errname(too_wide), static_cast<unsigned long>(kept.value_or(0)));
  const status bad_write = vmx::vmwrite_checked(0x1ull << 32 | vmcs::guest_rip::encoding, 0);
  const auto bad_read = vmx::vmread_checked(0x1000);
  check("vmx.vmread_vmwrite_checked_refuse_invalid_encodings",
        bad_write.code() == errc::invalid_field && bad_read.error().code() == errc::invalid_field,
        "write %s, read %s", errname(bad_write), errname(bad_read.error()));
  const status fits = vmx::vmwrite_checked(vmcs::guest_es_selector::encoding, 0xffff);
  const auto back = vmx::vmread_checked(vmcs::guest_es_selector::encoding);
  check("vmx.vmwrite_checked_writes_a_fitting_value",
        fits.ok() && back.has_value() && back.value() == 0xffff, "got %s, field %#lx",
        errname(fits), static_cast<unsigned long>(back.value_or(0)));
}

// An interrupt and an NMI arriving with their saved RIP on a VMREAD's site
// (events.hpp): the IDT hook's trap::handle leaves them, and the #DB of the
// single step that got there, to their handlers; then the VMREAD runs for
// real and reads what was written.
void check_events_at_vmread() {
  constexpr ring0::event events[] = {ring0::event::interrupt, ring0::event::nmi};
  constexpr const char* names[] = {"vmx.interrupt_on_vmread_site_not_claimed",
                                   "vmx.nmi_on_vmread_site_not_claimed"};
  for (unsigned k = 0; k < 2; ++k) {
    const std::uint16_t value = k == 0 ? 0x0028 : 0x0030;
    (void)vmx::vmwrite<vmcs::guest_es_selector>(value);
    ring0::arm_event_at_next_site(events[k]);
    const auto read = vmx::vmread<vmcs::guest_es_selector>();
    const ring0::event_report r = ring0::disarm_event();
    const bool read_ok = read.has_value() && read.value() == value;
    ring0::check_event(names[k], events[k], r, insn::vmread, read_ok, read.error());
    if (k == 0 && r.unsupported == nullptr)
      check("vmx.single_step_on_vmread_site_not_claimed", r.site != 0 && r.step_refused,
            "site=%#lx step_refused=%d", static_cast<unsigned long>(r.site), r.step_refused);
  }
}

exit_reason last_exit_reason() {
  return vmx::basic_exit_reason(vmx::vmread<vmcs::vm_exit_reason>().value());
}

void check_vm_entry(const regions& r) {
  const unsigned setup_failures = baremetal::vmx_setup_vmcs(
      reinterpret_cast<std::uint64_t>(&vmx_guest_entry), pa(r.guest_stack) + 4096 - 16, 0);
  check("vmx.vmcs_setup", setup_failures == 0, "%u VMWRITEs failed", setup_failures);

  virtops::gprs g{};
  // Invalid controls: pin-based controls with every bit set.
  const auto pin = vmx::vmread<vmcs::pin_based_vm_execution_controls>().value();
  (void)vmx::vmwrite<vmcs::pin_based_vm_execution_controls>(0xffffffffu);
  const status bad_ctl = vmx::launch(g);
  check("vmx.vmlaunch_bad_controls_error_7",
        vmfail_valid(bad_ctl, E::vmentry_invalid_control_fields), "got %s", errname(bad_ctl));
  (void)vmx::vmwrite<vmcs::pin_based_vm_execution_controls>(pin);
  // Invalid host state: host CS selector 0.
  const auto host_cs = vmx::vmread<vmcs::host_cs_selector>().value();
  (void)vmx::vmwrite<vmcs::host_cs_selector>(0);
  const status bad_host = vmx::launch(g);
  check("vmx.vmlaunch_bad_host_state_error_8",
        vmfail_valid(bad_host, E::vmentry_invalid_host_state_fields), "got %s", errname(bad_host));
  (void)vmx::vmwrite<vmcs::host_cs_selector>(host_cs);

  // A real guest: VMCALL exit with the guest's GPRs, then HLT after VMRESUME.
  g = guest_input;
  const status launched = vmx::launch(g);
  const exit_reason reason1 = last_exit_reason();
  check("vmx.vmlaunch_guest_exits_on_vmcall", launched.ok() && reason1 == exit_reason::vmcall,
        "status=%s exit_reason=%s", errname(launched), vmx::to_string(reason1));
  check("vmx.guest_gprs_saved_on_exit", guest_output_ok(g, g.rax),
        "rax=%#lx rbx=%#lx rdi=%#lx rbp=%#lx r15=%#lx", static_cast<unsigned long>(g.rax),
        static_cast<unsigned long>(g.rbx), static_cast<unsigned long>(g.rdi),
        static_cast<unsigned long>(g.rbp), static_cast<unsigned long>(g.r15));
  const std::uint64_t rip = vmx::vmread<vmcs::guest_rip>().value();
  const std::uint64_t len = vmx::vmread<vmcs::vm_exit_instruction_length>().value();
  (void)vmx::vmwrite<vmcs::guest_rip>(rip + len);
  const status resumed = vmx::resume(g);
  const exit_reason reason2 = last_exit_reason();
  check("vmx.vmresume_guest_exits_on_hlt", resumed.ok() && reason2 == exit_reason::hlt,
        "status=%s exit_reason=%s len=%lu", errname(resumed), vmx::to_string(reason2),
        static_cast<unsigned long>(len));

  // All 15 GPRs through a real entry and exit: the guest stops at its HLT,
  // which exits again at once, so what comes back is what went in, after
  // the wrapper stored it and before it zeroed the registers (that the
  // zeroing follows the stores in every build: tests/codegen/exit_check.sh).
  g = ring0::gprs_pattern;
  const status halted = vmx::resume(g);
  const exit_reason reason3 = last_exit_reason();
  const int wrong = ring0::first_not_pattern(g);
  check("vmx.guest_gprs_all_15_round_trip", halted.ok() && reason3 == exit_reason::hlt && wrong < 0,
        "status=%s exit_reason=%s first wrong register=%d", errname(halted),
        vmx::to_string(reason3), wrong);

  const status relaunch = vmx::launch(g);
  check("vmx.vmlaunch_launched_vmcs_error_4", vmfail_valid(relaunch, E::vmlaunch_nonclear_vmcs),
        "got %s", errname(relaunch));

  // VMCS 2: clear, with invalid controls so that nothing can enter by mistake.
  (void)vmx::vmclear(pa(r.vmcs2));
  (void)vmx::vmptrld(pa(r.vmcs2));
  (void)vmx::vmwrite<vmcs::pin_based_vm_execution_controls>(0xffffffffu);
  const status resume_clear = vmx::resume(g);
  check("vmx.vmresume_clear_vmcs_error_5", vmfail_valid(resume_clear, E::vmresume_nonlaunched_vmcs),
        "got %s", errname(resume_clear));
  // No current VMCS (VMCLEAR of the current one): VMfailInvalid, i.e. CF
  // through the wrapper's VMfail path, which zeroes the registers but
  // stores nothing into the gprs.
  (void)vmx::vmclear(pa(r.vmcs2));
  g = ring0::gprs_pattern;
  const status no_vmcs = vmx::launch(g);
  const int touched = ring0::first_not_pattern(g);
  check("vmx.vmlaunch_without_current_vmcs_vmfail_invalid",
        no_vmcs.code() == errc::vmfail_invalid && touched < 0, "got %s, first register changed=%d",
        errname(no_vmcs), touched);
  (void)vmx::vmptrld(pa(r.vmcs2));
  (void)vmx::vmwrite<vmcs::pin_based_vm_execution_controls>(0xffffffffu);
  // VM entry right after MOV SS: blocked by MOV SS, checked before the controls.
  std::uint8_t failed_valid = 0;
  asm volatile(
      "mov %%ss, %%ax\n\t"
      "mov %%ax, %%ss\n\t"
      "vmlaunch\n\t"
      "setz %0"
      : "=q"(failed_valid)
      :
      : "rax", "cc", "memory");
  const auto movss_error = static_cast<E>(vmx::vmread<vmcs::vm_instruction_error>().value());
  check("vmx.vmentry_after_mov_ss_error_26",
        failed_valid && movss_error == E::vmentry_events_blocked_by_mov_ss, "got %s",
        virtops::to_string(movss_error));

  // VMRESUME after VMXOFF/VMXON of a launched VMCS.
  (void)vmx::vmptrld(pa(r.vmcs1));
  const status off = vmx::vmxoff();
  const status on = vmx::vmxon(pa(r.vmxon));
  (void)vmx::vmptrld(pa(r.vmcs1));
  const status after_off = vmx::resume(g);
  if (running_on("bochs")) {
    // Bochs 2.7 keeps the launch state across VMXOFF/VMXON and enters the
    // guest, which exits on its HLT again: the wrapper must report just that.
    log("  note: Bochs 2.7 does not raise VM-instruction error 6 (VMRESUME after VMXOFF)\n");
    const exit_reason reason = last_exit_reason();
    check("vmx.vmresume_after_vmxoff_as_bochs_does",
          off.ok() && on.ok() && after_off.ok() && reason == exit_reason::hlt,
          "got %s exit_reason=%s", errname(after_off), vmx::to_string(reason));
  } else {
    check("vmx.vmresume_after_vmxoff_error_6",
          off.ok() && on.ok() && vmfail_valid(after_off, E::vmresume_after_vmxoff), "got %s",
          errname(after_off));
  }
}

void check_invept_invvpid() {
  // Only the capability MSRs that exist: EPT_VPID_CAP needs EPT or VPID
  // allowed in PROCBASED_CTLS2, which needs the secondary controls allowed.
  // (vmx.vmcs_setup fails if this read does: baremetal::vmx_setup_vmcs reads them too.)
  const vmx::capabilities_read read = vmx::read_capabilities();
  if (!read.ok()) log("  RDMSR %#x failed: %s\n", read.failed_msr, errname(read.error));
  const vmx::capabilities& caps = read.value;
  const bool has_invept =
      vmx::allows(caps.procbased_ctls2, vmx::proc2::enable_ept) &&
      vmx::invept_type_supported(caps.ept_vpid_cap,
                                 static_cast<unsigned>(vmx::invept_type::all_context));
  const bool has_invvpid =
      vmx::allows(caps.procbased_ctls2, vmx::proc2::enable_vpid) &&
      vmx::invvpid_type_supported(caps.ept_vpid_cap,
                                  static_cast<unsigned>(vmx::invvpid_type::all_context));
  if (has_invept) {
    const status all = vmx::invept(vmx::invept_type::all_context, {});
    check("vmx.invept_all_context", all.ok(), "got %s", errname(all));
    // Type 0 is not an INVEPT type: only a conversion can make one.
    const status bad = vmx::invept(static_cast<vmx::invept_type>(0), {});
    check("vmx.invept_invalid_type_error_28", vmfail_valid(bad, E::invept_invvpid_invalid_operand),
          "got %s", errname(bad));
  } else {
    log("  INVEPT not supported by this CPU model: skipped\n");
  }
  if (has_invvpid) {
    const status all = vmx::invvpid(vmx::invvpid_type::all_context, {});
    check("vmx.invvpid_all_context", all.ok(), "got %s", errname(all));
    const status bad = vmx::invvpid(vmx::invvpid_type::single_context, {.vpid = 0});
    check("vmx.invvpid_vpid_0_error_28", vmfail_valid(bad, E::invept_invvpid_invalid_operand),
          "got %s", errname(bad));
  } else {
    log("  INVVPID not supported by this CPU model: skipped\n");
  }
}

void check_vmxoff() {
  const status off = vmx::vmxoff();
  check("vmx.vmxoff", off.ok(), "got %s", errname(off));
  ring0::check_fault_policies(
      "vmx.vmread_after_vmxoff", insn::vmread, virtops::vector::ud,
      []<class P>() { return vmx::vmread<P>(vmcs::guest_rip::encoding).error(); });
  ring0::check_fault_policies("vmx.vmxoff_after_vmxoff", insn::vmxoff, virtops::vector::ud,
                              []<class P>() { return vmx::vmxoff<P>(); });
}

}  // namespace

void run_vmx_checks() {
  if (!((cpu::cpuid(1).ecx >> 5) & 1)) {
    check("vmx.cpuid_reports_vmx", false, "CPUID.1:ECX.VMX=0");
    return;
  }
  cpu::write_cr4(cpu::read_cr4() & ~vmx::cr4_vmxe);
  regions r{alloc_page(), alloc_page(), alloc_page(),
            alloc_page(), alloc_page(), vmx::revision_id(cpu::rdmsr(vmx::msr::basic))};
  write_revision(r.vmxon, r.revision);
  check_pre_vmx(r);
  enable_vmx();
  check_vmxon_and_pointers(r);
  check_vmread_vmwrite();
  check_events_at_vmread();
  check_vm_entry(r);
  check_invept_invvpid();
  check_vmxoff();
}
