/// \file
/// virtops: what a wrapper does when its instruction faults.
///
/// This replaces Linux's __kvm_handle_fault_on_reboot()/kvm_spurious_fault():
/// the policy is a template argument of each wrapper, so the decision is made
/// at compile time and costs nothing on the hot path.
#pragma once

#include "detail/std.hpp"
#include "fault.hpp"
#include "panic.hpp"
#include "status.hpp"

namespace virtops {

enum class fault_action {
  report,  ///< the wrapper returns a status whose code() is errc::fault
  resume,  ///< the wrapper returns success; reads yield 0
};

/// A policy is any type with `static fault_action on_fault(const fault_info&)`.
/// on_fault runs in the faulting thread after the trap handler returned, in
/// normal (not signal or interrupt) context; it may also not return at all.
template <class P>
concept fault_policy = requires(const fault_info& f) {
  { P::on_fault(f) } -> detail::same_as<fault_action>;
};

/// Whether a policy may return fault_action::resume. A policy that never does
/// can say so (`static constexpr bool can_resume = false;`): then a wrapper's
/// fault path is known to fail, and callers keep nothing alive for a resume.
/// A resume from such a policy is reported as the fault. Without the
/// declaration a policy is taken to resume.
template <fault_policy P>
inline constexpr bool can_resume = [] {
  if constexpr (requires { P::can_resume; })
    return static_cast<bool>(P::can_resume);
  else
    return true;
}();

namespace policy {

/// The default: every fault becomes errc::fault with its fault_info.
struct report {
  static constexpr bool can_resume = false;
  static fault_action on_fault(const fault_info&) noexcept { return fault_action::report; }
};

/// Eat the fault and carry on, as KVM does for VMX/SVM faults while rebooting.
struct ignore {
  static fault_action on_fault(const fault_info&) noexcept { return fault_action::resume; }
};

/// A fault here is a bug: hand it to the panic hook (set_panic_hook, with
/// the fault as a status: s.fault()), then trap.
struct panic {
  static constexpr bool can_resume = false;
  [[noreturn]] static fault_action on_fault(const fault_info& f) noexcept {
    detail::panic(status::from_fault(f));
  }
};

/// kvm_spurious_fault(): faults are expected while the machine is going down
/// (another CPU or an NMI may already have turned VMX/SVM off), so eat them
/// then; any other time defer to Otherwise (panic by default).
template <class Rebooting, fault_policy Otherwise = panic>
requires requires {
  { Rebooting::rebooting() } -> detail::convertible_to<bool>;
}
struct reboot_aware {
  static fault_action on_fault(const fault_info& f) noexcept {
    if (Rebooting::rebooting()) return fault_action::resume;
    return Otherwise::on_fault(f);
  }
};

}  // namespace policy

static_assert(fault_policy<policy::report> && fault_policy<policy::ignore> &&
              fault_policy<policy::panic>);

}  // namespace virtops
