// Ring-0 test kernel self-checks: the IDT and the extable hook work before
// any VMX/SVM check relies on them.
#include <virtops/virtops.hpp>

#include "cpu.hpp"
#include "platform.hpp"

void run_selftest_checks() {
  namespace ext = virtops::extable;
  check("selftest.extable_sorted_and_not_empty",
        ext::this_module().sorted() && ext::this_module().size() > 0, "size=%lu",
        static_cast<unsigned long>(ext::this_module().size()));
  // Every entry points at a VMX/SVM opcode, RDMSR, WRMSR or XSETBV:
  // [66|F3] [REX] 0F (01 xx | 78 | 79 | C7 | 38 8x | 32 | 30).
  unsigned bad = 0;
  for (const ext::entry& e : ext::this_module()) {
    const auto* b = reinterpret_cast<const std::uint8_t*>(e.site());
    if (*b == 0x66 || *b == 0xf3) ++b;
    if ((*b & 0xf0) == 0x40) ++b;
    const bool ok =
        b[0] == 0x0f && (b[1] == 0x01 || b[1] == 0x78 || b[1] == 0x79 || b[1] == 0xc7 ||
                         (b[1] == 0x38 && (b[2] & 0xfe) == 0x80) || b[1] == 0x32 || b[1] == 0x30);
    if (!ok) ++bad;
  }
  check("selftest.extable_sites_are_0f_opcodes", bad == 0, "%u bad sites", bad);
  // The vector rule on the real table: no site is claimed for an event
  // (#DB, NMI, #BP, #DF, #MC, any interrupt), each for #UD and #GP.
  unsigned claimed_events = 0, refused_faults = 0;
  const virtops::fault_info slot = virtops::detail::fault_slot();
  for (const ext::entry& e : ext::this_module()) {
    for (unsigned v = 0; v < 256; ++v) {
      if (v != 1 && v != 2 && v != 3 && v != 8 && v != 18 && v < 32) continue;
      std::uintptr_t rip = e.site();
      if (virtops::trap::handle(rip, static_cast<std::uint8_t>(v), 0) || rip != e.site())
        ++claimed_events;
    }
    constexpr std::uint8_t faults[] = {virtops::vector::ud, virtops::vector::gp};
    for (std::uint8_t v : faults) {
      std::uintptr_t rip = e.site();
      if (!virtops::trap::handle(rip, v, 0) || rip != e.fixup()) ++refused_faults;
    }
  }
  virtops::detail::fault_slot() = slot;
  check("selftest.sites_claim_no_event", claimed_events == 0, "%u events claimed", claimed_events);
  check("selftest.sites_claim_ud_and_gp", refused_faults == 0, "%u faults refused", refused_faults);
  // A UD2 that is not a virtops site would be fatal; the trap handler's
  // "not mine" path is exercised by the unexpected_exception reporter.
  std::uintptr_t rip = 0x1234;
  check("selftest.unregistered_rip_is_not_ours", !virtops::trap::handle(rip, 6, 0) && rip == 0x1234,
        "rip=%#lx", static_cast<unsigned long>(rip));
}
