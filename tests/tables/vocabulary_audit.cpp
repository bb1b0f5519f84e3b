// The SVM vocabulary's and the permission bitmaps' numbers (svm_features,
// svm_controls, svm_event, svm_exit_info, msr_bitmap, io_bitmap) against
// the numbers Linux, Xen and Bochs give the same things. Numbers and the
// peers' identifiers only, written from (no code or text copied):
//   Linux  arch/x86/include/asm/cpufeatures.h (word 15, CPUID 0x8000000A
//          EDX), arch/x86/include/asm/svm.h (TLB_CONTROL_*, V_*_SHIFT,
//          SVM_NESTED_CTL_*, SVM_EVTINJ_*, SVM_IOIO_*, ...),
//          arch/x86/kvm/svm/svm.h (enum VMCB_INTERCEPTS..., IOPM_SIZE,
//          MSRPM_SIZE), arch/x86/include/asm/kvm_host.h (PFERR_*_BIT),
//          arch/x86/include/asm/trap_pf.h (X86_PF_SHSTK)
//   Xen    xen/arch/x86/include/asm/hvm/svm.h (SVM_FEATURE_*),
//          xen/arch/x86/hvm/svm/vmcb.h (TLB_CTRL_*, intinfo_t, intstat_t,
//          vintr_t bit-fields, whose positions are their declared order)
//   Bochs  bochs/cpu/cpuid.h (BX_CPUID_SVM_*)
// Each row: the peer, the peer's name, its number, and the virtops constant
// it is, compared by value. Every virtops constant below must be carried by
// some peer row, or be listed with the reason no peer has it (the APM alone).
#include <cstring>
#include <virtops/io_bitmap.hpp>
#include <virtops/msr_bitmap.hpp>
#include <virtops/svm_controls.hpp>
#include <virtops/svm_event.hpp>
#include <virtops/svm_exit_info.hpp>
#include <virtops/svm_features.hpp>

#include "audit.hpp"

namespace svm = virtops::svm;
namespace vmx = virtops::vmx;
namespace vmcb = virtops::vmcb;

namespace {

struct row {
  const char* who;
  const char* peer_name;
  std::uint64_t peer_value;
  const char* ours;
  std::uint64_t ours_value;
};
struct ours_constant {
  const char* name;
  std::uint64_t value;
  const char* apm_only;  ///< why no peer row carries it, or nullptr
};

#define R(who, peer_name, value, ours) \
  row { who, peer_name, static_cast<std::uint64_t>(value), #ours, static_cast<std::uint64_t>(ours) }
#define FEAT(f) (std::uint64_t{1} << static_cast<unsigned>(svm::feature::f))
#define SHIFT(f) static_cast<std::uint64_t>(vmcb::int_control::f.shift)
#define OURS(x) \
  ours_constant { #x, static_cast < std::uint64_t>(x), nullptr }
#define ONLY(x, why) \
  ours_constant { #x, static_cast < std::uint64_t>(x), why }

constexpr std::uint64_t type(svm::event_type t) {
  return std::uint64_t{static_cast<unsigned>(t)} << 8;
}

// clang-format off
std::vector<row> rows() {
  using svm::event_type;
  return {
    // CPUID Fn8000_000A EDX.
    R("Linux", "X86_FEATURE_NPT", 1u << 0, FEAT(nested_paging)),
    R("Linux", "X86_FEATURE_LBRV", 1u << 1, FEAT(lbr_virtualization)),
    R("Linux", "X86_FEATURE_SVML", 1u << 2, FEAT(svm_lock)),
    R("Linux", "X86_FEATURE_NRIPS", 1u << 3, FEAT(nrip_save)),
    R("Linux", "X86_FEATURE_TSCRATEMSR", 1u << 4, FEAT(tsc_rate_msr)),
    R("Linux", "X86_FEATURE_VMCBCLEAN", 1u << 5, FEAT(vmcb_clean)),
    R("Linux", "X86_FEATURE_FLUSHBYASID", 1u << 6, FEAT(flush_by_asid)),
    R("Linux", "X86_FEATURE_DECODEASSISTS", 1u << 7, FEAT(decode_assists)),
    R("Linux", "X86_FEATURE_PAUSEFILTER", 1u << 10, FEAT(pause_filter)),
    R("Linux", "X86_FEATURE_PFTHRESHOLD", 1u << 12, FEAT(pause_filter_threshold)),
    R("Linux", "X86_FEATURE_AVIC", 1u << 13, FEAT(avic)),
    R("Linux", "X86_FEATURE_V_VMSAVE_VMLOAD", 1u << 15, FEAT(vmsave_vmload_virtualization)),
    R("Linux", "X86_FEATURE_VGIF", 1u << 16, FEAT(vgif)),
    R("Linux", "X86_FEATURE_X2AVIC", 1u << 18, FEAT(x2avic)),
    R("Linux", "X86_FEATURE_V_SPEC_CTRL", 1u << 20, FEAT(spec_ctrl_virtualization)),
    R("Linux", "X86_FEATURE_VNMI", 1u << 25, FEAT(vnmi)),
    R("Linux", "X86_FEATURE_AVIC_EXTLVT", 1u << 27, FEAT(extended_lvt_avic_access)),
    R("Linux", "X86_FEATURE_SVME_ADDR_CHK", 1u << 28, FEAT(vmcb_address_check)),
    R("Linux", "X86_FEATURE_BUS_LOCK_THRESHOLD", 1u << 29, FEAT(bus_lock_threshold)),
    R("Linux", "X86_FEATURE_IDLE_HLT", 1u << 30, FEAT(idle_hlt_intercept)),
    R("Xen", "SVM_FEATURE_NPT", 1u << 0, FEAT(nested_paging)),
    R("Xen", "SVM_FEATURE_LBRV", 1u << 1, FEAT(lbr_virtualization)),
    R("Xen", "SVM_FEATURE_SVML", 1u << 2, FEAT(svm_lock)),
    R("Xen", "SVM_FEATURE_NRIPS", 1u << 3, FEAT(nrip_save)),
    R("Xen", "SVM_FEATURE_TSCRATEMSR", 1u << 4, FEAT(tsc_rate_msr)),
    R("Xen", "SVM_FEATURE_VMCBCLEAN", 1u << 5, FEAT(vmcb_clean)),
    R("Xen", "SVM_FEATURE_FLUSHBYASID", 1u << 6, FEAT(flush_by_asid)),
    R("Xen", "SVM_FEATURE_DECODEASSISTS", 1u << 7, FEAT(decode_assists)),
    R("Xen", "SVM_FEATURE_PAUSEFILTER", 1u << 10, FEAT(pause_filter)),
    R("Xen", "SVM_FEATURE_PAUSETHRESH", 1u << 12, FEAT(pause_filter_threshold)),
    R("Xen", "SVM_FEATURE_VLOADSAVE", 1u << 15, FEAT(vmsave_vmload_virtualization)),
    R("Xen", "SVM_FEATURE_VGIF", 1u << 16, FEAT(vgif)),
    R("Xen", "SVM_FEATURE_SSS", 1u << 19, FEAT(supervisor_shadow_stack_check)),
    R("Xen", "SVM_FEATURE_SPEC_CTRL", 1u << 20, FEAT(spec_ctrl_virtualization)),
    R("Xen", "SVM_FEATURE_BUS_LOCK", 1u << 29, FEAT(bus_lock_threshold)),
    R("Bochs", "BX_CPUID_SVM_NESTED_PAGING", 1u << 0, FEAT(nested_paging)),
    R("Bochs", "BX_CPUID_SVM_LBR_VIRTUALIZATION", 1u << 1, FEAT(lbr_virtualization)),
    R("Bochs", "BX_CPUID_SVM_SVM_LOCK", 1u << 2, FEAT(svm_lock)),
    R("Bochs", "BX_CPUID_SVM_NRIP_SAVE", 1u << 3, FEAT(nrip_save)),
    R("Bochs", "BX_CPUID_SVM_TSCRATE", 1u << 4, FEAT(tsc_rate_msr)),
    R("Bochs", "BX_CPUID_SVM_VMCB_CLEAN_BITS", 1u << 5, FEAT(vmcb_clean)),
    R("Bochs", "BX_CPUID_SVM_FLUSH_BY_ASID", 1u << 6, FEAT(flush_by_asid)),
    R("Bochs", "BX_CPUID_SVM_DECODE_ASSIST", 1u << 7, FEAT(decode_assists)),
    R("Bochs", "BX_CPUID_SVM_PAUSE_FILTER", 1u << 10, FEAT(pause_filter)),
    R("Bochs", "BX_CPUID_SVM_PAUSE_FILTER_THRESHOLD", 1u << 12, FEAT(pause_filter_threshold)),
    R("Bochs", "BX_CPUID_SVM_AVIC", 1u << 13, FEAT(avic)),
    R("Bochs", "BX_CPUID_SVM_NESTED_VIRTUALIZATION", 1u << 15, FEAT(vmsave_vmload_virtualization)),
    R("Bochs", "BX_CPUID_SVM_VIRTUAL_GIF", 1u << 16, FEAT(vgif)),
    R("Bochs", "BX_CPUID_SVM_CMET", 1u << 17, FEAT(gmet)),

    // TLB_CONTROL.
    R("Linux", "TLB_CONTROL_DO_NOTHING", 0, vmcb::tlb_control::do_nothing),
    R("Linux", "TLB_CONTROL_FLUSH_ALL_ASID", 1, vmcb::tlb_control::flush_all),
    R("Linux", "TLB_CONTROL_FLUSH_ASID", 3, vmcb::tlb_control::flush_guest),
    R("Linux", "TLB_CONTROL_FLUSH_ASID_LOCAL", 7, vmcb::tlb_control::flush_guest_non_global),
    R("Xen", "TLB_CTRL_NO_FLUSH", 0, vmcb::tlb_control::do_nothing),
    R("Xen", "TLB_CTRL_FLUSH_ALL", 1, vmcb::tlb_control::flush_all),
    R("Xen", "TLB_CTRL_FLUSH_ASID", 3, vmcb::tlb_control::flush_guest),
    R("Xen", "TLB_CTRL_FLUSH_ASID_NONGLOBAL", 7, vmcb::tlb_control::flush_guest_non_global),

    // int_control fields (shifts), int_vector, int_state.
    R("Linux", "V_TPR_MASK", 0x0f, vmcb::int_control::v_tpr.mask()),
    R("Linux", "V_IRQ_SHIFT", 8, SHIFT(v_irq)),
    R("Linux", "V_GIF_SHIFT", 9, SHIFT(v_gif)),
    R("Linux", "V_NMI_PENDING_SHIFT", 11, SHIFT(v_nmi_pending)),
    R("Linux", "V_NMI_BLOCKING_SHIFT", 12, SHIFT(v_nmi_mask)),
    R("Linux", "V_INTR_PRIO_MASK", 0x0f << 16, vmcb::int_control::v_intr_prio.mask()),
    R("Linux", "V_IGN_TPR_SHIFT", 20, SHIFT(v_ign_tpr)),
    R("Linux", "V_INTR_MASKING_SHIFT", 24, SHIFT(v_intr_masking)),
    R("Linux", "V_GIF_ENABLE_SHIFT", 25, SHIFT(v_gif_enable)),
    R("Linux", "V_NMI_ENABLE_SHIFT", 26, SHIFT(v_nmi_enable)),
    R("Linux", "X2APIC_MODE_SHIFT", 30, SHIFT(x2avic_enable)),
    R("Linux", "AVIC_ENABLE_SHIFT", 31, SHIFT(avic_enable)),
    R("Linux", "SVM_INT_VECTOR_MASK", 0xff, vmcb::int_vector_mask),
    R("Xen", "vintr_t.tpr (bits 7:0, 4 used)", 0x0f, vmcb::int_control::v_tpr.mask()),
    R("Xen", "vintr_t.irq", 8, SHIFT(v_irq)),
    R("Xen", "vintr_t.vgif", 9, SHIFT(v_gif)),
    R("Xen", "vintr_t.prio", 16, SHIFT(v_intr_prio)),
    R("Xen", "vintr_t.ign_tpr", 20, SHIFT(v_ign_tpr)),
    R("Xen", "vintr_t.intr_masking", 24, SHIFT(v_intr_masking)),
    R("Xen", "vintr_t.vgif_enable", 25, SHIFT(v_gif_enable)),
    R("Linux", "SVM_INTERRUPT_SHADOW_MASK", 1, vmcb::int_state::interrupt_shadow),
    R("Linux", "SVM_GUEST_INTERRUPT_MASK", 2, vmcb::int_state::guest_interrupt_mask),
    R("Xen", "intstat_t.intr_shadow", 1, vmcb::int_state::interrupt_shadow),
    R("Xen", "intstat_t.guest_intr_mask", 2, vmcb::int_state::guest_interrupt_mask),

    // nested_control, virt_ext.
    R("Linux", "SVM_NESTED_CTL_NP_ENABLE", 1u << 0, vmcb::nested_control::np_enable),
    R("Linux", "SVM_NESTED_CTL_SEV_ENABLE", 1u << 1, vmcb::nested_control::sev_enable),
    R("Linux", "SVM_NESTED_CTL_SEV_ES_ENABLE", 1u << 2, vmcb::nested_control::sev_es_enable),
    R("Linux", "LBR_CTL_ENABLE_MASK", 1u << 0, vmcb::virt_ext::lbr_virtualization_enable),
    R("Linux", "VIRTUAL_VMLOAD_VMSAVE_ENABLE_MASK", 1u << 1,
      vmcb::virt_ext::vmsave_vmload_virtualization_enable),

    // VMCB clean bits (Linux's enum is the bit number).
    R("Linux", "VMCB_INTERCEPTS", 1u << 0, vmcb::clean::intercepts),
    R("Linux", "VMCB_PERM_MAP", 1u << 1, vmcb::clean::iopm),
    R("Linux", "VMCB_ASID", 1u << 2, vmcb::clean::asid),
    R("Linux", "VMCB_INTR", 1u << 3, vmcb::clean::tpr),
    R("Linux", "VMCB_NPT", 1u << 4, vmcb::clean::np),
    R("Linux", "VMCB_CR", 1u << 5, vmcb::clean::crx),
    R("Linux", "VMCB_DR", 1u << 6, vmcb::clean::drx),
    R("Linux", "VMCB_DT", 1u << 7, vmcb::clean::dt),
    R("Linux", "VMCB_SEG", 1u << 8, vmcb::clean::seg),
    R("Linux", "VMCB_CR2", 1u << 9, vmcb::clean::cr2),
    R("Linux", "VMCB_LBR", 1u << 10, vmcb::clean::lbr),
    R("Linux", "VMCB_AVIC", 1u << 11, vmcb::clean::avic),

    // EVENTINJ / EXITINTINFO.
    R("Linux", "SVM_EVTINJ_VEC_MASK", 0xff, svm::event::vector_mask),
    R("Linux", "SVM_EVTINJ_TYPE_MASK", 7u << 8, svm::event::type_mask),
    R("Linux", "SVM_EVTINJ_TYPE_INTR", 0u << 8, type(event_type::interrupt)),
    R("Linux", "SVM_EVTINJ_TYPE_NMI", 2u << 8, type(event_type::nmi)),
    R("Linux", "SVM_EVTINJ_TYPE_EXEPT", 3u << 8, type(event_type::exception)),
    R("Linux", "SVM_EVTINJ_TYPE_SOFT", 4u << 8, type(event_type::software_interrupt)),
    R("Linux", "SVM_EVTINJ_VALID_ERR", 1u << 11, svm::event::error_code_valid),
    R("Linux", "SVM_EVTINJ_VALID", 1u << 31, svm::event::valid_bit),
    R("Xen", "intinfo_t.vector", 0xff, svm::event::vector_mask),
    R("Xen", "intinfo_t.type", 7u << 8, svm::event::type_mask),
    R("Xen", "intinfo_t.ev", 1u << 11, svm::event::error_code_valid),
    R("Xen", "intinfo_t.resvd1 (19 bits)", 0x7ffff000, svm::event::reserved_mask),
    R("Xen", "intinfo_t.v", 1u << 31, svm::event::valid_bit),

    // IOIO EXITINFO1.
    R("Linux", "SVM_IOIO_TYPE_MASK", 1, svm::ioio_bits::in),
    R("Linux", "SVM_IOIO_STR_MASK", 1u << 2, svm::ioio_bits::str),
    R("Linux", "SVM_IOIO_REP_MASK", 1u << 3, svm::ioio_bits::rep),
    R("Linux", "SVM_IOIO_SIZE_MASK", 7u << 4,
      svm::ioio_bits::sz8 | svm::ioio_bits::sz16 | svm::ioio_bits::sz32),
    R("Linux", "SVM_IOIO_ASIZE_MASK", 7u << 7,
      svm::ioio_bits::a16 | svm::ioio_bits::a32 | svm::ioio_bits::a64),

    // Nested page fault error code.
    R("Linux", "PFERR_PRESENT_BIT", 1u << 0, svm::npf_bits::present),
    R("Linux", "PFERR_WRITE_BIT", 1u << 1, svm::npf_bits::write),
    R("Linux", "PFERR_USER_BIT", 1u << 2, svm::npf_bits::user),
    R("Linux", "PFERR_RSVD_BIT", 1u << 3, svm::npf_bits::reserved_bit),
    R("Linux", "PFERR_FETCH_BIT", 1u << 4, svm::npf_bits::fetch),
    R("Linux", "PFERR_PK_BIT", 1u << 5, svm::npf_bits::protection_key),
    R("Linux", "X86_PF_SHSTK", 1u << 6, svm::npf_bits::shadow_stack),
    R("Linux", "PFERR_GUEST_RMP_BIT", 1ull << 31, svm::npf_bits::rmp),
    R("Linux", "PFERR_GUEST_FINAL_BIT", 1ull << 32, svm::npf_bits::final_translation),
    R("Linux", "PFERR_GUEST_PAGE_BIT", 1ull << 33, svm::npf_bits::page_table_walk),
    R("Linux", "PFERR_GUEST_ENC_BIT", 1ull << 34, svm::npf_bits::encrypted),
    R("Linux", "PFERR_GUEST_SIZEM_BIT", 1ull << 35, svm::npf_bits::size_mismatch),
    R("Linux", "PFERR_GUEST_VMPL_BIT", 1ull << 36, svm::npf_bits::vmpl),

    // MSRs.
    R("Linux", "MSR_AMD64_TSC_RATIO", 0xc0000104, svm::tsc_ratio_msr),
    R("Linux", "SVM_TSC_RATIO_DEFAULT", 0x0100000000ull, svm::tsc_ratio_default),

    // Permission map sizes.
    R("Linux", "MSRPM_SIZE (PAGE_SIZE * 2)", 8192, svm::msr_permission_map::size),
    R("Linux", "IOPM_SIZE (PAGE_SIZE * 3)", 12288, svm::io_permission_map::size),
  };
}

std::vector<ours_constant> ours() {
  constexpr const char* apm = "APM Vol. 3 CPUID Fn8000_000A EDX; no peer names this bit";
  constexpr const char* apm_b1 = "APM Vol. 2 Table B-1; no peer names this bit";
  return {
    OURS(FEAT(nested_paging)), OURS(FEAT(lbr_virtualization)), OURS(FEAT(svm_lock)),
    OURS(FEAT(nrip_save)), OURS(FEAT(tsc_rate_msr)), OURS(FEAT(vmcb_clean)),
    OURS(FEAT(flush_by_asid)), OURS(FEAT(decode_assists)), OURS(FEAT(pause_filter)),
    OURS(FEAT(pause_filter_threshold)), OURS(FEAT(avic)),
    OURS(FEAT(vmsave_vmload_virtualization)), OURS(FEAT(vgif)), OURS(FEAT(gmet)),
    OURS(FEAT(x2avic)), OURS(FEAT(supervisor_shadow_stack_check)),
    OURS(FEAT(spec_ctrl_virtualization)),
    ONLY(FEAT(read_only_guest_page_tables), apm), ONLY(FEAT(host_mce_override), apm),
    ONLY(FEAT(tlbi_control), apm), OURS(FEAT(vnmi)), ONLY(FEAT(ibs_virtualization), apm),
    OURS(FEAT(extended_lvt_avic_access)), OURS(FEAT(vmcb_address_check)),
    OURS(FEAT(bus_lock_threshold)), OURS(FEAT(idle_hlt_intercept)),
    OURS(vmcb::tlb_control::do_nothing), OURS(vmcb::tlb_control::flush_all),
    OURS(vmcb::tlb_control::flush_guest), OURS(vmcb::tlb_control::flush_guest_non_global),
    OURS(vmcb::int_control::v_tpr.mask()), OURS(SHIFT(v_irq)), OURS(SHIFT(v_gif)),
    OURS(SHIFT(v_nmi_pending)), OURS(SHIFT(v_nmi_mask)),
    OURS(vmcb::int_control::v_intr_prio.mask()), OURS(SHIFT(v_ign_tpr)),
    OURS(SHIFT(v_intr_masking)), OURS(SHIFT(v_gif_enable)), OURS(SHIFT(v_nmi_enable)),
    OURS(SHIFT(x2avic_enable)), OURS(SHIFT(avic_enable)), OURS(vmcb::int_vector_mask),
    OURS(vmcb::int_state::interrupt_shadow), OURS(vmcb::int_state::guest_interrupt_mask),
    OURS(vmcb::nested_control::np_enable), OURS(vmcb::nested_control::sev_enable),
    OURS(vmcb::nested_control::sev_es_enable),
    ONLY(vmcb::nested_control::gmet_enable, apm_b1),
    ONLY(vmcb::nested_control::sss_check_enable, apm_b1),
    ONLY(vmcb::nested_control::vte_enable, apm_b1),
    ONLY(vmcb::nested_control::rogpt_enable, apm_b1),
    ONLY(vmcb::nested_control::invlpgb_tlbsync_enable, apm_b1),
    OURS(vmcb::virt_ext::lbr_virtualization_enable),
    OURS(vmcb::virt_ext::vmsave_vmload_virtualization_enable),
    ONLY(vmcb::virt_ext::ibs_virtualization_enable, apm_b1),
    OURS(vmcb::clean::intercepts), OURS(vmcb::clean::iopm), OURS(vmcb::clean::asid),
    OURS(vmcb::clean::tpr), OURS(vmcb::clean::np), OURS(vmcb::clean::crx),
    OURS(vmcb::clean::drx), OURS(vmcb::clean::dt), OURS(vmcb::clean::seg),
    OURS(vmcb::clean::cr2), OURS(vmcb::clean::lbr), OURS(vmcb::clean::avic),
    ONLY(vmcb::clean::cet, "APM Vol. 2 Table 15-9 bit 12; not in the peers' lists we read"),
    OURS(svm::event::vector_mask), OURS(svm::event::type_mask),
    OURS(svm::event::error_code_valid), OURS(svm::event::valid_bit),
    OURS(svm::event::reserved_mask),
    OURS(svm::ioio_bits::in), OURS(svm::ioio_bits::str), OURS(svm::ioio_bits::rep),
    OURS(svm::npf_bits::present), OURS(svm::npf_bits::write), OURS(svm::npf_bits::user),
    OURS(svm::npf_bits::reserved_bit), OURS(svm::npf_bits::fetch),
    OURS(svm::npf_bits::protection_key), OURS(svm::npf_bits::shadow_stack),
    OURS(svm::npf_bits::rmp), OURS(svm::npf_bits::final_translation),
    OURS(svm::npf_bits::page_table_walk), OURS(svm::npf_bits::encrypted),
    OURS(svm::npf_bits::size_mismatch), OURS(svm::npf_bits::vmpl),
    OURS(svm::msr_permission_map::size), OURS(svm::io_permission_map::size),
    OURS(svm::tsc_ratio_msr), OURS(svm::tsc_ratio_default),
    ONLY(svm::svm_key_msr,
         "APM Vol. 2 ch. 15 (SVM_KEY, SVM-Lock); not in the peers' MSR lists we read"),
  };
}
// clang-format on

}  // namespace

int main() {
  const std::vector<row> peer_rows = rows();
  for (const row& r : peer_rows) {
    ++audit::checks;
    if (r.peer_value != r.ours_value)
      audit::fail("%s %s is %#llx, virtops' %s is %#llx", r.who, r.peer_name,
                  static_cast<unsigned long long>(r.peer_value), r.ours,
                  static_cast<unsigned long long>(r.ours_value));
  }
  unsigned sole = 0;
  for (const ours_constant& o : ours()) {
    bool carried = false;
    for (const row& r : peer_rows) carried = carried || std::strcmp(r.ours, o.name) == 0;
    ++audit::checks;
    if (carried && o.apm_only)
      audit::fail("%s is listed as APM-only (%s), but a peer row carries it", o.name, o.apm_only);
    if (!carried && !o.apm_only)
      audit::fail("%s (%#llx): no peer row carries it and it is not listed as APM-only", o.name,
                  static_cast<unsigned long long>(o.value));
    sole += o.apm_only != nullptr;
  }
  // Every defined feature bit is in the list above exactly once.
  std::uint64_t listed = 0;
  for (const ours_constant& o : ours())
    if (std::strncmp(o.name, "FEAT(", 5) == 0) listed |= o.value;
  ++audit::checks;
  if (listed != svm::defined_feature_bits)
    audit::fail("the audit lists features %#llx, svm_features.hpp defines %#llx",
                static_cast<unsigned long long>(listed),
                static_cast<unsigned long long>(svm::defined_feature_bits));
  std::printf("%zu peer rows, %zu virtops constants (%u APM-only)\n", peer_rows.size(),
              ours().size(), sole);
  return audit::report("SVM vocabulary and bitmap audit");
}
