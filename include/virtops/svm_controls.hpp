/// \file
/// virtops: the values of the VMCB control fields by name (AMD APM Vol. 2,
/// Appendix B, Table B-1, and 15.15.3 for the clean bits): TLB_CONTROL,
/// the V_INTR fields of int_control, int_state, nested_control, virt_ext
/// and vmcb_clean. The layout itself is vmcb.hpp's.
#pragma once

#include "checked.hpp"
#include "detail/std.hpp"

namespace virtops::vmcb {

/// control_area::tlb_control (offset 0x05C).
enum class tlb_control : std::uint8_t {
  do_nothing = 0x00,
  flush_all = 0x01,              ///< every ASID's entries (the host's too)
  flush_guest = 0x03,            ///< this guest's ASID (needs feature::flush_by_asid)
  flush_guest_non_global = 0x07  ///< this ASID's non-global entries (feature::flush_by_asid)
};

/// Whether `value` is a TLB_CONTROL value the APM defines (VMRUN with any
/// other is a consistency-check failure on CPUs with FlushByAsid).
constexpr bool is_defined(tlb_control value) noexcept {
  switch (value) {
    case tlb_control::do_nothing:
    case tlb_control::flush_all:
    case tlb_control::flush_guest:
    case tlb_control::flush_guest_non_global: return true;
  }
  return false;
}

/// Why a field could not be set.
enum class field_error : std::uint8_t {
  none,
  value_too_wide,  ///< the value does not fit the field
};

/// A field of control_area::int_control (offset 0x060): `width` bits from
/// `shift`.
struct int_control_field {
  std::uint8_t shift;
  std::uint8_t width;
  constexpr std::uint32_t max() const noexcept { return width >= 32 ? ~0u : (1u << width) - 1u; }
  constexpr std::uint32_t mask() const noexcept { return max() << shift; }
};

/// The fields of control_area::int_control (Table B-1, offset 060h bits
/// 31:0; V_INTR_VECTOR, bits 39:32 there, is control_area::int_vector).
namespace int_control {
/// V_TPR: the guest's 4-bit virtual TPR (bits 7:4 of the byte are SBZ).
inline constexpr int_control_field v_tpr{0, 4};
inline constexpr int_control_field v_irq{8, 1};           ///< a virtual interrupt is pending
inline constexpr int_control_field v_gif{9, 1};           ///< the virtual GIF (with v_gif_enable)
inline constexpr int_control_field v_nmi_pending{11, 1};  ///< a virtual NMI is pending (vNMI)
inline constexpr int_control_field v_nmi_mask{12, 1};     ///< virtual NMIs blocked (vNMI)
inline constexpr int_control_field v_intr_prio{16, 4};    ///< the pending interrupt's priority
inline constexpr int_control_field v_ign_tpr{20, 1};      ///< ignore V_TPR for it
/// V_INTR_MASKING: the guest's RFLAGS.IF and TPR are virtual; the host's
/// ones control physical interrupts.
inline constexpr int_control_field v_intr_masking{24, 1};
inline constexpr int_control_field v_gif_enable{25, 1};   ///< virtual GIF (feature::vgif)
inline constexpr int_control_field v_nmi_enable{26, 1};   ///< virtual NMI (feature::vnmi)
inline constexpr int_control_field x2avic_enable{30, 1};  ///< x2APIC mode AVIC (feature::x2avic)
inline constexpr int_control_field avic_enable{31, 1};    ///< AVIC (feature::avic)
}  // namespace int_control

/// `word` with `field` set to `value` and every other bit unchanged, or
/// field_error::value_too_wide (and nothing changed) if it does not fit.
constexpr virtops::checked<std::uint32_t, field_error> with(std::uint32_t word,
                                                            int_control_field field,
                                                            std::uint32_t value) noexcept {
  if (value > field.max()) return field_error::value_too_wide;
  return (word & ~field.mask()) | (value << field.shift);
}

/// The value of `field` in `word`.
constexpr std::uint32_t get(std::uint32_t word, int_control_field field) noexcept {
  return (word >> field.shift) & field.max();
}

/// control_area::int_vector (offset 0x064): bits 7:0 are V_INTR_VECTOR, the
/// vector of the pending virtual interrupt.
inline constexpr std::uint32_t int_vector_mask = 0xff;

/// Bits of control_area::int_state (offset 0x068).
namespace int_state {
/// The guest is in an interrupt shadow (after STI or MOV SS).
inline constexpr std::uint32_t interrupt_shadow = 1u << 0;
/// GUEST_INTERRUPT_MASK: the guest's RFLAGS.IF, written on `#VMEXIT` when
/// V_INTR_MASKING is set.
inline constexpr std::uint32_t guest_interrupt_mask = 1u << 1;
}  // namespace int_state

/// Bits of control_area::nested_control (offset 0x090).
namespace nested_control {
inline constexpr std::uint64_t np_enable = 1u << 0;      ///< nested paging (nested_cr3)
inline constexpr std::uint64_t sev_enable = 1u << 1;     ///< Secure Encrypted Virtualization
inline constexpr std::uint64_t sev_es_enable = 1u << 2;  ///< SEV-ES (encrypted state)
inline constexpr std::uint64_t gmet_enable = 1u << 3;    ///< guest-mode execute trap
/// Supervisor shadow-stack restrictions in the nested page tables
/// (feature::supervisor_shadow_stack_check).
inline constexpr std::uint64_t sss_check_enable = 1u << 4;
inline constexpr std::uint64_t vte_enable = 1u << 5;  ///< virtual transparent encryption
/// Read-only guest page tables (feature::read_only_guest_page_tables).
inline constexpr std::uint64_t rogpt_enable = 1u << 6;
/// The guest may execute INVLPGB and TLBSYNC, else they raise `#UD`
/// (feature::tlbi_control).
inline constexpr std::uint64_t invlpgb_tlbsync_enable = 1u << 7;
}  // namespace nested_control

/// Bits of control_area::virt_ext (offset 0x0B8).
namespace virt_ext {
/// LBR virtualization: the guest's DBGCTL and LBRs are in the save area.
inline constexpr std::uint64_t lbr_virtualization_enable = 1u << 0;
/// VMSAVE and VMLOAD in the guest act on guest-physical addresses without a
/// `#VMEXIT` (feature::vmsave_vmload_virtualization; needs nested paging).
inline constexpr std::uint64_t vmsave_vmload_virtualization_enable = 1u << 1;
/// IBS virtualization (feature::ibs_virtualization).
inline constexpr std::uint64_t ibs_virtualization_enable = 1u << 2;
}  // namespace virt_ext

/// Bits of control_area::vmcb_clean (offset 0x0C0; APM 15.15.3). A set bit
/// tells the CPU its group is unchanged since the last VMRUN of this VMCB
/// on this CPU and may be taken from its cache; a bit the CPU does not know
/// is ignored, so clear every bit of a VMCB it has not run yet.
namespace clean {
/// Intercept vectors, TSC offset, pause-filter count and threshold.
inline constexpr std::uint32_t intercepts = 1u << 0;
inline constexpr std::uint32_t iopm = 1u << 1;  ///< IOPM_BASE_PA, MSRPM_BASE_PA
inline constexpr std::uint32_t asid = 1u << 2;  ///< guest_asid
/// V_TPR, V_IRQ, V_INTR_PRIO, V_IGN_TPR, V_INTR_MASKING, V_INTR_VECTOR.
inline constexpr std::uint32_t tpr = 1u << 3;
inline constexpr std::uint32_t np = 1u << 4;    ///< NP_ENABLE, nested_cr3, g_pat
inline constexpr std::uint32_t crx = 1u << 5;   ///< CR0, CR3, CR4, EFER
inline constexpr std::uint32_t drx = 1u << 6;   ///< DR6, DR7
inline constexpr std::uint32_t dt = 1u << 7;    ///< GDTR, IDTR
inline constexpr std::uint32_t seg = 1u << 8;   ///< CS, DS, SS, ES, CPL
inline constexpr std::uint32_t cr2 = 1u << 9;   ///< CR2
inline constexpr std::uint32_t lbr = 1u << 10;  ///< DBGCTL, BR_FROM/TO, LASTEXCP_FROM/TO
/// AVIC APIC_BAR, backing page, logical and physical table pointers.
inline constexpr std::uint32_t avic = 1u << 11;
inline constexpr std::uint32_t cet = 1u << 12;  ///< S_CET, SSP, ISST_ADDR
/// Every bit the APM defines.
inline constexpr std::uint32_t all = (1u << 13) - 1u;
}  // namespace clean

}  // namespace virtops::vmcb
