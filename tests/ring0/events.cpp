// Ring-0 test kernel: events on a wrapper's site (see events.hpp).
#include "events.hpp"

#include <virtops/virtops.hpp>

#include "baremetal.hpp"
#include "cpu.hpp"
#include "platform.hpp"

namespace {

constexpr std::uint64_t rflags_tf = 1u << 8, rflags_if = 1u << 9;
constexpr std::uint8_t db_vector = 1, nmi_vector = 2;  // db_vector, nmi
constexpr std::uint8_t interrupt_vector = 0x40;        // any fixed vector >= 32
constexpr unsigned step_limit = 10000;
constexpr unsigned long spin_limit = 20000000;

// The xAPIC (SDM Vol. 3A, 11.4 and 11.6): its page is mapped by the platform.
constexpr std::uintptr_t apic_base = 0xFEE00000;
constexpr std::uint32_t ia32_apic_base = 0x1B;
namespace reg {
constexpr unsigned id = 0x20, tpr = 0x80, eoi = 0xB0, svr = 0xF0, irr = 0x200, icr_low = 0x300,
                   icr_high = 0x310;
}
// ICR: physical destination, no shorthand, edge, level "assert" (bit 14);
// delivery mode fixed (0) or NMI (4). The shorthand "self" is valid for
// fixed IPIs only, so the NMI names this APIC's ID instead.
constexpr std::uint32_t icr_assert = 1u << 14, icr_nmi = 4u << 8, icr_pending = 1u << 12;

volatile std::uint32_t& apic(unsigned r) {
  return *reinterpret_cast<volatile std::uint32_t*>(apic_base + r);
}

const char* apic_unsupported() {
  if (!((cpu::cpuid(1).edx >> 9) & 1)) return "CPUID.1:EDX.APIC=0";
  const std::uint64_t base = cpu::rdmsr(ia32_apic_base);
  if (!((base >> 11) & 1)) return "the local APIC is disabled (IA32_APIC_BASE.EN=0)";
  if ((base >> 10) & 1) return "the local APIC is in x2APIC mode";
  if ((base & 0x000ffffffffff000ull) != apic_base) return "the local APIC is not at 0xFEE00000";
  return nullptr;
}

bool send_to_self(std::uint32_t icr) {
  apic(reg::icr_high) = (apic(reg::id) >> 24) << 24;
  apic(reg::icr_low) = icr | icr_assert;
  for (unsigned long i = 0; i < spin_limit; ++i)
    if ((apic(reg::icr_low) & icr_pending) == 0) return true;
  return false;
}

bool pending_in_irr(std::uint8_t vector) {
  return (apic(reg::irr + 0x10 * (vector / 32)) >> (vector % 32)) & 1;
}

enum step_phase : int { idle, stepping, interrupt_pending, first_nmi, second_nmi, done, failed };

struct state {
  ring0::event kind = ring0::event::interrupt;
  int phase = idle;  // atomic: written by handlers, spun on by the #DB handler
  unsigned steps = 0;
  std::uint64_t interrupted_if = 0;
  baremetal::trap_frame site_frame{};  // the #DB's, which the first NMI returns with
  virtops::fault_info slot_before{};
  ring0::event_report report{};
};
state st;

// A frame copy the compiler cannot turn into memcpy (there is none here).
void copy_frame(baremetal::trap_frame& to, const baremetal::trap_frame& from) {
  constexpr unsigned words = sizeof(baremetal::trap_frame) / sizeof(std::uint64_t);
  auto* dst = reinterpret_cast<volatile std::uint64_t*>(&to);
  const auto* src = reinterpret_cast<const volatile std::uint64_t*>(&from);
  for (unsigned i = 0; i < words; ++i) dst[i] = src[i];
}

int load_phase() { return __atomic_load_n(&st.phase, __ATOMIC_SEQ_CST); }
void set_phase(int p) { __atomic_store_n(&st.phase, p, __ATOMIC_SEQ_CST); }
void fail(const char* why) {
  if (st.report.failure == nullptr) st.report.failure = why;
  set_phase(failed);
}

// What the event's handler sees: the saved RIP, and trap::handle's answer.
void record(const baremetal::trap_frame& f) {
  ++st.report.deliveries;
  st.report.vector = f.vector;
  st.report.saved_rip = f.rip;
  std::uintptr_t rip = f.rip;
  st.report.refused =
      !virtops::trap::handle(rip, static_cast<std::uint8_t>(f.vector), 0) && rip == f.rip;
}

// #DB, single step: on to the next instruction until it is a site.
bool on_single_step(baremetal::trap_frame& f) {
  const virtops::extable::entry* e = virtops::extable::find(f.rip);
  if (e == nullptr) {
    if (++st.steps < step_limit) return true;  // TF stays set
    f.rflags &= ~rflags_tf;
    fail("no virtops site within the single-step limit");
    return true;
  }
  f.rflags &= ~rflags_tf;
  st.report.steps = st.steps;
  st.report.site = f.rip;
  st.report.site_id = e->id;
  // The platform's hook asked trap::handle first: this #DB got here, so it
  // was refused; ask again to see RIP stay.
  std::uintptr_t rip = f.rip;
  st.report.step_refused = !virtops::trap::handle(rip, db_vector, 0) && rip == f.rip;

  if (st.kind == ring0::event::interrupt) {
    set_phase(interrupt_pending);
    if (!send_to_self(interrupt_vector)) {
      fail("the self-IPI stayed pending in the ICR");
      return true;
    }
    if (!pending_in_irr(interrupt_vector)) {
      fail("the self-IPI is not pending in the IRR");
      return true;
    }
    // IF is 0 in this handler; the IRETQ to the site sets it, and the
    // interrupt arrives there. Its handler puts the interrupted IF back.
    st.interrupted_if = f.rflags & rflags_if;
    f.rflags |= rflags_if;
    return true;
  }

  copy_frame(st.site_frame, f);
  set_phase(first_nmi);
  if (!send_to_self(icr_nmi)) {
    fail("the first self-NMI stayed pending in the ICR");
    return true;
  }
  // The first NMI returns to the site itself (on_nmi); only without it do
  // we get past this loop.
  for (unsigned long i = 0; i < spin_limit && load_phase() == first_nmi; ++i) asm volatile("pause");
  fail("the first self-NMI did not arrive");
  return true;
}

bool on_interrupt(baremetal::trap_frame& f) {
  record(f);
  apic(reg::eoi) = 0;
  f.rflags = (f.rflags & ~rflags_if) | st.interrupted_if;
  set_phase(done);
  return true;
}

bool on_nmi(baremetal::trap_frame& f) {
  if (load_phase() == first_nmi) {
    // NMIs are blocked until this handler's IRETQ: the second one waits.
    set_phase(second_nmi);
    if (!send_to_self(icr_nmi)) fail("the second self-NMI stayed pending in the ICR");
    // Return as the #DB handler would have: to the site, with its GPRs,
    // RFLAGS and RSP. The IRETQ unblocks NMIs on the site.
    copy_frame(f, st.site_frame);
    return true;
  }
  record(f);
  set_phase(done);
  return true;
}

}  // namespace

// The platform's hook for events virtops did not claim (baremetal.hpp).
bool on_event(baremetal::trap_frame& f) {
  const int p = load_phase();
  if (f.vector == db_vector && p == stepping) return on_single_step(f);
  if (f.vector == interrupt_vector && p == interrupt_pending) return on_interrupt(f);
  if (f.vector == nmi_vector && (p == first_nmi || p == second_nmi)) return on_nmi(f);
  return false;
}

void ring0::arm_event_at_next_site(event e) {
  st.kind = e;
  st.steps = 0;
  st.report = {};
  st.slot_before = virtops::detail::fault_slot();
  st.report.unsupported = apic_unsupported();
  if (st.report.unsupported != nullptr) return;
  apic(reg::svr) = 0x100 | 0xff;  // software-enabled, spurious vector 0xFF
  apic(reg::tpr) = 0;             // every priority class accepted
  set_phase(stepping);
  asm volatile("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq" : : : "cc", "memory");
}

ring0::event_report ring0::disarm_event() {
  asm volatile("pushfq\n\tandq $~0x100, (%%rsp)\n\tpopfq" : : : "cc", "memory");
  if (st.report.unsupported == nullptr && load_phase() != done && st.report.failure == nullptr)
    st.report.failure = "the event never arrived";
  st.report.slot_untouched = virtops::detail::fault_slot() == st.slot_before;
  set_phase(idle);
  return st.report;
}

void ring0::check_event(const char* name, event e, const event_report& r, virtops::insn i,
                        bool result_ok, const virtops::status& s) {
  if (r.unsupported != nullptr) {
    skip(name, r.unsupported);
    return;
  }
  const char* kind = e == event::interrupt ? "interrupt" : "NMI";
  if (r.deliveries == 0)
    log("  %s: the %s never reached its handler\n", name, kind);
  else
    log("  %s: %s vector %#lx arrived %u time(s) with saved RIP %#lx; the site of %s at %#lx "
        "after %u single steps; trap::handle %s it\n",
        name, kind, static_cast<unsigned long>(r.vector), r.deliveries,
        static_cast<unsigned long>(r.saved_rip),
        r.site ? virtops::to_string(static_cast<virtops::insn>(r.site_id)) : "-",
        static_cast<unsigned long>(r.site), r.steps, r.refused ? "refused" : "CLAIMED");
  const virtops::fault_info f = s.fault();
  check(name, r.on_site_refused(i) && result_ok && s.ok(),
        "%s: %s; site=%#lx (%s) step_refused=%d deliveries=%u vector=%lu saved_rip=%#lx "
        "refused=%d slot_untouched=%d; %s: %s%s (fault vector %u at %#lx)",
        kind, r.failure ? r.failure : "no failure", static_cast<unsigned long>(r.site),
        r.site ? virtops::to_string(static_cast<virtops::insn>(r.site_id)) : "-", r.step_refused,
        r.deliveries, static_cast<unsigned long>(r.vector), static_cast<unsigned long>(r.saved_rip),
        r.refused, r.slot_untouched, virtops::to_string(i), virtops::to_string(s.code()),
        s.ok() && !result_ok ? ", wrong result" : "", unsigned{f.vector},
        static_cast<unsigned long>(f.rip));
}
