// svm_controls.hpp against AMD APM Vol. 2, Appendix B (Table B-1) and 15.15.3
// (VMCB clean bits).
#include <virtops/svm_controls.hpp>
#include <virtops/vmcb.hpp>

#include "virtops_catch.hpp"

namespace vmcb = virtops::vmcb;
namespace ic = vmcb::int_control;

TEST_CASE("TLB_CONTROL values are the APM's 00h, 01h, 03h, 07h; others are not defined") {
  CHECK(static_cast<unsigned>(vmcb::tlb_control::do_nothing) == 0x00);
  CHECK(static_cast<unsigned>(vmcb::tlb_control::flush_all) == 0x01);
  CHECK(static_cast<unsigned>(vmcb::tlb_control::flush_guest) == 0x03);
  CHECK(static_cast<unsigned>(vmcb::tlb_control::flush_guest_non_global) == 0x07);
  unsigned defined = 0;
  for (unsigned v = 0; v < 256; ++v)
    defined += vmcb::is_defined(static_cast<vmcb::tlb_control>(v)) ? 1 : 0;
  CHECK(defined == 4);
  CHECK_FALSE(vmcb::is_defined(static_cast<vmcb::tlb_control>(2)));
}

TEST_CASE("int_control fields sit where Table B-1 puts them") {
  struct row {
    vmcb::int_control_field f;
    unsigned shift, width;
  };
  const row rows[] = {
      {ic::v_tpr, 0, 4},          {ic::v_irq, 8, 1},           {ic::v_gif, 9, 1},
      {ic::v_nmi_pending, 11, 1}, {ic::v_nmi_mask, 12, 1},     {ic::v_intr_prio, 16, 4},
      {ic::v_ign_tpr, 20, 1},     {ic::v_intr_masking, 24, 1}, {ic::v_gif_enable, 25, 1},
      {ic::v_nmi_enable, 26, 1},  {ic::x2avic_enable, 30, 1},  {ic::avic_enable, 31, 1},
  };
  std::uint32_t seen = 0;
  for (const row& r : rows) {
    INFO("shift " << r.shift);
    CHECK(r.f.shift == r.shift);
    CHECK(r.f.width == r.width);
    CHECK((r.f.mask() & seen) == 0);  // no two fields overlap
    seen |= r.f.mask();
  }
  CHECK(seen == 0xC71F1B0Fu);
  CHECK(vmcb::int_vector_mask == 0xffu);
}

TEST_CASE("setting a V_INTR field changes that field only, and refuses a value too wide") {
  constexpr std::uint32_t word = 0xffffffffu;
  constexpr auto prio = vmcb::with(word & ~ic::v_intr_prio.mask(), ic::v_intr_prio, 0xa);
  STATIC_REQUIRE(prio.ok());
  STATIC_REQUIRE(prio.value() == ((word & ~(0xfu << 16)) | (0xau << 16)));
  STATIC_REQUIRE(vmcb::get(prio.value(), ic::v_intr_prio) == 0xa);

  // Every other field is left alone, whether its bits are 0 or 1.
  for (const std::uint32_t base : {0u, 0xffffffffu, 0x12345678u}) {
    const auto r = vmcb::with(base, ic::v_tpr, 0x5);
    REQUIRE(r.ok());
    CHECK((r.value() & ~0xfu) == (base & ~0xfu));
    CHECK((r.value() & 0xfu) == 0x5);
    const auto irq = vmcb::with(base, ic::v_irq, 1);
    REQUIRE(irq.ok());
    CHECK(irq.value() == (base | 0x100u));
    const auto cleared = vmcb::with(base, ic::v_irq, 0);
    REQUIRE(cleared.ok());
    CHECK(cleared.value() == (base & ~0x100u));
  }
  // Too wide: an error, and nothing to store.
  const auto wide = vmcb::with(0, ic::v_tpr, 16);
  CHECK(wide.error() == vmcb::field_error::value_too_wide);
  CHECK(wide.value_or(0xdead) == 0xdead);
  CHECK(vmcb::with(0, ic::v_irq, 2).error() == vmcb::field_error::value_too_wide);
  CHECK(vmcb::with(0, ic::v_intr_prio, 15).ok());
  CHECK(vmcb::with(0, ic::avic_enable, 1).value() == 0x80000000u);
}

TEST_CASE("int_state, nested_control and virt_ext bits are the APM's") {
  CHECK(vmcb::int_state::interrupt_shadow == 1u);
  CHECK(vmcb::int_state::guest_interrupt_mask == 2u);
  namespace nc = vmcb::nested_control;
  CHECK(nc::np_enable == 0x01u);
  CHECK(nc::sev_enable == 0x02u);
  CHECK(nc::sev_es_enable == 0x04u);
  CHECK(nc::gmet_enable == 0x08u);
  CHECK(nc::sss_check_enable == 0x10u);
  CHECK(nc::vte_enable == 0x20u);
  CHECK(nc::rogpt_enable == 0x40u);
  CHECK(nc::invlpgb_tlbsync_enable == 0x80u);
  CHECK(vmcb::virt_ext::lbr_virtualization_enable == 1u);
  CHECK(vmcb::virt_ext::vmsave_vmload_virtualization_enable == 2u);
  CHECK(vmcb::virt_ext::ibs_virtualization_enable == 4u);
}

TEST_CASE("VMCB clean bits are APM Table 15-9's, bits 0 to 12") {
  namespace c = vmcb::clean;
  const std::uint32_t bits[] = {c::intercepts, c::iopm, c::asid, c::tpr, c::np,   c::crx, c::drx,
                                c::dt,         c::seg,  c::cr2,  c::lbr, c::avic, c::cet};
  for (unsigned i = 0; i < 13; ++i) {
    INFO("clean bit " << i);
    CHECK(bits[i] == 1u << i);
  }
  CHECK(c::all == 0x1fffu);
}
