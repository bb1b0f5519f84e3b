// The constants' and layout's audit: virtops' MSR numbers, MSR bits,
// VMCB intercept bits, #VMEXIT range bases and VMCB field offsets against
// Linux's, Bochs' and Xen's numbers. Numbers and the peers' identifiers only,
// written from (no code or text copied):
//   Linux  arch/x86/include/asm/msr-index.h; arch/x86/include/asm/svm.h
//          (enum intercept_words and the INTERCEPT_* bit numbers, struct
//          vmcb_control_area, struct vmcb_save_area) as in the mirror
//          Kingxukai/linux at 9b44fff655e2; arch/x86/include/uapi/asm/svm.h
//   Bochs  bochs-emu/Bochs 783b58fd6d9b: bochs/cpu/msr.h, bochs/cpu/svm.h,
//          bochs/cpu/crregs.h
//   Xen    xen-project/xen c447b7308b13: xen/arch/x86/include/asm/msr-index.h,
//          xen/arch/x86/hvm/svm/vmcb.h (struct vmcb_struct; its offsets are
//          those of its declared members)
// Unlike enum_audit.cpp this names virtops' constants and members, so it
// does not build against a virtops that lacks one (that is the failure).
#include <cstddef>
#include <utility>
#include <virtops/vmcb.hpp>
#include <virtops/vmx_capabilities.hpp>

#include "audit.hpp"

namespace vmx = virtops::vmx;
namespace vmcb = virtops::vmcb;

namespace {

// ---------------------------------------------------------------------------
// Named constants: each peer row maps the peer's number to a virtops
// constant (compared by value); each virtops constant must be some peer's
// row, or be listed with the reason no peer has it.

using audit::check_constants;
using audit::constant;
using audit::ours_constant;
using audit::sole_constant;

#define K(who, peer_name, value, ours)                                                          \
  constant {                                                                                    \
    who, peer_name, static_cast<std::uint64_t>(value), #ours, static_cast<std::uint64_t>(ours), \
        nullptr                                                                                 \
  }
#define K_OMIT(who, peer_name, value, why) \
  constant { who, peer_name, static_cast<std::uint64_t>(value), nullptr, 0, why }
#define OURS(x) \
  ours_constant { #x, static_cast < std::uint64_t>(x) }

// The peers number intercept bits differently; all become (word offset << 32) | mask.
constexpr std::uint64_t word(unsigned offset, std::uint32_t mask) {
  return (std::uint64_t{offset} << 32) | mask;
}
// Linux: bit index over the six 32-bit words from offset 0 (INTERCEPT_VMRUN = 128).
constexpr std::uint64_t linux_bit(unsigned index) {
  return word(index / 32 * 4, std::uint32_t{1} << (index % 32));
}
// Bochs: bit index over the words from offset 0x0C (SVM_INTERCEPT1_VMRUN = 32).
constexpr std::uint64_t bochs_bit(unsigned index) {
  return word(0x0C + index / 32 * 4, std::uint32_t{1} << (index % 32));
}
#define M1(x) word(0x0C, vmcb::intercept_misc1::x)
#define M2(x) word(0x10, vmcb::intercept_misc2::x)
#define M3(x) word(0x14, vmcb::intercept_misc3::x)
#define K1(who, peer_name, value, x) \
  constant { who, peer_name, value, "intercept_misc1::" #x, M1(x), nullptr }
#define K2(who, peer_name, value, x) \
  constant { who, peer_name, value, "intercept_misc2::" #x, M2(x), nullptr }
#define K3(who, peer_name, value, x) \
  constant { who, peer_name, value, "intercept_misc3::" #x, M3(x), nullptr }
#define OURS1(x) \
  ours_constant { "intercept_misc1::" #x, M1(x) }
#define OURS2(x) \
  ours_constant { "intercept_misc2::" #x, M2(x) }
#define OURS3(x) \
  ours_constant { "intercept_misc3::" #x, M3(x) }

constexpr const char* kBitmapWords =
    "intercept words 0-2 (0x000-0x00B) are bitmaps indexed by CR, DR or vector number; "
    "virtops names no bits there";

void msrs() {
  check_constants(
      "VMX capability MSRs",
      {
          K("Linux", "MSR_IA32_FEAT_CTL", 0x03a, vmx::msr::feature_control),
          K("Linux", "MSR_IA32_VMX_BASIC", 0x480, vmx::msr::basic),
          K("Linux", "MSR_IA32_VMX_PINBASED_CTLS", 0x481, vmx::msr::pinbased_ctls),
          K("Linux", "MSR_IA32_VMX_PROCBASED_CTLS", 0x482, vmx::msr::procbased_ctls),
          K("Linux", "MSR_IA32_VMX_EXIT_CTLS", 0x483, vmx::msr::exit_ctls),
          K("Linux", "MSR_IA32_VMX_ENTRY_CTLS", 0x484, vmx::msr::entry_ctls),
          K("Linux", "MSR_IA32_VMX_MISC", 0x485, vmx::msr::misc),
          K("Linux", "MSR_IA32_VMX_CR0_FIXED0", 0x486, vmx::msr::cr0_fixed0),
          K("Linux", "MSR_IA32_VMX_CR0_FIXED1", 0x487, vmx::msr::cr0_fixed1),
          K("Linux", "MSR_IA32_VMX_CR4_FIXED0", 0x488, vmx::msr::cr4_fixed0),
          K("Linux", "MSR_IA32_VMX_CR4_FIXED1", 0x489, vmx::msr::cr4_fixed1),
          K("Linux", "MSR_IA32_VMX_VMCS_ENUM", 0x48a, vmx::msr::vmcs_enum),
          K("Linux", "MSR_IA32_VMX_PROCBASED_CTLS2", 0x48b, vmx::msr::procbased_ctls2),
          K("Linux", "MSR_IA32_VMX_EPT_VPID_CAP", 0x48c, vmx::msr::ept_vpid_cap),
          K("Linux", "MSR_IA32_VMX_TRUE_PINBASED_CTLS", 0x48d, vmx::msr::true_pinbased_ctls),
          K("Linux", "MSR_IA32_VMX_TRUE_PROCBASED_CTLS", 0x48e, vmx::msr::true_procbased_ctls),
          K("Linux", "MSR_IA32_VMX_TRUE_EXIT_CTLS", 0x48f, vmx::msr::true_exit_ctls),
          K("Linux", "MSR_IA32_VMX_TRUE_ENTRY_CTLS", 0x490, vmx::msr::true_entry_ctls),
          K("Linux", "MSR_IA32_VMX_VMFUNC", 0x491, vmx::msr::vmfunc),
          K("Linux", "MSR_IA32_VMX_PROCBASED_CTLS3", 0x492, vmx::msr::procbased_ctls3),
          K("Bochs", "BX_MSR_IA32_FEATURE_CONTROL", 0x03A, vmx::msr::feature_control),
          K("Bochs", "BX_MSR_VMX_BASIC", 0x480, vmx::msr::basic),
          K("Bochs", "BX_MSR_VMX_PINBASED_CTRLS", 0x481, vmx::msr::pinbased_ctls),
          K("Bochs", "BX_MSR_VMX_PROCBASED_CTRLS", 0x482, vmx::msr::procbased_ctls),
          K("Bochs", "BX_MSR_VMX_VMEXIT_CTRLS", 0x483, vmx::msr::exit_ctls),
          K("Bochs", "BX_MSR_VMX_VMENTRY_CTRLS", 0x484, vmx::msr::entry_ctls),
          K("Bochs", "BX_MSR_VMX_MISC", 0x485, vmx::msr::misc),
          K("Bochs", "BX_MSR_VMX_CR0_FIXED0", 0x486, vmx::msr::cr0_fixed0),
          K("Bochs", "BX_MSR_VMX_CR0_FIXED1", 0x487, vmx::msr::cr0_fixed1),
          K("Bochs", "BX_MSR_VMX_CR4_FIXED0", 0x488, vmx::msr::cr4_fixed0),
          K("Bochs", "BX_MSR_VMX_CR4_FIXED1", 0x489, vmx::msr::cr4_fixed1),
          K("Bochs", "BX_MSR_VMX_VMCS_ENUM", 0x48a, vmx::msr::vmcs_enum),
          K("Bochs", "BX_MSR_VMX_PROCBASED_CTRLS2", 0x48b, vmx::msr::procbased_ctls2),
          K("Bochs", "BX_MSR_VMX_EPT_VPID_CAP", 0x48c, vmx::msr::ept_vpid_cap),
          K("Bochs", "BX_MSR_VMX_TRUE_PINBASED_CTRLS", 0x48d, vmx::msr::true_pinbased_ctls),
          K("Bochs", "BX_MSR_VMX_TRUE_PROCBASED_CTRLS", 0x48e, vmx::msr::true_procbased_ctls),
          K("Bochs", "BX_MSR_VMX_TRUE_VMEXIT_CTRLS", 0x48f, vmx::msr::true_exit_ctls),
          K("Bochs", "BX_MSR_VMX_TRUE_VMENTRY_CTRLS", 0x490, vmx::msr::true_entry_ctls),
          K("Bochs", "BX_MSR_VMX_VMFUNC", 0x491, vmx::msr::vmfunc),
          K("Bochs", "BX_MSR_VMX_PROCBASED_CTRLS3", 0x492, vmx::msr::procbased_ctls3),
          K("Bochs", "BX_MSR_VMX_VMEXIT_CTRLS2", 0x493, vmx::msr::exit_ctls2),
          K("Xen", "MSR_IA32_FEATURE_CONTROL", 0x0000003a, vmx::msr::feature_control),
          K("Xen", "MSR_IA32_VMX_BASIC", 0x480, vmx::msr::basic),
          K("Xen", "MSR_IA32_VMX_PINBASED_CTLS", 0x481, vmx::msr::pinbased_ctls),
          K("Xen", "MSR_IA32_VMX_PROCBASED_CTLS", 0x482, vmx::msr::procbased_ctls),
          K("Xen", "MSR_IA32_VMX_EXIT_CTLS", 0x483, vmx::msr::exit_ctls),
          K("Xen", "MSR_IA32_VMX_ENTRY_CTLS", 0x484, vmx::msr::entry_ctls),
          K("Xen", "MSR_IA32_VMX_MISC", 0x485, vmx::msr::misc),
          K("Xen", "MSR_IA32_VMX_CR0_FIXED0", 0x486, vmx::msr::cr0_fixed0),
          K("Xen", "MSR_IA32_VMX_CR0_FIXED1", 0x487, vmx::msr::cr0_fixed1),
          K("Xen", "MSR_IA32_VMX_CR4_FIXED0", 0x488, vmx::msr::cr4_fixed0),
          K("Xen", "MSR_IA32_VMX_CR4_FIXED1", 0x489, vmx::msr::cr4_fixed1),
          K("Xen", "MSR_IA32_VMX_VMCS_ENUM", 0x48a, vmx::msr::vmcs_enum),
          K("Xen", "MSR_IA32_VMX_PROCBASED_CTLS2", 0x48b, vmx::msr::procbased_ctls2),
          K("Xen", "MSR_IA32_VMX_EPT_VPID_CAP", 0x48c, vmx::msr::ept_vpid_cap),
          K("Xen", "MSR_IA32_VMX_TRUE_PINBASED_CTLS", 0x48d, vmx::msr::true_pinbased_ctls),
          K("Xen", "MSR_IA32_VMX_TRUE_PROCBASED_CTLS", 0x48e, vmx::msr::true_procbased_ctls),
          K("Xen", "MSR_IA32_VMX_TRUE_EXIT_CTLS", 0x48f, vmx::msr::true_exit_ctls),
          K("Xen", "MSR_IA32_VMX_TRUE_ENTRY_CTLS", 0x490, vmx::msr::true_entry_ctls),
          K("Xen", "MSR_IA32_VMX_VMFUNC", 0x491, vmx::msr::vmfunc),
          K("Xen", "MSR_IA32_VMX_PROCBASED_CTLS3", 0x492, vmx::msr::procbased_ctls3),
      },
      {OURS(vmx::msr::feature_control),
       OURS(vmx::msr::basic),
       OURS(vmx::msr::pinbased_ctls),
       OURS(vmx::msr::procbased_ctls),
       OURS(vmx::msr::exit_ctls),
       OURS(vmx::msr::entry_ctls),
       OURS(vmx::msr::misc),
       OURS(vmx::msr::cr0_fixed0),
       OURS(vmx::msr::cr0_fixed1),
       OURS(vmx::msr::cr4_fixed0),
       OURS(vmx::msr::cr4_fixed1),
       OURS(vmx::msr::vmcs_enum),
       OURS(vmx::msr::procbased_ctls2),
       OURS(vmx::msr::ept_vpid_cap),
       OURS(vmx::msr::true_pinbased_ctls),
       OURS(vmx::msr::true_procbased_ctls),
       OURS(vmx::msr::true_exit_ctls),
       OURS(vmx::msr::true_entry_ctls),
       OURS(vmx::msr::vmfunc),
       OURS(vmx::msr::procbased_ctls3),
       OURS(vmx::msr::exit_ctls2)});

  check_constants(
      "IA32_FEATURE_CONTROL bits",
      {
          K("Bochs", "BX_IA32_FEATURE_CONTROL_LOCK_BIT", 0x1, vmx::feature_control::lock),
          K("Bochs", "BX_IA32_FEATURE_CONTROL_VMX_ENABLE_BIT", 0x4,
            vmx::feature_control::vmx_outside_smx),
          K("Xen", "IA32_FEATURE_CONTROL_LOCK", 0x0001, vmx::feature_control::lock),
          K("Xen", "IA32_FEATURE_CONTROL_ENABLE_VMXON_INSIDE_SMX", 0x0002,
            vmx::feature_control::vmx_inside_smx),
          K("Xen", "IA32_FEATURE_CONTROL_ENABLE_VMXON_OUTSIDE_SMX", 0x0004,
            vmx::feature_control::vmx_outside_smx),
          K_OMIT("Xen", "IA32_FEATURE_CONTROL_SENTER_PARAM_CTL", 0x7f00,
                 "SMX (GETSEC[SENTER]), not VMX"),
          K_OMIT("Xen", "IA32_FEATURE_CONTROL_ENABLE_SENTER", 0x8000,
                 "SMX (GETSEC[SENTER]), not VMX"),
          K_OMIT("Xen", "IA32_FEATURE_CONTROL_SGX_ENABLE", 0x40000, "SGX, not VMX"),
          K_OMIT("Xen", "IA32_FEATURE_CONTROL_LMCE_ON", 0x100000, "local machine checks, not VMX"),
      },
      {OURS(vmx::feature_control::lock), OURS(vmx::feature_control::vmx_inside_smx),
       OURS(vmx::feature_control::vmx_outside_smx)});

  check_constants("SVM MSRs",
                  {
                      K("Linux", "MSR_EFER", 0xc0000080, vmcb::msr::efer),
                      K("Linux", "MSR_VM_CR", 0xc0010114, vmcb::msr::vm_cr),
                      K("Linux", "MSR_VM_IGNNE", 0xc0010115, vmcb::msr::ignne),
                      K("Linux", "MSR_VM_HSAVE_PA", 0xc0010117, vmcb::msr::vm_hsave_pa),
                      K("Bochs", "BX_MSR_EFER", 0xc0000080, vmcb::msr::efer),
                      K("Bochs", "BX_SVM_VM_CR_MSR", 0xc0010114, vmcb::msr::vm_cr),
                      K("Bochs", "BX_SVM_IGNNE_MSR", 0xc0010115, vmcb::msr::ignne),
                      K("Bochs", "BX_SVM_SMM_CTL_MSR", 0xc0010116, vmcb::msr::smm_ctl),
                      K("Bochs", "BX_SVM_HSAVE_PA_MSR", 0xc0010117, vmcb::msr::vm_hsave_pa),
                      K("Xen", "MSR_EFER", 0xc0000080, vmcb::msr::efer),
                      K("Xen", "MSR_K8_VM_CR", 0xc0010114, vmcb::msr::vm_cr),
                      K("Xen", "MSR_K8_VM_HSAVE_PA", 0xc0010117, vmcb::msr::vm_hsave_pa),
                  },
                  {OURS(vmcb::msr::efer), OURS(vmcb::msr::vm_cr), OURS(vmcb::msr::ignne),
                   OURS(vmcb::msr::smm_ctl), OURS(vmcb::msr::vm_hsave_pa)});

  check_constants(
      "EFER and VM_CR bits",
      {
          K("Linux", "EFER_SVME (1 << _EFER_SVME)", std::uint64_t{1} << 12, vmcb::efer::svme),
          K("Linux", "SVM_VM_CR_SVM_LOCK_MASK", 0x0008, vmcb::vm_cr::lock),
          K("Linux", "SVM_VM_CR_SVM_DIS_MASK", 0x0010, vmcb::vm_cr::svmdis),
          K_OMIT("Linux", "SVM_VM_CR_VALID_MASK", 0x001f, "the five bits together, not a bit"),
          K("Bochs", "BX_EFER_SVME_MASK", 1 << 12, vmcb::efer::svme),
          K("Bochs", "BX_VM_CR_MSR_DPD_MASK", 1 << 0, vmcb::vm_cr::dpd),
          K("Bochs", "BX_VM_CR_MSR_INIT_REDIRECT_MASK", 1 << 1, vmcb::vm_cr::r_init),
          K("Bochs", "BX_VM_CR_MSR_DIS_A20M_MASK", 1 << 2, vmcb::vm_cr::dis_a20m),
          K("Bochs", "BX_VM_CR_MSR_LOCK_MASK", 1 << 3, vmcb::vm_cr::lock),
          K("Bochs", "BX_VM_CR_MSR_SVMDIS_MASK", 1 << 4, vmcb::vm_cr::svmdis),
          K("Xen", "EFER_SVME", std::uint64_t{1} << 12, vmcb::efer::svme),
          K("Xen", "VM_CR_INIT_REDIRECTION", std::uint64_t{1} << 1, vmcb::vm_cr::r_init),
          K("Xen", "VM_CR_SVM_DISABLE", std::uint64_t{1} << 4, vmcb::vm_cr::svmdis),
      },
      // EFER and VM_CR are different registers: one list each would be
      // cleaner, but no two of these share a value either.
      {OURS(vmcb::efer::svme), OURS(vmcb::vm_cr::dpd), OURS(vmcb::vm_cr::r_init),
       OURS(vmcb::vm_cr::dis_a20m), OURS(vmcb::vm_cr::lock), OURS(vmcb::vm_cr::svmdis)});
}

void intercepts() {
  std::vector<constant> rows = {
      // Linux: enum of bit indexes over intercepts[0..5].
      K_OMIT("Linux", "INTERCEPT_CR0_READ..INTERCEPT_CR8_WRITE", linux_bit(0), kBitmapWords),
      K_OMIT("Linux", "INTERCEPT_DR0_READ..INTERCEPT_DR7_WRITE", linux_bit(32), kBitmapWords),
      K_OMIT("Linux", "INTERCEPT_EXCEPTION_OFFSET", linux_bit(64), kBitmapWords),
      K1("Linux", "INTERCEPT_INTR", linux_bit(96), intr),
      K1("Linux", "INTERCEPT_NMI", linux_bit(97), nmi),
      K1("Linux", "INTERCEPT_SMI", linux_bit(98), smi),
      K1("Linux", "INTERCEPT_INIT", linux_bit(99), init),
      K1("Linux", "INTERCEPT_VINTR", linux_bit(100), vintr),
      K1("Linux", "INTERCEPT_SELECTIVE_CR0", linux_bit(101), cr0_sel_write),
      K1("Linux", "INTERCEPT_STORE_IDTR", linux_bit(102), read_idtr),
      K1("Linux", "INTERCEPT_STORE_GDTR", linux_bit(103), read_gdtr),
      K1("Linux", "INTERCEPT_STORE_LDTR", linux_bit(104), read_ldtr),
      K1("Linux", "INTERCEPT_STORE_TR", linux_bit(105), read_tr),
      K1("Linux", "INTERCEPT_LOAD_IDTR", linux_bit(106), write_idtr),
      K1("Linux", "INTERCEPT_LOAD_GDTR", linux_bit(107), write_gdtr),
      K1("Linux", "INTERCEPT_LOAD_LDTR", linux_bit(108), write_ldtr),
      K1("Linux", "INTERCEPT_LOAD_TR", linux_bit(109), write_tr),
      K1("Linux", "INTERCEPT_RDTSC", linux_bit(110), rdtsc),
      K1("Linux", "INTERCEPT_RDPMC", linux_bit(111), rdpmc),
      K1("Linux", "INTERCEPT_PUSHF", linux_bit(112), pushf),
      K1("Linux", "INTERCEPT_POPF", linux_bit(113), popf),
      K1("Linux", "INTERCEPT_CPUID", linux_bit(114), cpuid),
      K1("Linux", "INTERCEPT_RSM", linux_bit(115), rsm),
      K1("Linux", "INTERCEPT_IRET", linux_bit(116), iret),
      K1("Linux", "INTERCEPT_INTn", linux_bit(117), intn),
      K1("Linux", "INTERCEPT_INVD", linux_bit(118), invd),
      K1("Linux", "INTERCEPT_PAUSE", linux_bit(119), pause),
      K1("Linux", "INTERCEPT_HLT", linux_bit(120), hlt),
      K1("Linux", "INTERCEPT_INVLPG", linux_bit(121), invlpg),
      K1("Linux", "INTERCEPT_INVLPGA", linux_bit(122), invlpga),
      K1("Linux", "INTERCEPT_IOIO_PROT", linux_bit(123), ioio_prot),
      K1("Linux", "INTERCEPT_MSR_PROT", linux_bit(124), msr_prot),
      K1("Linux", "INTERCEPT_TASK_SWITCH", linux_bit(125), task_switch),
      K1("Linux", "INTERCEPT_FERR_FREEZE", linux_bit(126), ferr_freeze),
      K1("Linux", "INTERCEPT_SHUTDOWN", linux_bit(127), shutdown),
      K2("Linux", "INTERCEPT_VMRUN", linux_bit(128), vmrun),
      K2("Linux", "INTERCEPT_VMMCALL", linux_bit(129), vmmcall),
      K2("Linux", "INTERCEPT_VMLOAD", linux_bit(130), vmload),
      K2("Linux", "INTERCEPT_VMSAVE", linux_bit(131), vmsave),
      K2("Linux", "INTERCEPT_STGI", linux_bit(132), stgi),
      K2("Linux", "INTERCEPT_CLGI", linux_bit(133), clgi),
      K2("Linux", "INTERCEPT_SKINIT", linux_bit(134), skinit),
      K2("Linux", "INTERCEPT_RDTSCP", linux_bit(135), rdtscp),
      K2("Linux", "INTERCEPT_ICEBP", linux_bit(136), icebp),
      K2("Linux", "INTERCEPT_WBINVD", linux_bit(137), wbinvd),
      K2("Linux", "INTERCEPT_MONITOR", linux_bit(138), monitor),
      K2("Linux", "INTERCEPT_MWAIT", linux_bit(139), mwait),
      K2("Linux", "INTERCEPT_MWAIT_COND", linux_bit(140), mwait_conditional),
      K2("Linux", "INTERCEPT_XSETBV", linux_bit(141), xsetbv),
      K2("Linux", "INTERCEPT_RDPRU", linux_bit(142), rdpru),
      K2("Linux", "TRAP_EFER_WRITE", linux_bit(143), efer_write_trap),
      K2("Linux", "TRAP_CR0_WRITE", linux_bit(144), cr0_write_trap),
      K2("Linux", "TRAP_CR1_WRITE", linux_bit(145), cr1_write_trap),
      K2("Linux", "TRAP_CR2_WRITE", linux_bit(146), cr2_write_trap),
      K2("Linux", "TRAP_CR3_WRITE", linux_bit(147), cr3_write_trap),
      K2("Linux", "TRAP_CR4_WRITE", linux_bit(148), cr4_write_trap),
      K2("Linux", "TRAP_CR5_WRITE", linux_bit(149), cr5_write_trap),
      K2("Linux", "TRAP_CR6_WRITE", linux_bit(150), cr6_write_trap),
      K2("Linux", "TRAP_CR7_WRITE", linux_bit(151), cr7_write_trap),
      K2("Linux", "TRAP_CR8_WRITE", linux_bit(152), cr8_write_trap),
      K3("Linux", "INTERCEPT_INVLPGB", linux_bit(160), invlpgb),
      K3("Linux", "INTERCEPT_INVLPGB_ILLEGAL", linux_bit(161), invlpgb_illegal),
      K3("Linux", "INTERCEPT_INVPCID", linux_bit(162), invpcid),
      K3("Linux", "INTERCEPT_MCOMMIT", linux_bit(163), mcommit),
      K3("Linux", "INTERCEPT_TLBSYNC", linux_bit(164), tlbsync),
      K3("Linux", "INTERCEPT_BUSLOCK", linux_bit(165), bus_lock),
      K3("Linux", "INTERCEPT_IDLE_HLT", linux_bit(166), idle_hlt),
      // Bochs: bit indexes from the word at 0x0C.
      K1("Bochs", "SVM_INTERCEPT0_INTR", bochs_bit(0), intr),
      K1("Bochs", "SVM_INTERCEPT0_NMI", bochs_bit(1), nmi),
      K1("Bochs", "SVM_INTERCEPT0_SMI", bochs_bit(2), smi),
      K1("Bochs", "SVM_INTERCEPT0_INIT", bochs_bit(3), init),
      K1("Bochs", "SVM_INTERCEPT0_VINTR", bochs_bit(4), vintr),
      K1("Bochs", "SVM_INTERCEPT0_CR0_WRITE_NO_TS_MP", bochs_bit(5), cr0_sel_write),
      K1("Bochs", "SVM_INTERCEPT0_IDTR_READ", bochs_bit(6), read_idtr),
      K1("Bochs", "SVM_INTERCEPT0_GDTR_READ", bochs_bit(7), read_gdtr),
      K1("Bochs", "SVM_INTERCEPT0_LDTR_READ", bochs_bit(8), read_ldtr),
      K1("Bochs", "SVM_INTERCEPT0_TR_READ", bochs_bit(9), read_tr),
      K1("Bochs", "SVM_INTERCEPT0_IDTR_WRITE", bochs_bit(10), write_idtr),
      K1("Bochs", "SVM_INTERCEPT0_GDTR_WRITE", bochs_bit(11), write_gdtr),
      K1("Bochs", "SVM_INTERCEPT0_LDTR_WRITE", bochs_bit(12), write_ldtr),
      K1("Bochs", "SVM_INTERCEPT0_TR_WRITE", bochs_bit(13), write_tr),
      K1("Bochs", "SVM_INTERCEPT0_RDTSC", bochs_bit(14), rdtsc),
      K1("Bochs", "SVM_INTERCEPT0_RDPMC", bochs_bit(15), rdpmc),
      K1("Bochs", "SVM_INTERCEPT0_PUSHF", bochs_bit(16), pushf),
      K1("Bochs", "SVM_INTERCEPT0_POPF", bochs_bit(17), popf),
      K1("Bochs", "SVM_INTERCEPT0_CPUID", bochs_bit(18), cpuid),
      K1("Bochs", "SVM_INTERCEPT0_RSM", bochs_bit(19), rsm),
      K1("Bochs", "SVM_INTERCEPT0_IRET", bochs_bit(20), iret),
      K1("Bochs", "SVM_INTERCEPT0_SOFTINT", bochs_bit(21), intn),
      K1("Bochs", "SVM_INTERCEPT0_INVD", bochs_bit(22), invd),
      K1("Bochs", "SVM_INTERCEPT0_PAUSE", bochs_bit(23), pause),
      K1("Bochs", "SVM_INTERCEPT0_HLT", bochs_bit(24), hlt),
      K1("Bochs", "SVM_INTERCEPT0_INVLPG", bochs_bit(25), invlpg),
      K1("Bochs", "SVM_INTERCEPT0_INVLPGA", bochs_bit(26), invlpga),
      K1("Bochs", "SVM_INTERCEPT0_IO", bochs_bit(27), ioio_prot),
      K1("Bochs", "SVM_INTERCEPT0_MSR", bochs_bit(28), msr_prot),
      K1("Bochs", "SVM_INTERCEPT0_TASK_SWITCH", bochs_bit(29), task_switch),
      K1("Bochs", "SVM_INTERCEPT0_FERR_FREEZE", bochs_bit(30), ferr_freeze),
      K1("Bochs", "SVM_INTERCEPT0_SHUTDOWN", bochs_bit(31), shutdown),
      K2("Bochs", "SVM_INTERCEPT1_VMRUN", bochs_bit(32), vmrun),
      K2("Bochs", "SVM_INTERCEPT1_VMMCALL", bochs_bit(33), vmmcall),
      K2("Bochs", "SVM_INTERCEPT1_VMLOAD", bochs_bit(34), vmload),
      K2("Bochs", "SVM_INTERCEPT1_VMSAVE", bochs_bit(35), vmsave),
      K2("Bochs", "SVM_INTERCEPT1_STGI", bochs_bit(36), stgi),
      K2("Bochs", "SVM_INTERCEPT1_CLGI", bochs_bit(37), clgi),
      K2("Bochs", "SVM_INTERCEPT1_SKINIT", bochs_bit(38), skinit),
      K2("Bochs", "SVM_INTERCEPT1_RDTSCP", bochs_bit(39), rdtscp),
      K2("Bochs", "SVM_INTERCEPT1_ICEBP", bochs_bit(40), icebp),
      K2("Bochs", "SVM_INTERCEPT1_WBINVD", bochs_bit(41), wbinvd),
      K2("Bochs", "SVM_INTERCEPT1_MONITOR", bochs_bit(42), monitor),
      K2("Bochs", "SVM_INTERCEPT1_MWAIT", bochs_bit(43), mwait),
      K2("Bochs", "SVM_INTERCEPT1_MWAIT_ARMED", bochs_bit(44), mwait_conditional),
      K2("Bochs", "SVM_INTERCEPT1_XSETBV", bochs_bit(45), xsetbv),
      K2("Bochs", "SVM_INTERCEPT1_RDPRU", bochs_bit(46), rdpru),
      K2("Bochs", "SVM_INTERCEPT1_EFER_WRITE_TRAP", bochs_bit(47), efer_write_trap),
      K2("Bochs", "SVM_INTERCEPT1_CR0_WRITE_TRAP", bochs_bit(48), cr0_write_trap),
      K3("Bochs", "SVM_INTERCEPT2_INVLPGB", bochs_bit(64), invlpgb),
      K3("Bochs", "SVM_INTERCEPT2_INVLPGB_ILLEGAL", bochs_bit(65), invlpgb_illegal),
      K3("Bochs", "SVM_INTERCEPT2_INVPCID", bochs_bit(66), invpcid),
      K3("Bochs", "SVM_INTERCEPT2_MCOMMIT", bochs_bit(67), mcommit),
      K3("Bochs", "SVM_INTERCEPT2_TLBSYNC", bochs_bit(68), tlbsync),
      // Xen: masks per word (GENERAL1 at 0x0C, GENERAL2 at 0x10, GENERAL3 at 0x14).
      K_OMIT("Xen", "CR_INTERCEPT_CR0_READ..CR_INTERCEPT_CR15_WRITE", word(0x00, 1), kBitmapWords),
      K1("Xen", "GENERAL1_INTERCEPT_INTR", word(0x0C, 1u << 0), intr),
      K1("Xen", "GENERAL1_INTERCEPT_NMI", word(0x0C, 1u << 1), nmi),
      K1("Xen", "GENERAL1_INTERCEPT_SMI", word(0x0C, 1u << 2), smi),
      K1("Xen", "GENERAL1_INTERCEPT_INIT", word(0x0C, 1u << 3), init),
      K1("Xen", "GENERAL1_INTERCEPT_VINTR", word(0x0C, 1u << 4), vintr),
      K1("Xen", "GENERAL1_INTERCEPT_CR0_SEL_WRITE", word(0x0C, 1u << 5), cr0_sel_write),
      K1("Xen", "GENERAL1_INTERCEPT_IDTR_READ", word(0x0C, 1u << 6), read_idtr),
      K1("Xen", "GENERAL1_INTERCEPT_GDTR_READ", word(0x0C, 1u << 7), read_gdtr),
      K1("Xen", "GENERAL1_INTERCEPT_LDTR_READ", word(0x0C, 1u << 8), read_ldtr),
      K1("Xen", "GENERAL1_INTERCEPT_TR_READ", word(0x0C, 1u << 9), read_tr),
      K1("Xen", "GENERAL1_INTERCEPT_IDTR_WRITE", word(0x0C, 1u << 10), write_idtr),
      K1("Xen", "GENERAL1_INTERCEPT_GDTR_WRITE", word(0x0C, 1u << 11), write_gdtr),
      K1("Xen", "GENERAL1_INTERCEPT_LDTR_WRITE", word(0x0C, 1u << 12), write_ldtr),
      K1("Xen", "GENERAL1_INTERCEPT_TR_WRITE", word(0x0C, 1u << 13), write_tr),
      K1("Xen", "GENERAL1_INTERCEPT_RDTSC", word(0x0C, 1u << 14), rdtsc),
      K1("Xen", "GENERAL1_INTERCEPT_RDPMC", word(0x0C, 1u << 15), rdpmc),
      K1("Xen", "GENERAL1_INTERCEPT_PUSHF", word(0x0C, 1u << 16), pushf),
      K1("Xen", "GENERAL1_INTERCEPT_POPF", word(0x0C, 1u << 17), popf),
      K1("Xen", "GENERAL1_INTERCEPT_CPUID", word(0x0C, 1u << 18), cpuid),
      K1("Xen", "GENERAL1_INTERCEPT_RSM", word(0x0C, 1u << 19), rsm),
      K1("Xen", "GENERAL1_INTERCEPT_IRET", word(0x0C, 1u << 20), iret),
      K1("Xen", "GENERAL1_INTERCEPT_SWINT", word(0x0C, 1u << 21), intn),
      K1("Xen", "GENERAL1_INTERCEPT_INVD", word(0x0C, 1u << 22), invd),
      K1("Xen", "GENERAL1_INTERCEPT_PAUSE", word(0x0C, 1u << 23), pause),
      K1("Xen", "GENERAL1_INTERCEPT_HLT", word(0x0C, 1u << 24), hlt),
      K1("Xen", "GENERAL1_INTERCEPT_INVLPG", word(0x0C, 1u << 25), invlpg),
      K1("Xen", "GENERAL1_INTERCEPT_INVLPGA", word(0x0C, 1u << 26), invlpga),
      K1("Xen", "GENERAL1_INTERCEPT_IOIO_PROT", word(0x0C, 1u << 27), ioio_prot),
      K1("Xen", "GENERAL1_INTERCEPT_MSR_PROT", word(0x0C, 1u << 28), msr_prot),
      K1("Xen", "GENERAL1_INTERCEPT_TASK_SWITCH", word(0x0C, 1u << 29), task_switch),
      K1("Xen", "GENERAL1_INTERCEPT_FERR_FREEZE", word(0x0C, 1u << 30), ferr_freeze),
      K1("Xen", "GENERAL1_INTERCEPT_SHUTDOWN_EVT", word(0x0C, 1u << 31), shutdown),
      K2("Xen", "GENERAL2_INTERCEPT_VMRUN", word(0x10, 1u << 0), vmrun),
      K2("Xen", "GENERAL2_INTERCEPT_VMMCALL", word(0x10, 1u << 1), vmmcall),
      K2("Xen", "GENERAL2_INTERCEPT_VMLOAD", word(0x10, 1u << 2), vmload),
      K2("Xen", "GENERAL2_INTERCEPT_VMSAVE", word(0x10, 1u << 3), vmsave),
      K2("Xen", "GENERAL2_INTERCEPT_STGI", word(0x10, 1u << 4), stgi),
      K2("Xen", "GENERAL2_INTERCEPT_CLGI", word(0x10, 1u << 5), clgi),
      K2("Xen", "GENERAL2_INTERCEPT_SKINIT", word(0x10, 1u << 6), skinit),
      K2("Xen", "GENERAL2_INTERCEPT_RDTSCP", word(0x10, 1u << 7), rdtscp),
      K2("Xen", "GENERAL2_INTERCEPT_ICEBP", word(0x10, 1u << 8), icebp),
      K2("Xen", "GENERAL2_INTERCEPT_WBINVD", word(0x10, 1u << 9), wbinvd),
      K2("Xen", "GENERAL2_INTERCEPT_MONITOR", word(0x10, 1u << 10), monitor),
      K2("Xen", "GENERAL2_INTERCEPT_MWAIT", word(0x10, 1u << 11), mwait),
      K2("Xen", "GENERAL2_INTERCEPT_MWAIT_CONDITIONAL", word(0x10, 1u << 12), mwait_conditional),
      K2("Xen", "GENERAL2_INTERCEPT_XSETBV", word(0x10, 1u << 13), xsetbv),
      K2("Xen", "GENERAL2_INTERCEPT_RDPRU", word(0x10, 1u << 14), rdpru),
      K3("Xen", "GENERAL3_INTERCEPT_BUS_LOCK", word(0x14, 1u << 5), bus_lock),
  };
  // CR9-CR15 write traps: the APM has them (bits 16-31 of the word at 0x10
  // trap CR0-CR15 writes); Linux names up to TRAP_CR8_WRITE, Bochs up to
  // CR0, Xen none.
  const std::vector<sole_constant> sole = {
      {"intercept_misc2::cr9_write_trap", "APM Vol. 2 Table B-1, offset 010h bits 31:16"},
      {"intercept_misc2::cr10_write_trap", "APM Vol. 2 Table B-1, offset 010h bits 31:16"},
      {"intercept_misc2::cr11_write_trap", "APM Vol. 2 Table B-1, offset 010h bits 31:16"},
      {"intercept_misc2::cr12_write_trap", "APM Vol. 2 Table B-1, offset 010h bits 31:16"},
      {"intercept_misc2::cr13_write_trap", "APM Vol. 2 Table B-1, offset 010h bits 31:16"},
      {"intercept_misc2::cr14_write_trap", "APM Vol. 2 Table B-1, offset 010h bits 31:16"},
      {"intercept_misc2::cr15_write_trap", "APM Vol. 2 Table B-1, offset 010h bits 31:16"},
  };
  const std::vector<ours_constant> ours = {OURS1(intr),
                                           OURS1(nmi),
                                           OURS1(smi),
                                           OURS1(init),
                                           OURS1(vintr),
                                           OURS1(cr0_sel_write),
                                           OURS1(read_idtr),
                                           OURS1(read_gdtr),
                                           OURS1(read_ldtr),
                                           OURS1(read_tr),
                                           OURS1(write_idtr),
                                           OURS1(write_gdtr),
                                           OURS1(write_ldtr),
                                           OURS1(write_tr),
                                           OURS1(rdtsc),
                                           OURS1(rdpmc),
                                           OURS1(pushf),
                                           OURS1(popf),
                                           OURS1(cpuid),
                                           OURS1(rsm),
                                           OURS1(iret),
                                           OURS1(intn),
                                           OURS1(invd),
                                           OURS1(pause),
                                           OURS1(hlt),
                                           OURS1(invlpg),
                                           OURS1(invlpga),
                                           OURS1(ioio_prot),
                                           OURS1(msr_prot),
                                           OURS1(task_switch),
                                           OURS1(ferr_freeze),
                                           OURS1(shutdown),
                                           OURS2(vmrun),
                                           OURS2(vmmcall),
                                           OURS2(vmload),
                                           OURS2(vmsave),
                                           OURS2(stgi),
                                           OURS2(clgi),
                                           OURS2(skinit),
                                           OURS2(rdtscp),
                                           OURS2(icebp),
                                           OURS2(wbinvd),
                                           OURS2(monitor),
                                           OURS2(mwait),
                                           OURS2(mwait_conditional),
                                           OURS2(xsetbv),
                                           OURS2(rdpru),
                                           OURS2(efer_write_trap),
                                           OURS2(cr0_write_trap),
                                           OURS2(cr1_write_trap),
                                           OURS2(cr2_write_trap),
                                           OURS2(cr3_write_trap),
                                           OURS2(cr4_write_trap),
                                           OURS2(cr5_write_trap),
                                           OURS2(cr6_write_trap),
                                           OURS2(cr7_write_trap),
                                           OURS2(cr8_write_trap),
                                           OURS2(cr9_write_trap),
                                           OURS2(cr10_write_trap),
                                           OURS2(cr11_write_trap),
                                           OURS2(cr12_write_trap),
                                           OURS2(cr13_write_trap),
                                           OURS2(cr14_write_trap),
                                           OURS2(cr15_write_trap),
                                           OURS3(invlpgb),
                                           OURS3(invlpgb_illegal),
                                           OURS3(invpcid),
                                           OURS3(mcommit),
                                           OURS3(tlbsync),
                                           OURS3(bus_lock),
                                           OURS3(idle_hlt)};
  check_constants("VMCB intercept bits", rows, ours, sole);

  // The list of virtops' bits is every bit of each word, one name each:
  // a bit added to vmcb.hpp without a row here leaves a hole.
  std::uint32_t seen[3] = {};
  for (const ours_constant& o : ours)
    seen[(o.value >> 32) / 4 - 3] |= static_cast<std::uint32_t>(o.value);
  if (seen[0] != 0xffffffffu || seen[1] != 0xffffffffu || seen[2] != 0x7fu)
    audit::fail(
        "VMCB intercept bits: the list names %#x, %#x, %#x of the words at 0x0C, 0x10, "
        "0x14 (expected every bit, every bit, bits 0-6)",
        seen[0], seen[1], seen[2]);
  for (unsigned n = 0; n < 16; ++n)
    if (vmcb::intercept_misc2::cr_write_trap(n) != (vmcb::intercept_misc2::cr0_write_trap << n))
      audit::fail("intercept_misc2::cr_write_trap(%u) is not bit %u", n, 16 + n);
}

void exit_code_bases() {
  using E = vmcb::exit_code;
  check_constants("SVM #VMEXIT range bases",
                  {
                      K("Linux", "SVM_EXIT_READ_CR0", 0x000, E::cr0_read),
                      K("Linux", "SVM_EXIT_WRITE_CR0", 0x010, E::cr0_write),
                      K("Linux", "SVM_EXIT_READ_DR0", 0x020, E::dr0_read),
                      K("Linux", "SVM_EXIT_WRITE_DR0", 0x030, E::dr0_write),
                      K("Linux", "SVM_EXIT_EXCP_BASE", 0x040, E::exception_base),
                      K("Linux", "SVM_EXIT_CR0_WRITE_TRAP", 0x090, E::cr0_write_trap),
                      K("Linux", "SVM_EXIT_ERR", -1LL, E::invalid),
                      K("Bochs", "SVM_VMEXIT_CR0_READ", 0x0, E::cr0_read),
                      K("Bochs", "SVM_VMEXIT_CR0_WRITE", 0x10, E::cr0_write),
                      K("Bochs", "SVM_VMEXIT_DR0_READ", 0x20, E::dr0_read),
                      K("Bochs", "SVM_VMEXIT_DR0_WRITE", 0x30, E::dr0_write),
                      K("Bochs", "SVM_VMEXIT_EXCEPTION", 0x40, E::exception_base),
                      K("Bochs", "SVM_VMEXIT_CR0_WRITE_TRAP", 0x90, E::cr0_write_trap),
                      K("Bochs", "SVM_VMEXIT_INVALID", -1LL, E::invalid),
                      K("Xen", "VMEXIT_CR0_READ", 0, E::cr0_read),
                      K("Xen", "VMEXIT_CR0_WRITE", 16, E::cr0_write),
                      K("Xen", "VMEXIT_DR0_READ", 32, E::dr0_read),
                      K("Xen", "VMEXIT_DR0_WRITE", 48, E::dr0_write),
                      K("Xen", "VMEXIT_EXCEPTION_DE", 64, E::exception_base),
                      K("Xen", "VMEXIT_INVALID", -1LL, E::invalid),
                  },
                  {OURS(E::cr0_read), OURS(E::cr0_write), OURS(E::dr0_read), OURS(E::dr0_write),
                   OURS(E::exception_base), OURS(E::cr0_write_trap), OURS(E::invalid)});
}

// ---------------------------------------------------------------------------
// The VMCB layout: each peer field maps to a virtops member, exactly (same
// offset and size), as part of one (a peer's byte, half or 32-bit view of a
// virtops field), or as a group (a peer's 64-bit view of two virtops fields,
// starting at the first). Every byte of virtops' vmcb is listed, so a member
// added to vmcb.hpp without a row here leaves a gap.

enum class rel { exact, part, whole };

struct field_row {
  const char* who;
  const char* peer_name;
  std::size_t offset, size;
  const char* ours;  ///< nullptr: omitted, `why` says why
  std::size_t ours_offset, ours_size;
  rel r;
  const char* why;
};
struct ours_field {
  const char* name;
  std::size_t offset, size;
  bool reserved;
};

#define VOFF(m) offsetof(vmcb::vmcb, m)
#define VSIZE(m) sizeof(std::declval<vmcb::vmcb&>().m)
#define F(who, name, off, size, m) \
  field_row { who, name, off, size, #m, VOFF(m), VSIZE(m), rel::exact, nullptr }
#define F_PART(who, name, off, size, m) \
  field_row { who, name, off, size, #m, VOFF(m), VSIZE(m), rel::part, nullptr }
#define F_WHOLE(who, name, off, size, m) \
  field_row { who, name, off, size, #m, VOFF(m), VSIZE(m), rel::whole, nullptr }
#define F_OMIT(who, name, off, size, why) \
  field_row { who, name, off, size, nullptr, 0, 0, rel::exact, why }
#define OF(m) \
  ours_field { #m, VOFF(m), VSIZE(m), false }
#define OF_RESERVED(m) \
  ours_field { #m, VOFF(m), VSIZE(m), true }

constexpr const char* kVmsa =
    "an SEV-ES VMSA field (Linux: struct sev_es_save_area); Linux and Xen keep these bytes "
    "reserved in the legacy save area, which is what virtops models";

void vmcb_layout() {
  // clang-format off
  const std::vector<field_row> rows = {
      // Linux: struct vmcb_control_area, then struct vmcb_save_area at 0x400.
      F("Linux", "intercepts[INTERCEPT_CR]", 0x000, 4, control.intercept_cr),
      F("Linux", "intercepts[INTERCEPT_DR]", 0x004, 4, control.intercept_dr),
      F("Linux", "intercepts[INTERCEPT_EXCEPTION]", 0x008, 4, control.intercept_exceptions),
      F("Linux", "intercepts[INTERCEPT_WORD3]", 0x00C, 4, control.intercept_misc1),
      F("Linux", "intercepts[INTERCEPT_WORD4]", 0x010, 4, control.intercept_misc2),
      F("Linux", "intercepts[INTERCEPT_WORD5]", 0x014, 4, control.intercept_misc3),
      F("Linux", "pause_filter_thresh", 0x03C, 2, control.pause_filter_threshold),
      F("Linux", "pause_filter_count", 0x03E, 2, control.pause_filter_count),
      F("Linux", "iopm_base_pa", 0x040, 8, control.iopm_base_pa),
      F("Linux", "msrpm_base_pa", 0x048, 8, control.msrpm_base_pa),
      F("Linux", "tsc_offset", 0x050, 8, control.tsc_offset),
      F("Linux", "asid", 0x058, 4, control.guest_asid),
      F("Linux", "tlb_ctl", 0x05C, 1, control.tlb_control),
      F("Linux", "int_ctl", 0x060, 4, control.int_control),
      F("Linux", "int_vector", 0x064, 4, control.int_vector),
      F("Linux", "int_state", 0x068, 4, control.int_state),
      F_PART("Linux", "exit_code", 0x070, 4, control.exit_code),
      F_PART("Linux", "exit_code_hi", 0x074, 4, control.exit_code),
      F("Linux", "exit_info_1", 0x078, 8, control.exit_info_1),
      F("Linux", "exit_info_2", 0x080, 8, control.exit_info_2),
      F("Linux", "exit_int_info", 0x088, 4, control.exit_int_info),
      F("Linux", "exit_int_info_err", 0x08C, 4, control.exit_int_info_err),
      F("Linux", "nested_ctl", 0x090, 8, control.nested_control),
      F("Linux", "avic_vapic_bar", 0x098, 8, control.avic_apic_bar),
      F("Linux", "ghcb_gpa", 0x0A0, 8, control.ghcb_gpa),
      F("Linux", "event_inj", 0x0A8, 4, control.event_inject),
      F("Linux", "event_inj_err", 0x0AC, 4, control.event_inject_err),
      F("Linux", "nested_cr3", 0x0B0, 8, control.nested_cr3),
      F("Linux", "virt_ext", 0x0B8, 8, control.virt_ext),
      F("Linux", "clean", 0x0C0, 4, control.vmcb_clean),
      F("Linux", "next_rip", 0x0C8, 8, control.next_rip),
      F("Linux", "insn_len", 0x0D0, 1, control.insn_len),
      F("Linux", "insn_bytes", 0x0D1, 15, control.insn_bytes),
      F("Linux", "avic_backing_page", 0x0E0, 8, control.avic_backing_page),
      F("Linux", "avic_logical_id", 0x0F0, 8, control.avic_logical_table),
      F("Linux", "avic_physical_id", 0x0F8, 8, control.avic_physical_table),
      F("Linux", "vmsa_pa", 0x108, 8, control.vmsa_pa),
      F("Linux", "bus_lock_counter", 0x120, 2, control.bus_lock_counter),
      F("Linux", "allowed_sev_features", 0x138, 8, control.allowed_sev_features),
      F("Linux", "guest_sev_features", 0x140, 8, control.guest_sev_features),
      F("Linux", "reserved_sw", 0x3E0, 32, control.reserved_for_software),
      F("Linux", "es", 0x400, 16, save.es),
      F("Linux", "cs", 0x410, 16, save.cs),
      F("Linux", "ss", 0x420, 16, save.ss),
      F("Linux", "ds", 0x430, 16, save.ds),
      F("Linux", "fs", 0x440, 16, save.fs),
      F("Linux", "gs", 0x450, 16, save.gs),
      F("Linux", "gdtr", 0x460, 16, save.gdtr),
      F("Linux", "ldtr", 0x470, 16, save.ldtr),
      F("Linux", "idtr", 0x480, 16, save.idtr),
      F("Linux", "tr", 0x490, 16, save.tr),
      F("Linux", "vmpl", 0x4CA, 1, save.vmpl),
      F("Linux", "cpl", 0x4CB, 1, save.cpl),
      F("Linux", "efer", 0x4D0, 8, save.efer),
      F("Linux", "cr4", 0x548, 8, save.cr4),
      F("Linux", "cr3", 0x550, 8, save.cr3),
      F("Linux", "cr0", 0x558, 8, save.cr0),
      F("Linux", "dr7", 0x560, 8, save.dr7),
      F("Linux", "dr6", 0x568, 8, save.dr6),
      F("Linux", "rflags", 0x570, 8, save.rflags),
      F("Linux", "rip", 0x578, 8, save.rip),
      F("Linux", "rsp", 0x5D8, 8, save.rsp),
      F("Linux", "s_cet", 0x5E0, 8, save.s_cet),
      F("Linux", "ssp", 0x5E8, 8, save.ssp),
      F("Linux", "isst_addr", 0x5F0, 8, save.isst_addr),
      F("Linux", "rax", 0x5F8, 8, save.rax),
      F("Linux", "star", 0x600, 8, save.star),
      F("Linux", "lstar", 0x608, 8, save.lstar),
      F("Linux", "cstar", 0x610, 8, save.cstar),
      F("Linux", "sfmask", 0x618, 8, save.sfmask),
      F("Linux", "kernel_gs_base", 0x620, 8, save.kernel_gs_base),
      F("Linux", "sysenter_cs", 0x628, 8, save.sysenter_cs),
      F("Linux", "sysenter_esp", 0x630, 8, save.sysenter_esp),
      F("Linux", "sysenter_eip", 0x638, 8, save.sysenter_eip),
      F("Linux", "cr2", 0x640, 8, save.cr2),
      F("Linux", "g_pat", 0x668, 8, save.g_pat),
      F("Linux", "dbgctl", 0x670, 8, save.dbgctl),
      F("Linux", "br_from", 0x678, 8, save.br_from),
      F("Linux", "br_to", 0x680, 8, save.br_to),
      F("Linux", "last_excp_from", 0x688, 8, save.last_excp_from),
      F("Linux", "last_excp_to", 0x690, 8, save.last_excp_to),
      F("Linux", "spec_ctrl", 0x6E0, 8, save.spec_ctrl),

      // Bochs: SVM_CONTROL*_ and SVM_GUEST_ offsets (sizes from their names' widths).
      F_PART("Bochs", "SVM_CONTROL16_INTERCEPT_CR_READ", 0x000, 2, control.intercept_cr),
      F_PART("Bochs", "SVM_CONTROL16_INTERCEPT_CR_WRITE", 0x002, 2, control.intercept_cr),
      F_PART("Bochs", "SVM_CONTROL16_INTERCEPT_DR_READ", 0x004, 2, control.intercept_dr),
      F_PART("Bochs", "SVM_CONTROL16_INTERCEPT_DR_WRITE", 0x006, 2, control.intercept_dr),
      F("Bochs", "SVM_CONTROL32_INTERCEPT_EXCEPTIONS", 0x008, 4, control.intercept_exceptions),
      F("Bochs", "SVM_CONTROL32_INTERCEPT1", 0x00C, 4, control.intercept_misc1),
      F("Bochs", "SVM_CONTROL32_INTERCEPT2", 0x010, 4, control.intercept_misc2),
      F("Bochs", "SVM_CONTROL32_INTERCEPT3", 0x014, 4, control.intercept_misc3),
      F("Bochs", "SVM_CONTROL16_PAUSE_FILTER_THRESHOLD", 0x03C, 2, control.pause_filter_threshold),
      F("Bochs", "SVM_CONTROL16_PAUSE_FILTER_COUNT", 0x03E, 2, control.pause_filter_count),
      F("Bochs", "SVM_CONTROL64_IOPM_BASE_PHY_ADDR", 0x040, 8, control.iopm_base_pa),
      F("Bochs", "SVM_CONTROL64_MSRPM_BASE_PHY_ADDR", 0x048, 8, control.msrpm_base_pa),
      F("Bochs", "SVM_CONTROL64_TSC_OFFSET", 0x050, 8, control.tsc_offset),
      F("Bochs", "SVM_CONTROL32_GUEST_ASID", 0x058, 4, control.guest_asid),
      F_PART("Bochs", "SVM_CONTROL32_TLB_CONTROL", 0x05C, 1, control.tlb_control),
      F_PART("Bochs", "SVM_CONTROL_VTPR", 0x060, 1, control.int_control),
      F_PART("Bochs", "SVM_CONTROL_VIRQ", 0x061, 1, control.int_control),
      F_PART("Bochs", "SVM_CONTROL_VINTR_PRIO_IGN_TPR", 0x062, 1, control.int_control),
      F_PART("Bochs", "SVM_CONTROL_VINTR_MASKING", 0x063, 1, control.int_control),
      F_PART("Bochs", "SVM_CONTROL_VINTR_VECTOR", 0x064, 1, control.int_vector),
      F_PART("Bochs", "SVM_CONTROL_INTERRUPT_SHADOW", 0x068, 1, control.int_state),
      F("Bochs", "SVM_CONTROL64_EXITCODE", 0x070, 8, control.exit_code),
      F("Bochs", "SVM_CONTROL64_EXITINFO1", 0x078, 8, control.exit_info_1),
      F("Bochs", "SVM_CONTROL64_EXITINFO2", 0x080, 8, control.exit_info_2),
      F("Bochs", "SVM_CONTROL32_EXITINTINFO", 0x088, 4, control.exit_int_info),
      F("Bochs", "SVM_CONTROL32_EXITINTINFO_ERROR_CODE", 0x08C, 4, control.exit_int_info_err),
      F_PART("Bochs", "SVM_CONTROL_NESTED_PAGING_ENABLE", 0x090, 1, control.nested_control),
      F("Bochs", "SVM_VIRTUAL_APIC_BAR", 0x098, 8, control.avic_apic_bar),
      F("Bochs", "SVM_CONTROL32_EVENT_INJECTION", 0x0A8, 4, control.event_inject),
      F("Bochs", "SVM_CONTROL32_EVENT_INJECTION_ERRORCODE", 0x0AC, 4, control.event_inject_err),
      F("Bochs", "SVM_CONTROL64_NESTED_PAGING_HOST_CR3", 0x0B0, 8, control.nested_cr3),
      F_PART("Bochs", "SVM_CONTROL_LBR_VIRTUALIZATION_ENABLE", 0x0B8, 1, control.virt_ext),
      F("Bochs", "SVM_CONTROL32_VMCB_CLEAN_BITS", 0x0C0, 4, control.vmcb_clean),
      F("Bochs", "SVM_CONTROL64_NRIP", 0x0C8, 8, control.next_rip),
      F_WHOLE("Bochs", "SVM_CONTROL64_GUEST_INSTR_BYTES", 0x0D0, 8, control.insn_len),
      F_PART("Bochs", "SVM_CONTROL64_GUEST_INSTR_BYTES_HI", 0x0D8, 8, control.insn_bytes),
      F("Bochs", "SVM_AVIC_BACKING_PAGE", 0x0E0, 8, control.avic_backing_page),
      F("Bochs", "SVM_AVIC_LOGICAL_TABLE_PTR", 0x0F0, 8, control.avic_logical_table),
      F("Bochs", "SVM_AVIC_PHYSICAL_TABLE_PTR", 0x0F8, 8, control.avic_physical_table),
      F_PART("Bochs", "SVM_GUEST_ES_SELECTOR", 0x400, 2, save.es),
      F_PART("Bochs", "SVM_GUEST_ES_ATTR", 0x402, 2, save.es),
      F_PART("Bochs", "SVM_GUEST_ES_LIMIT", 0x404, 4, save.es),
      F_PART("Bochs", "SVM_GUEST_ES_BASE", 0x408, 8, save.es),
      F_PART("Bochs", "SVM_GUEST_CS_SELECTOR", 0x410, 2, save.cs),
      F_PART("Bochs", "SVM_GUEST_CS_ATTR", 0x412, 2, save.cs),
      F_PART("Bochs", "SVM_GUEST_CS_LIMIT", 0x414, 4, save.cs),
      F_PART("Bochs", "SVM_GUEST_CS_BASE", 0x418, 8, save.cs),
      F_PART("Bochs", "SVM_GUEST_SS_SELECTOR", 0x420, 2, save.ss),
      F_PART("Bochs", "SVM_GUEST_SS_ATTR", 0x422, 2, save.ss),
      F_PART("Bochs", "SVM_GUEST_SS_LIMIT", 0x424, 4, save.ss),
      F_PART("Bochs", "SVM_GUEST_SS_BASE", 0x428, 8, save.ss),
      F_PART("Bochs", "SVM_GUEST_DS_SELECTOR", 0x430, 2, save.ds),
      F_PART("Bochs", "SVM_GUEST_DS_ATTR", 0x432, 2, save.ds),
      F_PART("Bochs", "SVM_GUEST_DS_LIMIT", 0x434, 4, save.ds),
      F_PART("Bochs", "SVM_GUEST_DS_BASE", 0x438, 8, save.ds),
      F_PART("Bochs", "SVM_GUEST_FS_SELECTOR", 0x440, 2, save.fs),
      F_PART("Bochs", "SVM_GUEST_FS_ATTR", 0x442, 2, save.fs),
      F_PART("Bochs", "SVM_GUEST_FS_LIMIT", 0x444, 4, save.fs),
      F_PART("Bochs", "SVM_GUEST_FS_BASE", 0x448, 8, save.fs),
      F_PART("Bochs", "SVM_GUEST_GS_SELECTOR", 0x450, 2, save.gs),
      F_PART("Bochs", "SVM_GUEST_GS_ATTR", 0x452, 2, save.gs),
      F_PART("Bochs", "SVM_GUEST_GS_LIMIT", 0x454, 4, save.gs),
      F_PART("Bochs", "SVM_GUEST_GS_BASE", 0x458, 8, save.gs),
      F_PART("Bochs", "SVM_GUEST_GDTR_LIMIT", 0x464, 4, save.gdtr),
      F_PART("Bochs", "SVM_GUEST_GDTR_BASE", 0x468, 8, save.gdtr),
      F_PART("Bochs", "SVM_GUEST_LDTR_SELECTOR", 0x470, 2, save.ldtr),
      F_PART("Bochs", "SVM_GUEST_LDTR_ATTR", 0x472, 2, save.ldtr),
      F_PART("Bochs", "SVM_GUEST_LDTR_LIMIT", 0x474, 4, save.ldtr),
      F_PART("Bochs", "SVM_GUEST_LDTR_BASE", 0x478, 8, save.ldtr),
      F_PART("Bochs", "SVM_GUEST_IDTR_LIMIT", 0x484, 4, save.idtr),
      F_PART("Bochs", "SVM_GUEST_IDTR_BASE", 0x488, 8, save.idtr),
      F_PART("Bochs", "SVM_GUEST_TR_SELECTOR", 0x490, 2, save.tr),
      F_PART("Bochs", "SVM_GUEST_TR_ATTR", 0x492, 2, save.tr),
      F_PART("Bochs", "SVM_GUEST_TR_LIMIT", 0x494, 4, save.tr),
      F_PART("Bochs", "SVM_GUEST_TR_BASE", 0x498, 8, save.tr),
      F_OMIT("Bochs", "SVM_GUEST_PL0_SSP", 0x4A0, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_PL1_SSP", 0x4A8, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_PL2_SSP", 0x4B0, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_PL3_SSP", 0x4B8, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_U_CET", 0x4C0, 8, kVmsa),
      F("Bochs", "SVM_GUEST_CPL", 0x4CB, 1, save.cpl),
      F_PART("Bochs", "SVM_GUEST_EFER_MSR", 0x4D0, 4, save.efer),
      F_PART("Bochs", "SVM_GUEST_EFER_MSR_HI", 0x4D4, 4, save.efer),
      F_OMIT("Bochs", "SVM_GUEST_XSS", 0x540, 8, kVmsa),
      F_PART("Bochs", "SVM_GUEST_CR4", 0x548, 4, save.cr4),
      F_PART("Bochs", "SVM_GUEST_CR4_HI", 0x54C, 4, save.cr4),
      F("Bochs", "SVM_GUEST_CR3", 0x550, 8, save.cr3),
      F_PART("Bochs", "SVM_GUEST_CR0", 0x558, 4, save.cr0),
      F_PART("Bochs", "SVM_GUEST_CR0_HI", 0x55C, 4, save.cr0),
      F_PART("Bochs", "SVM_GUEST_DR7", 0x560, 4, save.dr7),
      F_PART("Bochs", "SVM_GUEST_DR7_HI", 0x564, 4, save.dr7),
      F_PART("Bochs", "SVM_GUEST_DR6", 0x568, 4, save.dr6),
      F_PART("Bochs", "SVM_GUEST_DR6_HI", 0x56C, 4, save.dr6),
      F_PART("Bochs", "SVM_GUEST_RFLAGS", 0x570, 4, save.rflags),
      F_PART("Bochs", "SVM_GUEST_RFLAGS_HI", 0x574, 4, save.rflags),
      F("Bochs", "SVM_GUEST_RIP", 0x578, 8, save.rip),
      F("Bochs", "SVM_GUEST_RSP", 0x5D8, 8, save.rsp),
      F("Bochs", "SVM_GUEST_S_CET", 0x5E0, 8, save.s_cet),
      F("Bochs", "SVM_GUEST_SSP", 0x5E8, 8, save.ssp),
      F("Bochs", "SVM_GUEST_ISST_ADDR", 0x5F0, 8, save.isst_addr),
      F("Bochs", "SVM_GUEST_RAX", 0x5F8, 8, save.rax),
      F("Bochs", "SVM_GUEST_STAR_MSR", 0x600, 8, save.star),
      F("Bochs", "SVM_GUEST_LSTAR_MSR", 0x608, 8, save.lstar),
      F("Bochs", "SVM_GUEST_CSTAR_MSR", 0x610, 8, save.cstar),
      F("Bochs", "SVM_GUEST_FMASK_MSR", 0x618, 8, save.sfmask),
      F("Bochs", "SVM_GUEST_KERNEL_GSBASE_MSR", 0x620, 8, save.kernel_gs_base),
      F("Bochs", "SVM_GUEST_SYSENTER_CS_MSR", 0x628, 8, save.sysenter_cs),
      F("Bochs", "SVM_GUEST_SYSENTER_ESP_MSR", 0x630, 8, save.sysenter_esp),
      F("Bochs", "SVM_GUEST_SYSENTER_EIP_MSR", 0x638, 8, save.sysenter_eip),
      F("Bochs", "SVM_GUEST_CR2", 0x640, 8, save.cr2),
      F("Bochs", "SVM_GUEST_PAT", 0x668, 8, save.g_pat),
      F("Bochs", "SVM_GUEST_DBGCTL_MSR", 0x670, 8, save.dbgctl),
      F("Bochs", "SVM_GUEST_BR_FROM_MSR", 0x678, 8, save.br_from),
      F("Bochs", "SVM_GUEST_BR_TO_MSR", 0x680, 8, save.br_to),
      F("Bochs", "SVM_GUEST_LAST_EXCEPTION_FROM_MSR", 0x688, 8, save.last_excp_from),
      F("Bochs", "SVM_GUEST_LAST_EXCEPTION_TO_MSR", 0x690, 8, save.last_excp_to),
      F("Bochs", "SVM_GUEST_SPEC_CTRL", 0x6E0, 8, save.spec_ctrl),
      F_OMIT("Bochs", "SVM_GUEST_PKRU", 0x6E8, 4, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_TSC_AUX", 0x6EC, 4, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_TSC_SCALE", 0x6F0, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_TSC_OFFSET", 0x6F8, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_RCX", 0x708, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_RDX", 0x710, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_RBX", 0x718, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_SECURE_AVIC_CTL", 0x720, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_RBP", 0x728, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_RSI", 0x730, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_RDI", 0x738, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_R8", 0x740, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_R9", 0x748, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_R10", 0x750, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_R11", 0x758, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_R12", 0x760, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_R13", 0x768, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_R14", 0x770, 8, kVmsa),
      F_OMIT("Bochs", "SVM_GUEST_R15", 0x778, 8, kVmsa),

      // Xen: struct vmcb_struct (offsets of its members as declared).
      F("Xen", "_cr_intercepts", 0x000, 4, control.intercept_cr),
      F("Xen", "_dr_intercepts", 0x004, 4, control.intercept_dr),
      F("Xen", "_exception_intercepts", 0x008, 4, control.intercept_exceptions),
      F("Xen", "_general1_intercepts", 0x00C, 4, control.intercept_misc1),
      F("Xen", "_general2_intercepts", 0x010, 4, control.intercept_misc2),
      F("Xen", "_general3_intercepts", 0x014, 4, control.intercept_misc3),
      F("Xen", "_pause_filter_thresh", 0x03C, 2, control.pause_filter_threshold),
      F("Xen", "_pause_filter_count", 0x03E, 2, control.pause_filter_count),
      F("Xen", "_iopm_base_pa", 0x040, 8, control.iopm_base_pa),
      F("Xen", "_msrpm_base_pa", 0x048, 8, control.msrpm_base_pa),
      F("Xen", "_tsc_offset", 0x050, 8, control.tsc_offset),
      F("Xen", "_asid", 0x058, 4, control.guest_asid),
      F("Xen", "tlb_control", 0x05C, 1, control.tlb_control),
      F_WHOLE("Xen", "_vintr (vintr_t)", 0x060, 8, control.int_control),
      F_WHOLE("Xen", "int_stat (intstat_t)", 0x068, 8, control.int_state),
      F("Xen", "exitcode", 0x070, 8, control.exit_code),
      F("Xen", "exitinfo1", 0x078, 8, control.exit_info_1),
      F("Xen", "exitinfo2", 0x080, 8, control.exit_info_2),
      F_WHOLE("Xen", "exit_int_info (intinfo_t)", 0x088, 8, control.exit_int_info),
      F("Xen", "_np_ctrl", 0x090, 8, control.nested_control),
      F_WHOLE("Xen", "event_inj (intinfo_t)", 0x0A8, 8, control.event_inject),
      F("Xen", "_h_cr3", 0x0B0, 8, control.nested_cr3),
      F("Xen", "virt_ext", 0x0B8, 8, control.virt_ext),
      F("Xen", "cleanbits", 0x0C0, 4, control.vmcb_clean),
      F("Xen", "nextrip", 0x0C8, 8, control.next_rip),
      F("Xen", "guest_ins_len", 0x0D0, 1, control.insn_len),
      F("Xen", "guest_ins", 0x0D1, 15, control.insn_bytes),
      F("Xen", "bus_lock_count", 0x120, 2, control.bus_lock_counter),
      F("Xen", "es", 0x400, 16, save.es),
      F("Xen", "cs", 0x410, 16, save.cs),
      F("Xen", "ss", 0x420, 16, save.ss),
      F("Xen", "ds", 0x430, 16, save.ds),
      F("Xen", "fs", 0x440, 16, save.fs),
      F("Xen", "gs", 0x450, 16, save.gs),
      F("Xen", "gdtr", 0x460, 16, save.gdtr),
      F("Xen", "ldtr", 0x470, 16, save.ldtr),
      F("Xen", "idtr", 0x480, 16, save.idtr),
      F("Xen", "tr", 0x490, 16, save.tr),
      F("Xen", "_cpl", 0x4CB, 1, save.cpl),
      F("Xen", "_efer", 0x4D0, 8, save.efer),
      F("Xen", "_cr4", 0x548, 8, save.cr4),
      F("Xen", "_cr3", 0x550, 8, save.cr3),
      F("Xen", "_cr0", 0x558, 8, save.cr0),
      F("Xen", "_dr7", 0x560, 8, save.dr7),
      F("Xen", "_dr6", 0x568, 8, save.dr6),
      F("Xen", "rflags", 0x570, 8, save.rflags),
      F("Xen", "rip", 0x578, 8, save.rip),
      F("Xen", "rsp", 0x5D8, 8, save.rsp),
      F("Xen", "_msr_s_cet", 0x5E0, 8, save.s_cet),
      F("Xen", "_ssp", 0x5E8, 8, save.ssp),
      F("Xen", "_msr_isst", 0x5F0, 8, save.isst_addr),
      F("Xen", "rax", 0x5F8, 8, save.rax),
      F("Xen", "star", 0x600, 8, save.star),
      F("Xen", "lstar", 0x608, 8, save.lstar),
      F("Xen", "cstar", 0x610, 8, save.cstar),
      F("Xen", "sfmask", 0x618, 8, save.sfmask),
      F("Xen", "kerngsbase", 0x620, 8, save.kernel_gs_base),
      F("Xen", "sysenter_cs", 0x628, 8, save.sysenter_cs),
      F("Xen", "sysenter_esp", 0x630, 8, save.sysenter_esp),
      F("Xen", "sysenter_eip", 0x638, 8, save.sysenter_eip),
      F("Xen", "_cr2", 0x640, 8, save.cr2),
      F("Xen", "_g_pat", 0x668, 8, save.g_pat),
      F("Xen", "_debugctlmsr", 0x670, 8, save.dbgctl),
      F("Xen", "_lastbranchfromip", 0x678, 8, save.br_from),
      F("Xen", "_lastbranchtoip", 0x680, 8, save.br_to),
      F("Xen", "_lastintfromip", 0x688, 8, save.last_excp_from),
      F("Xen", "_lastinttoip", 0x690, 8, save.last_excp_to),
      F("Xen", "spec_ctrl", 0x6E0, 8, save.spec_ctrl),
  };
  // clang-format on

  // Every byte of virtops' vmcb, in order.
  const std::vector<ours_field> ours = {OF(control.intercept_cr),
                                        OF(control.intercept_dr),
                                        OF(control.intercept_exceptions),
                                        OF(control.intercept_misc1),
                                        OF(control.intercept_misc2),
                                        OF(control.intercept_misc3),
                                        OF_RESERVED(control.reserved_018),
                                        OF(control.pause_filter_threshold),
                                        OF(control.pause_filter_count),
                                        OF(control.iopm_base_pa),
                                        OF(control.msrpm_base_pa),
                                        OF(control.tsc_offset),
                                        OF(control.guest_asid),
                                        OF(control.tlb_control),
                                        OF_RESERVED(control.reserved_05d),
                                        OF(control.int_control),
                                        OF(control.int_vector),
                                        OF(control.int_state),
                                        OF_RESERVED(control.reserved_06c),
                                        OF(control.exit_code),
                                        OF(control.exit_info_1),
                                        OF(control.exit_info_2),
                                        OF(control.exit_int_info),
                                        OF(control.exit_int_info_err),
                                        OF(control.nested_control),
                                        OF(control.avic_apic_bar),
                                        OF(control.ghcb_gpa),
                                        OF(control.event_inject),
                                        OF(control.event_inject_err),
                                        OF(control.nested_cr3),
                                        OF(control.virt_ext),
                                        OF(control.vmcb_clean),
                                        OF_RESERVED(control.reserved_0c4),
                                        OF(control.next_rip),
                                        OF(control.insn_len),
                                        OF(control.insn_bytes),
                                        OF(control.avic_backing_page),
                                        OF_RESERVED(control.reserved_0e8),
                                        OF(control.avic_logical_table),
                                        OF(control.avic_physical_table),
                                        OF_RESERVED(control.reserved_100),
                                        OF(control.vmsa_pa),
                                        OF_RESERVED(control.reserved_110),
                                        OF(control.bus_lock_counter),
                                        OF_RESERVED(control.reserved_122),
                                        OF(control.allowed_sev_features),
                                        OF(control.guest_sev_features),
                                        OF_RESERVED(control.reserved_148),
                                        OF(control.reserved_for_software),
                                        OF(save.es),
                                        OF(save.cs),
                                        OF(save.ss),
                                        OF(save.ds),
                                        OF(save.fs),
                                        OF(save.gs),
                                        OF(save.gdtr),
                                        OF(save.ldtr),
                                        OF(save.idtr),
                                        OF(save.tr),
                                        OF_RESERVED(save.reserved_4a0),
                                        OF(save.vmpl),
                                        OF(save.cpl),
                                        OF_RESERVED(save.reserved_4cc),
                                        OF(save.efer),
                                        OF_RESERVED(save.reserved_4d8),
                                        OF(save.cr4),
                                        OF(save.cr3),
                                        OF(save.cr0),
                                        OF(save.dr7),
                                        OF(save.dr6),
                                        OF(save.rflags),
                                        OF(save.rip),
                                        OF_RESERVED(save.reserved_580),
                                        OF(save.rsp),
                                        OF(save.s_cet),
                                        OF(save.ssp),
                                        OF(save.isst_addr),
                                        OF(save.rax),
                                        OF(save.star),
                                        OF(save.lstar),
                                        OF(save.cstar),
                                        OF(save.sfmask),
                                        OF(save.kernel_gs_base),
                                        OF(save.sysenter_cs),
                                        OF(save.sysenter_esp),
                                        OF(save.sysenter_eip),
                                        OF(save.cr2),
                                        OF_RESERVED(save.reserved_648),
                                        OF(save.g_pat),
                                        OF(save.dbgctl),
                                        OF(save.br_from),
                                        OF(save.br_to),
                                        OF(save.last_excp_from),
                                        OF(save.last_excp_to),
                                        OF_RESERVED(save.reserved_698),
                                        OF(save.spec_ctrl),
                                        OF_RESERVED(save.reserved_6e8)};

  const int before = audit::failures;
  std::size_t named = 0, omitted = 0;
  std::size_t at = 0;
  for (const ours_field& o : ours) {
    if (o.offset != at)
      audit::fail(
          "VMCB layout: %s starts at %#zx; the audit's list of vmcb members has a %s at "
          "%#zx (a member missing from the list?)",
          o.name, o.offset, o.offset > at ? "gap" : "overlap", at);
    at = o.offset + o.size;
  }
  if (at != sizeof(vmcb::vmcb)) audit::fail("VMCB layout: the list ends at %#zx, not 0x1000", at);

  for (const field_row& r : rows) {
    ++audit::checks;
    if (!r.ours) {
      ++omitted;
      // An omitted peer field must fall in bytes virtops keeps reserved.
      bool in_reserved = false;
      for (const ours_field& o : ours)
        in_reserved = in_reserved || (o.reserved && o.offset <= r.offset &&
                                      r.offset + r.size <= o.offset + o.size);
      if (!in_reserved)
        audit::fail(
            "VMCB layout %#zx: %s %s is listed as omitted (%s), but virtops has a field "
            "there",
            r.offset, r.who, r.peer_name, r.why);
      continue;
    }
    ++named;
    bool ok = false;
    switch (r.r) {
      case rel::exact: ok = r.offset == r.ours_offset && r.size == r.ours_size; break;
      case rel::part:
        ok = r.ours_offset <= r.offset && r.offset + r.size <= r.ours_offset + r.ours_size;
        break;
      case rel::whole: ok = r.ours_offset == r.offset && r.ours_size <= r.size; break;
    }
    if (!ok)
      audit::fail("VMCB layout %s: virtops has %#zx (%zu bytes), %s %s is %#zx (%zu bytes)%s",
                  r.ours, r.ours_offset, r.ours_size, r.who, r.peer_name, r.offset, r.size,
                  r.r == rel::part    ? ", expected within"
                  : r.r == rel::whole ? ", expected to start it"
                                      : "");
  }
  // Every virtops member but the reserved ones is some peer's field. No
  // member is SDM/APM-only at present.
  for (const ours_field& o : ours) {
    if (o.reserved) continue;
    bool covered = false;
    for (const field_row& r : rows)
      covered = covered || (r.ours && std::strcmp(r.ours, o.name) == 0);
    ++audit::checks;
    if (!covered)
      audit::fail(
          "VMCB layout %s (%#zx): no peer row carries it and it is not listed as checked "
          "against the APM alone",
          o.name, o.offset);
  }
  std::printf("%-26s %4zu virtops members; %zu peer rows named, %zu omitted; %d failures\n",
              "VMCB layout", ours.size(), named, omitted, audit::failures - before);
}

}  // namespace

int main() {
  msrs();
  intercepts();
  exit_code_bases();
  vmcb_layout();
  return audit::report("constants and layout audit");
}
