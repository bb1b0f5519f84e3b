// Ring-0 test kernel: an external interrupt or an NMI made to arrive with its
// saved RIP exactly on a wrapper's site, for the checks that
// virtops::trap::handle leaves such events to their handlers.
//
// How: the instructions from arm_event_at_next_site() on are single-stepped
// (RFLAGS.TF) until the next one is a site of the exception table. In that
// #DB handler (interrupts off) the event is made pending while it is
// blocked, and the handler's IRETQ to the site releases it:
//  - interrupt: a fixed self-IPI (vector 0x40) waits in the IRR while IF=0;
//    the IRETQ returns to the site with IF=1, so it arrives before the
//    site's instruction runs;
//  - NMI: a first self-NMI interrupts the #DB handler; its handler sends a
//    second one, which waits (NMIs are blocked until the next IRET), and
//    returns straight to the site with the #DB handler's registers and
//    stack (the #DB handler is abandoned); that IRETQ releases the second
//    NMI on the site.
// The platform's IDT hook gives every event to trap::handle first; each
// event handler here asks it again with the saved RIP, records the answer,
// and returns to the site, where the wrapper then runs for real.
#pragma once

#include <cstdint>
#include <virtops/insn.hpp>
#include <virtops/status.hpp>

namespace ring0 {

enum class event { interrupt, nmi };

struct event_report {
  const char* unsupported = nullptr;  // why this CPU cannot do it (then nothing ran)
  const char* failure = nullptr;      // what went wrong on the way, if anything
  std::uintptr_t site = 0;            // the site the single steps stopped at (0: none)
  std::uint32_t site_id = 0;          // its entry's id
  unsigned steps = 0;                 // single steps before it
  bool step_refused = false;          // the #DB there reached the program, RIP untouched
  unsigned deliveries = 0;            // times the event arrived
  std::uint64_t vector = 0;           // its vector and saved RIP (the last one)
  std::uintptr_t saved_rip = 0;
  bool refused = false;         // trap::handle(saved RIP, vector, 0): false, RIP untouched
  bool slot_untouched = false;  // the fault slot as before arm_event_at_next_site()

  // Everything a check wants: one delivery, on a site of `i`, refused.
  bool on_site_refused(virtops::insn i) const {
    return unsupported == nullptr && failure == nullptr && site != 0 &&
           site_id == static_cast<std::uint32_t>(i) && step_refused && deliveries == 1 &&
           saved_rip == site && refused && slot_untouched;
  }
};

// Call right before the wrapper: the next site reached gets `e`.
void arm_event_at_next_site(event e);
// Call right after it.
event_report disarm_event();

// check() for the report and the wrapper's own result: PASS if the event
// arrived on a site of `i`, was refused, and the wrapper succeeded with the
// right result (`result_ok`), `s` being its status.
void check_event(const char* name, event e, const event_report& r, virtops::insn i, bool result_ok,
                 const virtops::status& s);

}  // namespace ring0
