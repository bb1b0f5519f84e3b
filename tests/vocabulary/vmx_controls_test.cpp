// vmx_controls.hpp: every named control bit at the SDM's position (Vol. 3C,
// 25.6.1, 25.6.2, 25.6.14, 25.7.1, 25.8.1), one bit each, distinct within
// its field, none of them a default1 (reserved) bit, and the default1 masks
// of Vol. 3D A.2-A.5.
#include <cstdint>
#include <vector>
#include <virtops/vmx_controls.hpp>

#include "virtops_catch.hpp"

namespace vmx = virtops::vmx;

namespace {

struct bit {
  const char* name;
  std::uint64_t value;
  unsigned sdm_position;
};
#define BIT(ns, name, position) \
  bit { #ns "::" #name, vmx::ns::name, position }

void check_field(const std::vector<bit>& bits, std::uint64_t default1 = 0) {
  std::uint64_t seen = 0;
  for (const bit& b : bits) {
    INFO(b.name);
    CHECK(b.value == std::uint64_t{1} << b.sdm_position);
    CHECK((seen & b.value) == 0);  // no two names for one bit
    CHECK((default1 & b.value) == 0);
    seen |= b.value;
  }
}

}  // namespace

TEST_CASE("pin-based controls at the SDM's bit positions") {
  check_field(
      {BIT(pin, external_interrupt_exiting, 0), BIT(pin, nmi_exiting, 3), BIT(pin, virtual_nmis, 5),
       BIT(pin, activate_preemption_timer, 6), BIT(pin, process_posted_interrupts, 7)},
      vmx::pin::default1);
  CHECK(vmx::pin::default1 == ((1u << 1) | (1u << 2) | (1u << 4)));
}

TEST_CASE("primary processor-based controls at the SDM's bit positions") {
  // Bits 15 and 16 are default1 without the TRUE MSRs and named: not checked
  // against default1 here but below.
  check_field({BIT(proc, interrupt_window_exiting, 2),
               BIT(proc, use_tsc_offsetting, 3),
               BIT(proc, hlt_exiting, 7),
               BIT(proc, invlpg_exiting, 9),
               BIT(proc, mwait_exiting, 10),
               BIT(proc, rdpmc_exiting, 11),
               BIT(proc, rdtsc_exiting, 12),
               BIT(proc, cr3_load_exiting, 15),
               BIT(proc, cr3_store_exiting, 16),
               BIT(proc, activate_tertiary_controls, 17),
               BIT(proc, cr8_load_exiting, 19),
               BIT(proc, cr8_store_exiting, 20),
               BIT(proc, use_tpr_shadow, 21),
               BIT(proc, nmi_window_exiting, 22),
               BIT(proc, mov_dr_exiting, 23),
               BIT(proc, unconditional_io_exiting, 24),
               BIT(proc, use_io_bitmaps, 25),
               BIT(proc, monitor_trap_flag, 27),
               BIT(proc, use_msr_bitmaps, 28),
               BIT(proc, monitor_exiting, 29),
               BIT(proc, pause_exiting, 30),
               BIT(proc, activate_secondary_controls, 31)},
              vmx::proc::default1 & ~(vmx::proc::cr3_load_exiting | vmx::proc::cr3_store_exiting));
  // SDM A.3.1: default1 bits 1, 4-6, 8, 13-16, 26.
  std::uint32_t d = 0;
  for (unsigned b : {1u, 4u, 5u, 6u, 8u, 13u, 14u, 15u, 16u, 26u}) d |= 1u << b;
  CHECK(vmx::proc::default1 == d);
}

TEST_CASE("secondary processor-based controls at the SDM's bit positions") {
  check_field({BIT(proc2, virtualize_apic_accesses, 0),
               BIT(proc2, enable_ept, 1),
               BIT(proc2, descriptor_table_exiting, 2),
               BIT(proc2, enable_rdtscp, 3),
               BIT(proc2, virtualize_x2apic_mode, 4),
               BIT(proc2, enable_vpid, 5),
               BIT(proc2, wbinvd_exiting, 6),
               BIT(proc2, unrestricted_guest, 7),
               BIT(proc2, apic_register_virtualization, 8),
               BIT(proc2, virtual_interrupt_delivery, 9),
               BIT(proc2, pause_loop_exiting, 10),
               BIT(proc2, rdrand_exiting, 11),
               BIT(proc2, enable_invpcid, 12),
               BIT(proc2, enable_vm_functions, 13),
               BIT(proc2, vmcs_shadowing, 14),
               BIT(proc2, enable_encls_exiting, 15),
               BIT(proc2, rdseed_exiting, 16),
               BIT(proc2, enable_pml, 17),
               BIT(proc2, ept_violation_ve, 18),
               BIT(proc2, conceal_vmx_from_pt, 19),
               BIT(proc2, enable_xsaves_xrstors, 20),
               BIT(proc2, pasid_translation, 21),
               BIT(proc2, mode_based_execute_control_for_ept, 22),
               BIT(proc2, subpage_write_permissions_for_ept, 23),
               BIT(proc2, pt_uses_guest_physical_addresses, 24),
               BIT(proc2, use_tsc_scaling, 25),
               BIT(proc2, enable_user_wait_and_pause, 26),
               BIT(proc2, enable_pconfig, 27),
               BIT(proc2, enable_enclv_exiting, 28),
               BIT(proc2, vmm_bus_lock_detection, 30),
               BIT(proc2, instruction_timeout, 31)});
}

TEST_CASE("tertiary processor-based controls are 64-bit, at the SDM's positions") {
  STATIC_REQUIRE(sizeof(vmx::proc3::ipi_virtualization) == 8);
  check_field({BIT(proc3, loadiwkey_exiting, 0), BIT(proc3, enable_hlat, 1),
               BIT(proc3, ept_paging_write_control, 2), BIT(proc3, guest_paging_verification, 3),
               BIT(proc3, ipi_virtualization, 4), BIT(proc3, enable_msr_list_instructions, 6),
               BIT(proc3, virtualize_ia32_spec_ctrl, 7)});
}

TEST_CASE("primary VM-exit controls at the SDM's bit positions") {
  check_field(
      {BIT(exit, save_debug_controls, 2), BIT(exit, host_address_space_size, 9),
       BIT(exit, load_ia32_perf_global_ctrl, 12), BIT(exit, acknowledge_interrupt_on_exit, 15),
       BIT(exit, save_ia32_pat, 18), BIT(exit, load_ia32_pat, 19), BIT(exit, save_ia32_efer, 20),
       BIT(exit, load_ia32_efer, 21), BIT(exit, save_preemption_timer_value, 22),
       BIT(exit, clear_ia32_bndcfgs, 23), BIT(exit, conceal_vmx_from_pt, 24),
       BIT(exit, clear_ia32_rtit_ctl, 25), BIT(exit, clear_ia32_lbr_ctl, 26),
       BIT(exit, clear_uinv, 27), BIT(exit, load_cet_state, 28), BIT(exit, load_pkrs, 29),
       BIT(exit, save_ia32_perf_global_ctl, 30), BIT(exit, activate_secondary_controls, 31)},
      vmx::exit::default1 & ~vmx::exit::save_debug_controls);
  // SDM A.4.1: default1 bits 0-8, 10, 11, 13, 14, 16, 17.
  std::uint32_t d = 0x1ff;
  for (unsigned b : {10u, 11u, 13u, 14u, 16u, 17u}) d |= 1u << b;
  CHECK(vmx::exit::default1 == d);
}

TEST_CASE("secondary VM-exit controls are 64-bit, at the SDM's positions") {
  STATIC_REQUIRE(sizeof(vmx::exit2::save_ia32_fred) == 8);
  check_field({BIT(exit2, save_ia32_fred, 0), BIT(exit2, load_ia32_fred, 1),
               BIT(exit2, load_ia32_spec_ctrl, 2), BIT(exit2, prematurely_busy_shadow_stack, 3)});
}

TEST_CASE("VM-entry controls at the SDM's bit positions") {
  check_field({BIT(entry, load_debug_controls, 2), BIT(entry, ia32e_mode_guest, 9),
               BIT(entry, entry_to_smm, 10), BIT(entry, deactivate_dual_monitor_treatment, 11),
               BIT(entry, load_ia32_perf_global_ctrl, 13), BIT(entry, load_ia32_pat, 14),
               BIT(entry, load_ia32_efer, 15), BIT(entry, load_ia32_bndcfgs, 16),
               BIT(entry, conceal_vmx_from_pt, 17), BIT(entry, load_ia32_rtit_ctl, 18),
               BIT(entry, load_uinv, 19), BIT(entry, load_cet_state, 20),
               BIT(entry, load_guest_ia32_lbr_ctl, 21), BIT(entry, load_pkrs, 22),
               BIT(entry, load_ia32_fred, 23), BIT(entry, load_ia32_spec_ctrl, 24)},
              vmx::entry::default1 & ~vmx::entry::load_debug_controls);
  // SDM A.5: default1 bits 0-8 and 12.
  CHECK(vmx::entry::default1 == (0x1ffu | (1u << 12)));
}

TEST_CASE("VM-function controls: EPTP switching is function 0") {
  check_field({BIT(vmfunc, eptp_switching, 0)});
}

// Usable in constant expressions, as control values are built.
static_assert((vmx::proc::hlt_exiting | vmx::proc::activate_secondary_controls) == 0x80000080u);
