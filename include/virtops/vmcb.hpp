/// \file
/// virtops: the AMD VMCB (AMD64 APM Vol. 2, Appendix B): control area,
/// state-save area, intercept bits and exit codes (Appendix C), and the MSRs
/// that VMRUN needs (EFER.SVME, VM_CR, VM_HSAVE_PA). Standard layout, with
/// every field's offset checked at compile time; tests/tables checks the
/// numbers against Linux's, Xen's and Bochs' tables (docs/tables.md).
#pragma once

#include "detail/std.hpp"

namespace virtops::vmcb {

/// A segment register in the state-save area (attributes in the VMCB's
/// compressed format: type, S, DPL, P, AVL, L, D/B, G).
struct segment {
  std::uint16_t selector;
  std::uint16_t attrib;
  std::uint32_t limit;
  std::uint64_t base;
};
static_assert(sizeof(segment) == 16);

/// Offsets 0x000-0x3FF.
struct control_area {
  std::uint32_t intercept_cr;          ///< 0x000: bits 15:0 CR reads, 31:16 CR writes
  std::uint32_t intercept_dr;          ///< 0x004: bits 15:0 DR reads, 31:16 DR writes
  std::uint32_t intercept_exceptions;  ///< 0x008: one bit per vector
  std::uint32_t intercept_misc1;       ///< 0x00C: see intercept_misc1 bits
  std::uint32_t intercept_misc2;       ///< 0x010: see intercept_misc2 bits
  std::uint32_t intercept_misc3;       ///< 0x014: see intercept_misc3 bits
  std::uint8_t reserved_018[0x03C - 0x018];
  std::uint16_t pause_filter_threshold;  ///< 0x03C
  std::uint16_t pause_filter_count;      ///< 0x03E
  std::uint64_t iopm_base_pa;            ///< 0x040
  std::uint64_t msrpm_base_pa;           ///< 0x048
  std::uint64_t tsc_offset;              ///< 0x050
  std::uint32_t guest_asid;              ///< 0x058
  std::uint8_t tlb_control;              ///< 0x05C
  std::uint8_t reserved_05d[3];
  std::uint32_t int_control;  ///< 0x060: V_TPR, V_IRQ, V_INTR_PRIO, V_INTR_MASKING, ...
  std::uint32_t int_vector;   ///< 0x064
  std::uint32_t int_state;    ///< 0x068: interrupt shadow
  std::uint8_t reserved_06c[4];
  std::uint64_t exit_code;          ///< 0x070 (VMEXIT_INVALID: compare the low 32 bits)
  std::uint64_t exit_info_1;        ///< 0x078
  std::uint64_t exit_info_2;        ///< 0x080
  std::uint32_t exit_int_info;      ///< 0x088
  std::uint32_t exit_int_info_err;  ///< 0x08C
  std::uint64_t nested_control;     ///< 0x090: NP_ENABLE, SEV, SEV-ES
  std::uint64_t avic_apic_bar;      ///< 0x098
  std::uint64_t ghcb_gpa;           ///< 0x0A0
  std::uint32_t event_inject;       ///< 0x0A8
  std::uint32_t event_inject_err;   ///< 0x0AC
  std::uint64_t nested_cr3;         ///< 0x0B0
  std::uint64_t virt_ext;           ///< 0x0B8: LBR virtualization, virtual VMSAVE/VMLOAD
  std::uint32_t vmcb_clean;         ///< 0x0C0
  std::uint32_t reserved_0c4;
  std::uint64_t next_rip;           ///< 0x0C8 (with NRIP save)
  std::uint8_t insn_len;            ///< 0x0D0
  std::uint8_t insn_bytes[15];      ///< 0x0D1
  std::uint64_t avic_backing_page;  ///< 0x0E0
  std::uint8_t reserved_0e8[8];
  std::uint64_t avic_logical_table;   ///< 0x0F0
  std::uint64_t avic_physical_table;  ///< 0x0F8
  std::uint8_t reserved_100[8];
  std::uint64_t vmsa_pa;  ///< 0x108 (SEV-ES)
  std::uint8_t reserved_110[0x120 - 0x110];
  std::uint16_t bus_lock_counter;  ///< 0x120: bus locks before intercept_misc3::bus_lock exits
  std::uint8_t reserved_122[0x138 - 0x122];
  std::uint64_t allowed_sev_features;  ///< 0x138: SEV_FEATURES the guest may set (bit 63: valid)
  std::uint64_t guest_sev_features;    ///< 0x140: the guest's SEV_FEATURES, written on `#VMEXIT`
  std::uint8_t reserved_148[0x3E0 - 0x148];
  std::uint8_t reserved_for_software[32];  ///< 0x3E0
};

/// Offsets 0x400-0xFFF (the legacy, non-SEV-ES layout).
struct save_area {
  segment es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;  ///< 0x400-0x49F
  std::uint8_t reserved_4a0[0x4CA - 0x4A0];
  std::uint8_t vmpl;  ///< 0x4CA
  std::uint8_t cpl;   ///< 0x4CB
  std::uint8_t reserved_4cc[4];
  std::uint64_t efer;  ///< 0x4D0 (SVME must be set)
  std::uint8_t reserved_4d8[0x548 - 0x4D8];
  std::uint64_t cr4;     ///< 0x548
  std::uint64_t cr3;     ///< 0x550
  std::uint64_t cr0;     ///< 0x558
  std::uint64_t dr7;     ///< 0x560
  std::uint64_t dr6;     ///< 0x568
  std::uint64_t rflags;  ///< 0x570
  std::uint64_t rip;     ///< 0x578
  std::uint8_t reserved_580[0x5D8 - 0x580];
  std::uint64_t rsp;             ///< 0x5D8
  std::uint64_t s_cet;           ///< 0x5E0
  std::uint64_t ssp;             ///< 0x5E8
  std::uint64_t isst_addr;       ///< 0x5F0
  std::uint64_t rax;             ///< 0x5F8
  std::uint64_t star;            ///< 0x600
  std::uint64_t lstar;           ///< 0x608
  std::uint64_t cstar;           ///< 0x610
  std::uint64_t sfmask;          ///< 0x618
  std::uint64_t kernel_gs_base;  ///< 0x620
  std::uint64_t sysenter_cs;     ///< 0x628
  std::uint64_t sysenter_esp;    ///< 0x630
  std::uint64_t sysenter_eip;    ///< 0x638
  std::uint64_t cr2;             ///< 0x640
  std::uint8_t reserved_648[0x668 - 0x648];
  std::uint64_t g_pat;           ///< 0x668
  std::uint64_t dbgctl;          ///< 0x670
  std::uint64_t br_from;         ///< 0x678
  std::uint64_t br_to;           ///< 0x680
  std::uint64_t last_excp_from;  ///< 0x688
  std::uint64_t last_excp_to;    ///< 0x690
  std::uint8_t reserved_698[0x6E0 - 0x698];
  std::uint64_t spec_ctrl;  ///< 0x6E0
  std::uint8_t reserved_6e8[0x1000 - 0x6E8];
};

/// The whole 4 KiB VMCB.
struct alignas(4096) vmcb {
  control_area control;
  save_area save;
};

#define VIRTOPS_VMCB_AT(field, offset) static_assert(offsetof(vmcb, field) == (offset), #field)
VIRTOPS_VMCB_AT(control.intercept_cr, 0x000);
VIRTOPS_VMCB_AT(control.intercept_dr, 0x004);
VIRTOPS_VMCB_AT(control.intercept_exceptions, 0x008);
VIRTOPS_VMCB_AT(control.intercept_misc1, 0x00C);
VIRTOPS_VMCB_AT(control.intercept_misc2, 0x010);
VIRTOPS_VMCB_AT(control.intercept_misc3, 0x014);
VIRTOPS_VMCB_AT(control.pause_filter_threshold, 0x03C);
VIRTOPS_VMCB_AT(control.pause_filter_count, 0x03E);
VIRTOPS_VMCB_AT(control.iopm_base_pa, 0x040);
VIRTOPS_VMCB_AT(control.msrpm_base_pa, 0x048);
VIRTOPS_VMCB_AT(control.tsc_offset, 0x050);
VIRTOPS_VMCB_AT(control.guest_asid, 0x058);
VIRTOPS_VMCB_AT(control.tlb_control, 0x05C);
VIRTOPS_VMCB_AT(control.int_control, 0x060);
VIRTOPS_VMCB_AT(control.int_vector, 0x064);
VIRTOPS_VMCB_AT(control.int_state, 0x068);
VIRTOPS_VMCB_AT(control.exit_code, 0x070);
VIRTOPS_VMCB_AT(control.exit_info_1, 0x078);
VIRTOPS_VMCB_AT(control.exit_info_2, 0x080);
VIRTOPS_VMCB_AT(control.exit_int_info, 0x088);
VIRTOPS_VMCB_AT(control.exit_int_info_err, 0x08C);
VIRTOPS_VMCB_AT(control.nested_control, 0x090);
VIRTOPS_VMCB_AT(control.avic_apic_bar, 0x098);
VIRTOPS_VMCB_AT(control.ghcb_gpa, 0x0A0);
VIRTOPS_VMCB_AT(control.event_inject, 0x0A8);
VIRTOPS_VMCB_AT(control.event_inject_err, 0x0AC);
VIRTOPS_VMCB_AT(control.nested_cr3, 0x0B0);
VIRTOPS_VMCB_AT(control.virt_ext, 0x0B8);
VIRTOPS_VMCB_AT(control.vmcb_clean, 0x0C0);
VIRTOPS_VMCB_AT(control.next_rip, 0x0C8);
VIRTOPS_VMCB_AT(control.insn_len, 0x0D0);
VIRTOPS_VMCB_AT(control.insn_bytes, 0x0D1);
VIRTOPS_VMCB_AT(control.avic_backing_page, 0x0E0);
VIRTOPS_VMCB_AT(control.avic_logical_table, 0x0F0);
VIRTOPS_VMCB_AT(control.avic_physical_table, 0x0F8);
VIRTOPS_VMCB_AT(control.vmsa_pa, 0x108);
VIRTOPS_VMCB_AT(control.bus_lock_counter, 0x120);
VIRTOPS_VMCB_AT(control.allowed_sev_features, 0x138);
VIRTOPS_VMCB_AT(control.guest_sev_features, 0x140);
VIRTOPS_VMCB_AT(control.reserved_for_software, 0x3E0);
VIRTOPS_VMCB_AT(save.es, 0x400);
VIRTOPS_VMCB_AT(save.cs, 0x410);
VIRTOPS_VMCB_AT(save.ss, 0x420);
VIRTOPS_VMCB_AT(save.ds, 0x430);
VIRTOPS_VMCB_AT(save.fs, 0x440);
VIRTOPS_VMCB_AT(save.gs, 0x450);
VIRTOPS_VMCB_AT(save.gdtr, 0x460);
VIRTOPS_VMCB_AT(save.ldtr, 0x470);
VIRTOPS_VMCB_AT(save.idtr, 0x480);
VIRTOPS_VMCB_AT(save.tr, 0x490);
VIRTOPS_VMCB_AT(save.vmpl, 0x4CA);
VIRTOPS_VMCB_AT(save.cpl, 0x4CB);
VIRTOPS_VMCB_AT(save.efer, 0x4D0);
VIRTOPS_VMCB_AT(save.cr4, 0x548);
VIRTOPS_VMCB_AT(save.cr3, 0x550);
VIRTOPS_VMCB_AT(save.cr0, 0x558);
VIRTOPS_VMCB_AT(save.dr7, 0x560);
VIRTOPS_VMCB_AT(save.dr6, 0x568);
VIRTOPS_VMCB_AT(save.rflags, 0x570);
VIRTOPS_VMCB_AT(save.rip, 0x578);
VIRTOPS_VMCB_AT(save.rsp, 0x5D8);
VIRTOPS_VMCB_AT(save.s_cet, 0x5E0);
VIRTOPS_VMCB_AT(save.ssp, 0x5E8);
VIRTOPS_VMCB_AT(save.isst_addr, 0x5F0);
VIRTOPS_VMCB_AT(save.rax, 0x5F8);
VIRTOPS_VMCB_AT(save.star, 0x600);
VIRTOPS_VMCB_AT(save.lstar, 0x608);
VIRTOPS_VMCB_AT(save.cstar, 0x610);
VIRTOPS_VMCB_AT(save.sfmask, 0x618);
VIRTOPS_VMCB_AT(save.kernel_gs_base, 0x620);
VIRTOPS_VMCB_AT(save.sysenter_cs, 0x628);
VIRTOPS_VMCB_AT(save.sysenter_esp, 0x630);
VIRTOPS_VMCB_AT(save.sysenter_eip, 0x638);
VIRTOPS_VMCB_AT(save.cr2, 0x640);
VIRTOPS_VMCB_AT(save.g_pat, 0x668);
VIRTOPS_VMCB_AT(save.dbgctl, 0x670);
VIRTOPS_VMCB_AT(save.br_from, 0x678);
VIRTOPS_VMCB_AT(save.br_to, 0x680);
VIRTOPS_VMCB_AT(save.last_excp_from, 0x688);
VIRTOPS_VMCB_AT(save.last_excp_to, 0x690);
VIRTOPS_VMCB_AT(save.spec_ctrl, 0x6E0);
#undef VIRTOPS_VMCB_AT
static_assert(sizeof(control_area) == 0x400 && sizeof(save_area) == 0xC00);
static_assert(sizeof(vmcb) == 4096 && alignof(vmcb) == 4096);

/// Bits of control_area::intercept_misc1 (offset 0x00C).
namespace intercept_misc1 {
inline constexpr std::uint32_t intr = 1u << 0;
inline constexpr std::uint32_t nmi = 1u << 1;
inline constexpr std::uint32_t smi = 1u << 2;
inline constexpr std::uint32_t init = 1u << 3;
inline constexpr std::uint32_t vintr = 1u << 4;
inline constexpr std::uint32_t cr0_sel_write = 1u << 5;
inline constexpr std::uint32_t read_idtr = 1u << 6;
inline constexpr std::uint32_t read_gdtr = 1u << 7;
inline constexpr std::uint32_t read_ldtr = 1u << 8;
inline constexpr std::uint32_t read_tr = 1u << 9;
inline constexpr std::uint32_t write_idtr = 1u << 10;
inline constexpr std::uint32_t write_gdtr = 1u << 11;
inline constexpr std::uint32_t write_ldtr = 1u << 12;
inline constexpr std::uint32_t write_tr = 1u << 13;
inline constexpr std::uint32_t rdtsc = 1u << 14;
inline constexpr std::uint32_t rdpmc = 1u << 15;
inline constexpr std::uint32_t pushf = 1u << 16;
inline constexpr std::uint32_t popf = 1u << 17;
inline constexpr std::uint32_t cpuid = 1u << 18;
inline constexpr std::uint32_t rsm = 1u << 19;
inline constexpr std::uint32_t iret = 1u << 20;
inline constexpr std::uint32_t intn = 1u << 21;
inline constexpr std::uint32_t invd = 1u << 22;
inline constexpr std::uint32_t pause = 1u << 23;
inline constexpr std::uint32_t hlt = 1u << 24;
inline constexpr std::uint32_t invlpg = 1u << 25;
inline constexpr std::uint32_t invlpga = 1u << 26;
inline constexpr std::uint32_t ioio_prot = 1u << 27;
inline constexpr std::uint32_t msr_prot = 1u << 28;
inline constexpr std::uint32_t task_switch = 1u << 29;
inline constexpr std::uint32_t ferr_freeze = 1u << 30;
inline constexpr std::uint32_t shutdown = 1u << 31;
}  // namespace intercept_misc1

/// Bits of control_area::intercept_misc2 (offset 0x010). VMRUN must be set.
/// Bits 16-31 trap writes to CR0-CR15 after the instruction completes
/// (`#VMEXIT` code exit_code::cr0_write_trap + n).
namespace intercept_misc2 {
inline constexpr std::uint32_t vmrun = 1u << 0;
inline constexpr std::uint32_t vmmcall = 1u << 1;
inline constexpr std::uint32_t vmload = 1u << 2;
inline constexpr std::uint32_t vmsave = 1u << 3;
inline constexpr std::uint32_t stgi = 1u << 4;
inline constexpr std::uint32_t clgi = 1u << 5;
inline constexpr std::uint32_t skinit = 1u << 6;
inline constexpr std::uint32_t rdtscp = 1u << 7;
inline constexpr std::uint32_t icebp = 1u << 8;
inline constexpr std::uint32_t wbinvd = 1u << 9;
inline constexpr std::uint32_t monitor = 1u << 10;
inline constexpr std::uint32_t mwait = 1u << 11;
inline constexpr std::uint32_t mwait_conditional = 1u << 12;
inline constexpr std::uint32_t xsetbv = 1u << 13;
inline constexpr std::uint32_t rdpru = 1u << 14;
inline constexpr std::uint32_t efer_write_trap = 1u << 15;
inline constexpr std::uint32_t cr0_write_trap = 1u << 16;
inline constexpr std::uint32_t cr1_write_trap = 1u << 17;
inline constexpr std::uint32_t cr2_write_trap = 1u << 18;
inline constexpr std::uint32_t cr3_write_trap = 1u << 19;
inline constexpr std::uint32_t cr4_write_trap = 1u << 20;
inline constexpr std::uint32_t cr5_write_trap = 1u << 21;
inline constexpr std::uint32_t cr6_write_trap = 1u << 22;
inline constexpr std::uint32_t cr7_write_trap = 1u << 23;
inline constexpr std::uint32_t cr8_write_trap = 1u << 24;
inline constexpr std::uint32_t cr9_write_trap = 1u << 25;
inline constexpr std::uint32_t cr10_write_trap = 1u << 26;
inline constexpr std::uint32_t cr11_write_trap = 1u << 27;
inline constexpr std::uint32_t cr12_write_trap = 1u << 28;
inline constexpr std::uint32_t cr13_write_trap = 1u << 29;
inline constexpr std::uint32_t cr14_write_trap = 1u << 30;
inline constexpr std::uint32_t cr15_write_trap = 1u << 31;
/// The write-trap bit for CRn, n < 16.
constexpr std::uint32_t cr_write_trap(unsigned n) noexcept { return 1u << (16 + (n & 15)); }
}  // namespace intercept_misc2

/// Bits of control_area::intercept_misc3 (offset 0x014).
namespace intercept_misc3 {
inline constexpr std::uint32_t invlpgb = 1u << 0;          ///< INVLPGB
inline constexpr std::uint32_t invlpgb_illegal = 1u << 1;  ///< INVLPGB with illegal operands
inline constexpr std::uint32_t invpcid = 1u << 2;          ///< INVPCID
inline constexpr std::uint32_t mcommit = 1u << 3;          ///< MCOMMIT
inline constexpr std::uint32_t tlbsync = 1u << 4;          ///< TLBSYNC
/// A bus lock while control_area::bus_lock_counter is 0.
inline constexpr std::uint32_t bus_lock = 1u << 5;
/// HLT with no V_INTR or V_NMI pending (intercept_misc1::hlt, if also set, wins).
inline constexpr std::uint32_t idle_hlt = 1u << 6;
}  // namespace intercept_misc3

// The #VMEXIT codes (APM Vol. 2, Appendix C). The ranges: name (the
// range's first code), first code, one past the last, the name to_string
// gives each code in it. Then the single codes: name, code.
// clang-format off
#define VIRTOPS_DETAIL_SVM_EXIT_CODE_RANGES(X) \
  X(cr0_read, 0x000, 0x010, cr_read)           \
  X(cr0_write, 0x010, 0x020, cr_write)         \
  X(dr0_read, 0x020, 0x030, dr_read)           \
  X(dr0_write, 0x030, 0x040, dr_write)         \
  X(exception_base, 0x040, 0x060, exception)   \
  X(cr0_write_trap, 0x090, 0x0A0, cr_write_trap) /* after the write (intercept_misc2) */

#define VIRTOPS_DETAIL_SVM_EXIT_CODES(X) \
  X(intr, 0x060)                         \
  X(nmi, 0x061)                          \
  X(smi, 0x062)                          \
  X(init, 0x063)                         \
  X(vintr, 0x064)                        \
  X(cr0_sel_write, 0x065)                \
  X(idtr_read, 0x066)                    \
  X(gdtr_read, 0x067)                    \
  X(ldtr_read, 0x068)                    \
  X(tr_read, 0x069)                      \
  X(idtr_write, 0x06A)                   \
  X(gdtr_write, 0x06B)                   \
  X(ldtr_write, 0x06C)                   \
  X(tr_write, 0x06D)                     \
  X(rdtsc, 0x06E)                        \
  X(rdpmc, 0x06F)                        \
  X(pushf, 0x070)                        \
  X(popf, 0x071)                         \
  X(cpuid, 0x072)                        \
  X(rsm, 0x073)                          \
  X(iret, 0x074)                         \
  X(swint, 0x075)                        \
  X(invd, 0x076)                         \
  X(pause, 0x077)                        \
  X(hlt, 0x078)                          \
  X(invlpg, 0x079)                       \
  X(invlpga, 0x07A)                      \
  X(ioio, 0x07B)                         \
  X(msr, 0x07C)                          \
  X(task_switch, 0x07D)                  \
  X(ferr_freeze, 0x07E)                  \
  X(shutdown, 0x07F)                     \
  X(vmrun, 0x080)                        \
  X(vmmcall, 0x081)                      \
  X(vmload, 0x082)                       \
  X(vmsave, 0x083)                       \
  X(stgi, 0x084)                         \
  X(clgi, 0x085)                         \
  X(skinit, 0x086)                       \
  X(rdtscp, 0x087)                       \
  X(icebp, 0x088)                        \
  X(wbinvd, 0x089)                       \
  X(monitor, 0x08A)                      \
  X(mwait, 0x08B)                        \
  X(mwait_conditional, 0x08C)            \
  X(xsetbv, 0x08D)                       \
  X(rdpru, 0x08E)                        \
  X(efer_write_trap, 0x08F)              \
  X(invlpgb, 0x0A0)                      \
  X(invlpgb_illegal, 0x0A1)              \
  X(invpcid, 0x0A2)                      \
  X(mcommit, 0x0A3)                      \
  X(tlbsync, 0x0A4)                      \
  X(bus_lock, 0x0A5)                     \
  X(idle_hlt, 0x0A6)                     \
  X(npf, 0x400)                          \
  X(avic_incomplete_ipi, 0x401)          \
  X(avic_unaccelerated_access, 0x402)    \
  X(vmgexit, 0x403)                      \
  X(software, 0xF0000000)
// clang-format on

/// `#VMEXIT` codes (control_area::exit_code). A range (CR/DR access,
/// exceptions, CR write traps) is its first code: cr0_read + CR number,
/// exception_base + vector, and so on.
// clang-format off
enum class exit_code : std::uint64_t {
  invalid = ~std::uint64_t{0},  ///< VMEXIT_INVALID: a consistency check failed
#define VIRTOPS_DETAIL_X(name, first, end, range) name = first,
  VIRTOPS_DETAIL_SVM_EXIT_CODE_RANGES(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
#define VIRTOPS_DETAIL_X(name, code) name = code,
  VIRTOPS_DETAIL_SVM_EXIT_CODES(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
};
// clang-format on
// exit_code::software (0xF000'0000) is never written by the CPU: the APM
// reserves it for the host, e.g. a hypervisor's synthetic exits to a nested
// guest (Linux's SVM_EXIT_SW, Hyper-V's enlightened exit).

// The table check: no single code lies in a range (to_string would name it
// by the range) or is VMEXIT_INVALID's low half.
static_assert(
    [] {
      constexpr std::uint64_t singles[] = {
#define VIRTOPS_DETAIL_X(name, code) code,
          VIRTOPS_DETAIL_SVM_EXIT_CODES(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
      };
      for (const std::uint64_t c : singles) {
        if (static_cast<std::uint32_t>(c) == 0xffffffffu) return false;
#define VIRTOPS_DETAIL_X(name, first, end, range) \
  if (c - (first) < std::uint64_t{(end) - (first)}) return false;
        VIRTOPS_DETAIL_SVM_EXIT_CODE_RANGES(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
      }
      return true;
    }(),
    "vmcb::exit_code: a single code inside a range");

/// VMEXIT_INVALID, whether the CPU stored it as 64-bit -1 (Bochs, hardware)
/// or only its low 32 bits (QEMU TCG).
constexpr bool is_invalid(std::uint64_t code) noexcept {
  return static_cast<std::uint32_t>(code) == 0xffffffffu;
}

/// The code's name; ranges (CR/DR access, exceptions, CR write traps) print
/// their range's name ("cr_read", "exception", ...); codes not in the APM's
/// table print "unknown". The host-reserved code prints "software".
constexpr const char* to_string(exit_code c) noexcept {
  const auto v = static_cast<std::uint64_t>(c);
  if (is_invalid(v)) return "invalid";
#define VIRTOPS_DETAIL_X(name, first, end, range) \
  if (v - (first) < std::uint64_t{(end) - (first)}) return #range;
  VIRTOPS_DETAIL_SVM_EXIT_CODE_RANGES(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
  switch (c) {
#define VIRTOPS_DETAIL_X(name, code) \
  case exit_code::name: return #name;
    VIRTOPS_DETAIL_SVM_EXIT_CODES(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
    default: return "unknown";
  }
}

#undef VIRTOPS_DETAIL_SVM_EXIT_CODE_RANGES
#undef VIRTOPS_DETAIL_SVM_EXIT_CODES

/// The MSRs that SVM operation needs (APM Vol. 2, 15.30 and Appendix A).
namespace msr {
inline constexpr std::uint32_t efer = 0xC0000080;     ///< EFER; SVM needs efer::svme
inline constexpr std::uint32_t vm_cr = 0xC0010114;    ///< VM_CR; see the vm_cr bits
inline constexpr std::uint32_t ignne = 0xC0010115;    ///< IGNNE: the IGNNE# signal's state
inline constexpr std::uint32_t smm_ctl = 0xC0010116;  ///< SMM_CTL: SMM entry/exit control
/// VM_HSAVE_PA: the physical address (4 KiB aligned) of the page where VMRUN
/// saves host state; set it before the first VMRUN.
inline constexpr std::uint32_t vm_hsave_pa = 0xC0010117;
}  // namespace msr

/// EFER bits SVM operation depends on.
namespace efer {
/// EFER.SVME (bit 12): without it VMRUN, VMLOAD, VMSAVE, CLGI and INVLPGA
/// raise `#UD` (STGI too, unless SKINIT is supported); a guest EFER
/// (save_area::efer) without it fails VMRUN's consistency checks.
inline constexpr std::uint64_t svme = std::uint64_t{1} << 12;
}  // namespace efer

/// VM_CR bits.
namespace vm_cr {
inline constexpr std::uint64_t dpd = 1u << 0;       ///< debug port disable
inline constexpr std::uint64_t r_init = 1u << 1;    ///< INIT is turned into `#SX`
inline constexpr std::uint64_t dis_a20m = 1u << 2;  ///< A20M# disabled
inline constexpr std::uint64_t lock = 1u << 3;      ///< SVMDIS is locked
/// SVM disabled: EFER.SVME cannot be set (BIOS switched SVM off).
inline constexpr std::uint64_t svmdis = 1u << 4;
}  // namespace vm_cr

}  // namespace virtops::vmcb
