// Ring-0 test kernel: run one faulting wrapper under every stock policy and a
// counting one, and check what each made of the fault.
#pragma once

#include <virtops/virtops.hpp>

#include "platform.hpp"

namespace ring0 {

// "prefix.suffix" in a fixed buffer: check names without a hosted library.
struct label {
  char text[96];
  label(const char* prefix, const char* suffix) {
    unsigned n = 0;
    for (const char* p = prefix; *p && n < sizeof text - 2; ++p) text[n++] = *p;
    text[n++] = '.';
    for (const char* p = suffix; *p && n < sizeof text - 1; ++p) text[n++] = *p;
    text[n] = 0;
  }
  operator const char*() const { return text; }
};

struct counting {
  static inline unsigned faults = 0;
  static inline virtops::fault_info last{};
  static virtops::fault_action on_fault(const virtops::fault_info& f) noexcept {
    ++faults;
    last = f;
    return virtops::fault_action::report;
  }
};

struct machine {
  static inline bool going_down = false;
  static bool rebooting() noexcept { return going_down; }
};

namespace detail {
inline void* panic_jump[5];
inline virtops::fault_info panic_seen{};
inline void panic_hook(const virtops::status& s) noexcept {
  panic_seen = s.fault();
  __builtin_longjmp(panic_jump, 1);
}
}  // namespace detail

// `call` is a lambda template: []<class P>() { return vmx::vmxon<P>(pa); }.
// Checks report (the right instruction and vector, RIP at a registered site),
// ignore (success), counting (exactly one), reboot_aware both ways, and panic
// (the hook sees the fault and does not return to the wrapper).
template <class Call>
void check_fault_policies(const char* name, virtops::insn expected, std::uint8_t vector,
                          Call call) {
  namespace policy = virtops::policy;
  const virtops::status reported = call.template operator()<policy::report>();
  const virtops::fault_info f = reported.fault();
  const virtops::extable::entry* site = virtops::extable::find(f.rip);
  check(label(name, "report"),
        reported.code() == virtops::errc::fault && f.instruction == expected &&
            f.vector == vector && site != nullptr && site->instruction() == expected,
        "code=%s insn=%s vector=%u", virtops::to_string(reported.code()),
        virtops::to_string(f.instruction), unsigned{f.vector});
  const virtops::status ignored = call.template operator()<policy::ignore>();
  check(label(name, "ignore"), ignored.ok(), "code=%s", virtops::to_string(ignored.code()));
  counting::faults = 0;
  const virtops::status counted = call.template operator()<counting>();
  check(label(name, "counting"), counting::faults == 1 && counted.fault() == counting::last,
        "faults=%u", counting::faults);
  machine::going_down = true;
  const virtops::status eaten = call.template operator()<policy::reboot_aware<machine, counting>>();
  machine::going_down = false;
  counting::faults = 0;
  const virtops::status kept = call.template operator()<policy::reboot_aware<machine, counting>>();
  check(label(name, "reboot_aware"),
        eaten.ok() && kept.code() == virtops::errc::fault && counting::faults == 1,
        "rebooting=%s otherwise=%s", virtops::to_string(eaten.code()),
        virtops::to_string(kept.code()));
  const virtops::panic_fn previous = virtops::set_panic_hook(&detail::panic_hook);
  detail::panic_seen = {};
  bool returned = false;
  if (__builtin_setjmp(detail::panic_jump) == 0) {
    (void)call.template operator()<policy::panic>();
    returned = true;
  }
  virtops::set_panic_hook(previous);
  check(label(name, "panic"),
        !returned && detail::panic_seen.instruction == expected &&
            detail::panic_seen.vector == vector,
        "returned=%d vector=%u", returned ? 1 : 0, unsigned{detail::panic_seen.vector});
}

}  // namespace ring0
