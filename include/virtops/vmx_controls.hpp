/// \file
/// virtops: the bits of the VMX control fields (Intel SDM Vol. 3C, 25.6.1,
/// 25.6.2, 25.7.1, 25.8.1; default settings: Vol. 3D, A.2), one per line.
///
///     using namespace virtops::vmx;
///     vmwrite<vmcs::primary_processor_based_vm_execution_controls>(
///         proc::hlt_exiting | proc::use_msr_bitmaps | proc::activate_secondary_controls);
///
/// The pin-based, primary processor-based, primary VM-exit and VM-entry
/// controls are 32 bits; the tertiary processor-based and secondary VM-exit
/// controls are 64 bits. Bits the SDM reserves have no name.
/// vmx_capabilities.hpp says which of them a CPU allows.
#pragma once

#include "detail/std.hpp"

namespace virtops::vmx {

/// Pin-based VM-execution controls (SDM Vol. 3C, 25.6.1).
namespace pin {
inline constexpr std::uint32_t external_interrupt_exiting = 1u << 0;
inline constexpr std::uint32_t nmi_exiting = 1u << 3;
inline constexpr std::uint32_t virtual_nmis = 1u << 5;
inline constexpr std::uint32_t activate_preemption_timer = 1u << 6;
inline constexpr std::uint32_t process_posted_interrupts = 1u << 7;
/// Reserved bits that are 1 in the default1 class (SDM A.2): bits 1, 2, 4.
inline constexpr std::uint32_t default1 = 0x00000016;
}  // namespace pin

/// Primary processor-based VM-execution controls (SDM Vol. 3C, 25.6.2).
namespace proc {
inline constexpr std::uint32_t interrupt_window_exiting = 1u << 2;
inline constexpr std::uint32_t use_tsc_offsetting = 1u << 3;
inline constexpr std::uint32_t hlt_exiting = 1u << 7;
inline constexpr std::uint32_t invlpg_exiting = 1u << 9;
inline constexpr std::uint32_t mwait_exiting = 1u << 10;
inline constexpr std::uint32_t rdpmc_exiting = 1u << 11;
inline constexpr std::uint32_t rdtsc_exiting = 1u << 12;
inline constexpr std::uint32_t cr3_load_exiting = 1u << 15;
inline constexpr std::uint32_t cr3_store_exiting = 1u << 16;
inline constexpr std::uint32_t activate_tertiary_controls = 1u << 17;
inline constexpr std::uint32_t cr8_load_exiting = 1u << 19;
inline constexpr std::uint32_t cr8_store_exiting = 1u << 20;
inline constexpr std::uint32_t use_tpr_shadow = 1u << 21;
inline constexpr std::uint32_t nmi_window_exiting = 1u << 22;
inline constexpr std::uint32_t mov_dr_exiting = 1u << 23;
inline constexpr std::uint32_t unconditional_io_exiting = 1u << 24;
inline constexpr std::uint32_t use_io_bitmaps = 1u << 25;
inline constexpr std::uint32_t monitor_trap_flag = 1u << 27;
inline constexpr std::uint32_t use_msr_bitmaps = 1u << 28;
inline constexpr std::uint32_t monitor_exiting = 1u << 29;
inline constexpr std::uint32_t pause_exiting = 1u << 30;
inline constexpr std::uint32_t activate_secondary_controls = 1u << 31;
/// Default1 (SDM A.2): bits 1, 4-6, 8, 13-16 and 26. Without the TRUE
/// capability MSRs, CR3-load and CR3-store exiting (15, 16) are among them.
inline constexpr std::uint32_t default1 = 0x0401e172;
}  // namespace proc

/// Secondary processor-based VM-execution controls (SDM Vol. 3C, 25.6.2); they
/// apply only with proc::activate_secondary_controls.
namespace proc2 {
inline constexpr std::uint32_t virtualize_apic_accesses = 1u << 0;
inline constexpr std::uint32_t enable_ept = 1u << 1;
inline constexpr std::uint32_t descriptor_table_exiting = 1u << 2;
inline constexpr std::uint32_t enable_rdtscp = 1u << 3;
inline constexpr std::uint32_t virtualize_x2apic_mode = 1u << 4;
inline constexpr std::uint32_t enable_vpid = 1u << 5;
inline constexpr std::uint32_t wbinvd_exiting = 1u << 6;
inline constexpr std::uint32_t unrestricted_guest = 1u << 7;
inline constexpr std::uint32_t apic_register_virtualization = 1u << 8;
inline constexpr std::uint32_t virtual_interrupt_delivery = 1u << 9;
inline constexpr std::uint32_t pause_loop_exiting = 1u << 10;
inline constexpr std::uint32_t rdrand_exiting = 1u << 11;
inline constexpr std::uint32_t enable_invpcid = 1u << 12;
inline constexpr std::uint32_t enable_vm_functions = 1u << 13;
inline constexpr std::uint32_t vmcs_shadowing = 1u << 14;
inline constexpr std::uint32_t enable_encls_exiting = 1u << 15;
inline constexpr std::uint32_t rdseed_exiting = 1u << 16;
inline constexpr std::uint32_t enable_pml = 1u << 17;
inline constexpr std::uint32_t ept_violation_ve = 1u << 18;
inline constexpr std::uint32_t conceal_vmx_from_pt = 1u << 19;
inline constexpr std::uint32_t enable_xsaves_xrstors = 1u << 20;
inline constexpr std::uint32_t pasid_translation = 1u << 21;
inline constexpr std::uint32_t mode_based_execute_control_for_ept = 1u << 22;
inline constexpr std::uint32_t subpage_write_permissions_for_ept = 1u << 23;
inline constexpr std::uint32_t pt_uses_guest_physical_addresses = 1u << 24;
inline constexpr std::uint32_t use_tsc_scaling = 1u << 25;
inline constexpr std::uint32_t enable_user_wait_and_pause = 1u << 26;
inline constexpr std::uint32_t enable_pconfig = 1u << 27;
inline constexpr std::uint32_t enable_enclv_exiting = 1u << 28;
inline constexpr std::uint32_t vmm_bus_lock_detection = 1u << 30;
inline constexpr std::uint32_t instruction_timeout = 1u << 31;
}  // namespace proc2

/// Tertiary processor-based VM-execution controls (SDM Vol. 3C, 25.6.2; 64 bits);
/// they apply only with proc::activate_tertiary_controls.
namespace proc3 {
inline constexpr std::uint64_t loadiwkey_exiting = std::uint64_t{1} << 0;
inline constexpr std::uint64_t enable_hlat = std::uint64_t{1} << 1;
inline constexpr std::uint64_t ept_paging_write_control = std::uint64_t{1} << 2;
inline constexpr std::uint64_t guest_paging_verification = std::uint64_t{1} << 3;
inline constexpr std::uint64_t ipi_virtualization = std::uint64_t{1} << 4;
inline constexpr std::uint64_t enable_msr_list_instructions = std::uint64_t{1} << 6;
inline constexpr std::uint64_t virtualize_ia32_spec_ctrl = std::uint64_t{1} << 7;
}  // namespace proc3

/// Primary VM-exit controls (SDM Vol. 3C, 25.7.1).
namespace exit {
inline constexpr std::uint32_t save_debug_controls = 1u << 2;
inline constexpr std::uint32_t host_address_space_size = 1u << 9;
inline constexpr std::uint32_t load_ia32_perf_global_ctrl = 1u << 12;
inline constexpr std::uint32_t acknowledge_interrupt_on_exit = 1u << 15;
inline constexpr std::uint32_t save_ia32_pat = 1u << 18;
inline constexpr std::uint32_t load_ia32_pat = 1u << 19;
inline constexpr std::uint32_t save_ia32_efer = 1u << 20;
inline constexpr std::uint32_t load_ia32_efer = 1u << 21;
inline constexpr std::uint32_t save_preemption_timer_value = 1u << 22;
inline constexpr std::uint32_t clear_ia32_bndcfgs = 1u << 23;
inline constexpr std::uint32_t conceal_vmx_from_pt = 1u << 24;
inline constexpr std::uint32_t clear_ia32_rtit_ctl = 1u << 25;
inline constexpr std::uint32_t clear_ia32_lbr_ctl = 1u << 26;
inline constexpr std::uint32_t clear_uinv = 1u << 27;
inline constexpr std::uint32_t load_cet_state = 1u << 28;
inline constexpr std::uint32_t load_pkrs = 1u << 29;
inline constexpr std::uint32_t save_ia32_perf_global_ctl = 1u << 30;
inline constexpr std::uint32_t activate_secondary_controls = 1u << 31;
/// Default1 (SDM A.4): bits 0-8, 10, 11, 13, 14, 16 and 17 (save debug
/// controls, bit 2, among them without the TRUE capability MSRs).
inline constexpr std::uint32_t default1 = 0x00036dff;
}  // namespace exit

/// Secondary VM-exit controls (SDM Vol. 3C, 25.7.1; 64 bits); they apply only
/// with exit::activate_secondary_controls.
namespace exit2 {
inline constexpr std::uint64_t save_ia32_fred = std::uint64_t{1} << 0;
inline constexpr std::uint64_t load_ia32_fred = std::uint64_t{1} << 1;
inline constexpr std::uint64_t load_ia32_spec_ctrl = std::uint64_t{1} << 2;
inline constexpr std::uint64_t prematurely_busy_shadow_stack = std::uint64_t{1} << 3;
}  // namespace exit2

/// VM-entry controls (SDM Vol. 3C, 25.8.1).
namespace entry {
inline constexpr std::uint32_t load_debug_controls = 1u << 2;
inline constexpr std::uint32_t ia32e_mode_guest = 1u << 9;
inline constexpr std::uint32_t entry_to_smm = 1u << 10;
inline constexpr std::uint32_t deactivate_dual_monitor_treatment = 1u << 11;
inline constexpr std::uint32_t load_ia32_perf_global_ctrl = 1u << 13;
inline constexpr std::uint32_t load_ia32_pat = 1u << 14;
inline constexpr std::uint32_t load_ia32_efer = 1u << 15;
inline constexpr std::uint32_t load_ia32_bndcfgs = 1u << 16;
inline constexpr std::uint32_t conceal_vmx_from_pt = 1u << 17;
inline constexpr std::uint32_t load_ia32_rtit_ctl = 1u << 18;
inline constexpr std::uint32_t load_uinv = 1u << 19;
inline constexpr std::uint32_t load_cet_state = 1u << 20;
inline constexpr std::uint32_t load_guest_ia32_lbr_ctl = 1u << 21;
inline constexpr std::uint32_t load_pkrs = 1u << 22;
inline constexpr std::uint32_t load_ia32_fred = 1u << 23;
inline constexpr std::uint32_t load_ia32_spec_ctrl = 1u << 24;
/// Default1 (SDM A.5): bits 0-8 and 12 (load debug controls, bit 2, among
/// them without the TRUE capability MSRs).
inline constexpr std::uint32_t default1 = 0x000011ff;
}  // namespace entry

/// VM-function controls (SDM Vol. 3C, 25.6.14; 64 bits): bit n enables VM function n.
namespace vmfunc {
inline constexpr std::uint64_t eptp_switching = std::uint64_t{1} << 0;
}  // namespace vmfunc

}  // namespace virtops::vmx
