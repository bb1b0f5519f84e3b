// The bring-up example of docs/vocabulary.md, compiled and run: the text
// between the "example" markers is what the document shows (checked by
// tests/docs/vocabulary_example.sh). In ring 3 its first RDMSR faults, so
// the test also sees the error path a hypervisor would take.
#include <cstdint>
#include <virtops/posix.hpp>
#include <virtops/virtops.hpp>
#include <virtops/vocabulary.hpp>

#include "virtops_catch.hpp"

// example: bring-up
namespace vmx = virtops::vmx;
namespace vmcs = virtops::vmcs;

enum class bring_up_error {
  ok,
  capability_read_failed,
  control_not_allowed,
  eptp_refused,
  vmwrite_failed
};

struct bring_up_result {
  bring_up_error error = bring_up_error::ok;
  std::uint32_t msr = 0;      // capability_read_failed: the MSR whose RDMSR faulted
  std::uint64_t missing = 0;  // control_not_allowed: the required bits the CPU lacks
};

// The execution, exit and entry controls and the EPTP of the current VMCS.
bring_up_result set_up_controls(std::uint64_t pml4_pa) {
  const vmx::capabilities_read read = vmx::read_capabilities();  // only MSRs that exist
  if (!read.ok()) return {bring_up_error::capability_read_failed, read.failed_msr, 0};
  const vmx::capabilities& caps = read.value;

  // Required bits first, then the ones the hypervisor can do without.
  const auto pin =
      vmx::adjust_controls(vmx::pin::external_interrupt_exiting | vmx::pin::nmi_exiting,
                           vmx::pin::virtual_nmis, caps.pinbased_ctls);
  const auto proc =
      vmx::adjust_controls(vmx::proc::hlt_exiting | vmx::proc::use_io_bitmaps |
                               vmx::proc::use_msr_bitmaps | vmx::proc::activate_secondary_controls,
                           0, caps.procbased_ctls);
  const auto proc2 = vmx::adjust_controls(vmx::proc2::enable_ept,
                                          vmx::proc2::enable_vpid | vmx::proc2::unrestricted_guest,
                                          caps.procbased_ctls2);
  const auto exit = vmx::adjust_controls(
      vmx::exit::host_address_space_size | vmx::exit::acknowledge_interrupt_on_exit,
      vmx::exit::save_ia32_efer | vmx::exit::load_ia32_efer, caps.exit_ctls);
  const auto entry = vmx::adjust_controls(vmx::entry::ia32e_mode_guest, vmx::entry::load_ia32_efer,
                                          caps.entry_ctls);
  for (const auto& c : {pin, proc, proc2, exit, entry})
    if (!c.ok()) return {bring_up_error::control_not_allowed, 0, c.missing()};

  const bool ad = (caps.ept_vpid_cap & vmx::ept_vpid_cap::accessed_dirty) != 0;
  const auto eptp = virtops::ept::make_eptp(pml4_pa, caps.ept_vpid_cap, {.accessed_dirty = ad});
  if (!eptp.ok()) return {bring_up_error::eptp_refused, 0, 0};

  const bool written =
      vmx::vmwrite<vmcs::pin_based_vm_execution_controls>(pin.value()).ok() &&
      vmx::vmwrite<vmcs::primary_processor_based_vm_execution_controls>(proc.value()).ok() &&
      vmx::vmwrite<vmcs::secondary_processor_based_vm_execution_controls>(proc2.value()).ok() &&
      vmx::vmwrite<vmcs::primary_vm_exit_controls>(exit.value()).ok() &&
      vmx::vmwrite<vmcs::vm_entry_controls>(entry.value()).ok() &&
      vmx::vmwrite<vmcs::ept_pointer>(eptp.value()).ok();
  return {written ? bring_up_error::ok : bring_up_error::vmwrite_failed, 0, 0};
}

// Before the next VM entry: the event whose delivery the exit interrupted
// goes in again.
bool reinject_interrupted_event() {
  const auto vectoring = vmx::vmread<vmcs::idt_vectoring_information>();
  const auto error_code = vmx::vmread<vmcs::idt_vectoring_error_code>();
  const auto length = vmx::vmread<vmcs::vm_exit_instruction_length>();
  if (!vectoring || !error_code || !length) return false;
  if (!vmx::decode_interruption_info(vectoring.value()).valid) return true;  // none
  const auto event = vmx::reinject(vectoring.value(), error_code.value(), length.value());
  if (!event.ok()) return false;  // event.error(): what VM entry would refuse
  const vmx::entry_event e = event.value();
  return vmx::vmwrite<vmcs::vm_entry_interruption_information>(e.interruption_information).ok() &&
         vmx::vmwrite<vmcs::vm_entry_exception_error_code>(e.error_code).ok() &&
         vmx::vmwrite<vmcs::vm_entry_instruction_length>(e.instruction_length).ok();
}
// end example

TEST_CASE("the documented bring-up: in ring 3 its first RDMSR faults, typed") {
  virtops::posix::trap_guard guard;
  const bring_up_result r = set_up_controls(0x1000);
  CHECK(r.error == bring_up_error::capability_read_failed);
  CHECK(r.msr == vmx::msr::basic);
  // Its VMREADs fault too (no VMX in ring 3): no success is claimed.
  CHECK_FALSE(reinject_interrupted_event());
}
