/// \file
/// virtops: the AMD VMCB (AMD64 APM Vol. 2, Appendix B): control area,
/// state-save area, intercept bits and exit codes. Standard layout, with
/// every field's offset checked at compile time.
#pragma once

#include <cstddef>
#include <cstdint>

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
  std::uint32_t intercept_misc3;       ///< 0x014
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
  std::uint8_t reserved_110[0x3E0 - 0x110];
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
inline constexpr std::uint32_t intr = 1u << 0, nmi = 1u << 1, smi = 1u << 2, init = 1u << 3,
                               vintr = 1u << 4, cr0_sel_write = 1u << 5, read_idtr = 1u << 6,
                               read_gdtr = 1u << 7, read_ldtr = 1u << 8, read_tr = 1u << 9,
                               write_idtr = 1u << 10, write_gdtr = 1u << 11, write_ldtr = 1u << 12,
                               write_tr = 1u << 13, rdtsc = 1u << 14, rdpmc = 1u << 15,
                               pushf = 1u << 16, popf = 1u << 17, cpuid = 1u << 18, rsm = 1u << 19,
                               iret = 1u << 20, intn = 1u << 21, invd = 1u << 22, pause = 1u << 23,
                               hlt = 1u << 24, invlpg = 1u << 25, invlpga = 1u << 26,
                               ioio_prot = 1u << 27, msr_prot = 1u << 28, task_switch = 1u << 29,
                               ferr_freeze = 1u << 30, shutdown = 1u << 31;
}  // namespace intercept_misc1

/// Bits of control_area::intercept_misc2 (offset 0x010). VMRUN must be set.
namespace intercept_misc2 {
inline constexpr std::uint32_t vmrun = 1u << 0, vmmcall = 1u << 1, vmload = 1u << 2,
                               vmsave = 1u << 3, stgi = 1u << 4, clgi = 1u << 5, skinit = 1u << 6,
                               rdtscp = 1u << 7, icebp = 1u << 8, wbinvd = 1u << 9,
                               monitor = 1u << 10, mwait = 1u << 11, mwait_conditional = 1u << 12,
                               xsetbv = 1u << 13, rdpru = 1u << 14, efer_write_trap = 1u << 15;
}  // namespace intercept_misc2

/// `#VMEXIT` codes (control_area::exit_code).
enum class exit_code : std::uint64_t {
  cr0_read = 0x000,
  cr0_write = 0x010,
  dr0_read = 0x020,
  dr0_write = 0x030,
  exception_base = 0x040,  ///< + vector
  intr = 0x060,
  nmi = 0x061,
  smi = 0x062,
  init = 0x063,
  vintr = 0x064,
  cr0_sel_write = 0x065,
  idtr_read = 0x066,
  gdtr_read = 0x067,
  ldtr_read = 0x068,
  tr_read = 0x069,
  idtr_write = 0x06A,
  gdtr_write = 0x06B,
  ldtr_write = 0x06C,
  tr_write = 0x06D,
  rdtsc = 0x06E,
  rdpmc = 0x06F,
  pushf = 0x070,
  popf = 0x071,
  cpuid = 0x072,
  rsm = 0x073,
  iret = 0x074,
  swint = 0x075,
  invd = 0x076,
  pause = 0x077,
  hlt = 0x078,
  invlpg = 0x079,
  invlpga = 0x07A,
  ioio = 0x07B,
  msr = 0x07C,
  task_switch = 0x07D,
  ferr_freeze = 0x07E,
  shutdown = 0x07F,
  vmrun = 0x080,
  vmmcall = 0x081,
  vmload = 0x082,
  vmsave = 0x083,
  stgi = 0x084,
  clgi = 0x085,
  skinit = 0x086,
  rdtscp = 0x087,
  icebp = 0x088,
  wbinvd = 0x089,
  monitor = 0x08A,
  mwait = 0x08B,
  mwait_conditional = 0x08C,
  xsetbv = 0x08D,
  rdpru = 0x08E,
  efer_write_trap = 0x08F,
  cr0_write_trap = 0x090,
  invlpgb = 0x0A0,
  invlpgb_illegal = 0x0A1,
  invpcid = 0x0A2,
  mcommit = 0x0A3,
  tlbsync = 0x0A4,
  npf = 0x400,
  avic_incomplete_ipi = 0x401,
  avic_unaccelerated_access = 0x402,
  vmgexit = 0x403,
  invalid = ~std::uint64_t{0},  ///< VMEXIT_INVALID: a consistency check failed
};

/// VMEXIT_INVALID, whether the CPU stored it as 64-bit -1 (Bochs, hardware)
/// or only its low 32 bits (QEMU TCG).
constexpr bool is_invalid(std::uint64_t code) noexcept {
  return static_cast<std::uint32_t>(code) == 0xffffffffu;
}

/// The code's name; ranges (CR/DR access, exceptions) print their base name.
constexpr const char* to_string(exit_code c) noexcept {
  const auto v = static_cast<std::uint64_t>(c);
  if (is_invalid(v)) return "invalid";
  if (v < 0x010) return "cr_read";
  if (v < 0x020) return "cr_write";
  if (v < 0x030) return "dr_read";
  if (v < 0x040) return "dr_write";
  if (v < 0x060) return "exception";
  if (v >= 0x090 && v < 0x0A0) return "cr_write_trap";
  switch (c) {
    case exit_code::intr: return "intr";
    case exit_code::nmi: return "nmi";
    case exit_code::smi: return "smi";
    case exit_code::init: return "init";
    case exit_code::vintr: return "vintr";
    case exit_code::cr0_sel_write: return "cr0_sel_write";
    case exit_code::idtr_read: return "idtr_read";
    case exit_code::gdtr_read: return "gdtr_read";
    case exit_code::ldtr_read: return "ldtr_read";
    case exit_code::tr_read: return "tr_read";
    case exit_code::idtr_write: return "idtr_write";
    case exit_code::gdtr_write: return "gdtr_write";
    case exit_code::ldtr_write: return "ldtr_write";
    case exit_code::tr_write: return "tr_write";
    case exit_code::rdtsc: return "rdtsc";
    case exit_code::rdpmc: return "rdpmc";
    case exit_code::pushf: return "pushf";
    case exit_code::popf: return "popf";
    case exit_code::cpuid: return "cpuid";
    case exit_code::rsm: return "rsm";
    case exit_code::iret: return "iret";
    case exit_code::swint: return "swint";
    case exit_code::invd: return "invd";
    case exit_code::pause: return "pause";
    case exit_code::hlt: return "hlt";
    case exit_code::invlpg: return "invlpg";
    case exit_code::invlpga: return "invlpga";
    case exit_code::ioio: return "ioio";
    case exit_code::msr: return "msr";
    case exit_code::task_switch: return "task_switch";
    case exit_code::ferr_freeze: return "ferr_freeze";
    case exit_code::shutdown: return "shutdown";
    case exit_code::vmrun: return "vmrun";
    case exit_code::vmmcall: return "vmmcall";
    case exit_code::vmload: return "vmload";
    case exit_code::vmsave: return "vmsave";
    case exit_code::stgi: return "stgi";
    case exit_code::clgi: return "clgi";
    case exit_code::skinit: return "skinit";
    case exit_code::rdtscp: return "rdtscp";
    case exit_code::icebp: return "icebp";
    case exit_code::wbinvd: return "wbinvd";
    case exit_code::monitor: return "monitor";
    case exit_code::mwait: return "mwait";
    case exit_code::mwait_conditional: return "mwait_conditional";
    case exit_code::xsetbv: return "xsetbv";
    case exit_code::rdpru: return "rdpru";
    case exit_code::efer_write_trap: return "efer_write_trap";
    case exit_code::invlpgb: return "invlpgb";
    case exit_code::invlpgb_illegal: return "invlpgb_illegal";
    case exit_code::invpcid: return "invpcid";
    case exit_code::mcommit: return "mcommit";
    case exit_code::tlbsync: return "tlbsync";
    case exit_code::npf: return "npf";
    case exit_code::avic_incomplete_ipi: return "avic_incomplete_ipi";
    case exit_code::avic_unaccelerated_access: return "avic_unaccelerated_access";
    case exit_code::vmgexit: return "vmgexit";
    default: return "unknown";
  }
}

}  // namespace virtops::vmcb
