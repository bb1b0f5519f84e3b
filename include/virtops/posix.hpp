/// \file
/// virtops: the POSIX trap adapter (hosted x86-64 Linux only).
///
/// In user space the VMX/SVM instructions fault: which exception is the
/// host's business (`#UD` -> SIGILL, `#GP` or `#PF` -> SIGSEGV; a hypervisor
/// below may even answer a hypercall instead). A trap_guard routes those
/// signals through the exception table so the wrappers' fault paths run for
/// real, exactly as they do in ring 0.
#pragma once

#if !__STDC_HOSTED__
#error "<virtops/posix.hpp> needs a hosted POSIX environment"
#endif

#include <pthread.h>
#include <signal.h>
#include <ucontext.h>

#include <cstddef>
#include <cstdint>

#include "extable.hpp"

namespace virtops::posix {

namespace detail {

/// The signals an x86 fault can arrive as.
inline constexpr int trapped_signals[] = {SIGILL, SIGSEGV, SIGBUS};
inline constexpr std::size_t trapped_count = sizeof(trapped_signals) / sizeof(int);

struct state {
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  unsigned guards = 0;
  struct sigaction previous[trapped_count] = {};
  /// A one-shot (SA_RESETHAND) previous handler has had its delivery.
  bool spent[trapped_count] = {};
};
inline constinit state g{};

inline std::size_t index_of(int sig) noexcept {
  std::size_t i = 0;
  while (i + 1 < trapped_count && trapped_signals[i] != sig) ++i;
  return i;
}

inline bool has_flag(const struct sigaction& a, unsigned long flag) noexcept {
  return (static_cast<unsigned long>(static_cast<unsigned>(a.sa_flags)) & flag) != 0;
}

inline void reset_to_default(int sig) noexcept {
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
}

/// Hands a signal that is not ours to whoever had it before us, as the kernel
/// would have: their mask and flags, or the default action.
inline void chain(int sig, siginfo_t* info, void* context) noexcept {
  const std::size_t i = index_of(sig);
  const struct sigaction& prev = g.previous[i];
  const bool siginfo = has_flag(prev, SA_SIGINFO);
  const bool handler = siginfo || (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN);
  // The kernel resets a one-shot handler to the default as it delivers to
  // it; so do we, in our copy only (our own handler stays installed): the
  // first stray signal goes to it, the next ones get the default action.
  const bool spent = handler && has_flag(prev, SA_RESETHAND) &&
                     __atomic_exchange_n(&g.spent[i], true, __ATOMIC_ACQ_REL);
  if (spent || !handler) {
    // Someone else's kill() of an ignored signal: ignore it, as before us.
    const bool synchronous = info != nullptr && info->si_code > 0;
    if (prev.sa_handler == SIG_IGN && !synchronous) return;
    // Otherwise restore the default action and deliver again: a real crash
    // must crash with its own signal (the kernel also forces the default
    // for an ignored synchronous fault). The signal is blocked in this
    // handler, so it arrives as soon as we return.
    reset_to_default(sig);
    raise(sig);
    return;
  }
  pthread_sigmask(SIG_BLOCK, &prev.sa_mask, nullptr);
  if (has_flag(prev, SA_NODEFER)) {
    sigset_t self;
    sigemptyset(&self);
    sigaddset(&self, sig);
    pthread_sigmask(SIG_UNBLOCK, &self, nullptr);
  }
  if (siginfo)
    prev.sa_sigaction(sig, info, context);
  else
    prev.sa_handler(sig);
}

/// The exception the vector rule (extable::claims) judges a fault signal by.
/// The kernel puts the vector in REG_TRAPNO. valgrind's CPU raises SIGILL
/// itself for every instruction it cannot run (each VMX/SVM one) and leaves
/// REG_TRAPNO 0 (docs/reliability.md). On x86 Linux SIGILL is `#UD` and
/// vector 0 (`#DE`) is SIGFPE, never SIGILL: a SIGILL with vector 0 is an
/// invalid opcode without its vector, judged as `#UD`; the record keeps the
/// 0 it came with.
inline std::uint8_t judged_vector(int sig, std::uint8_t trapno) noexcept {
  return sig == SIGILL && trapno == 0 ? vector::ud : trapno;
}

/// Async-signal-safe: a table lookup, one store to the fault slot, one
/// register write. Only kernel-generated signals (si_code > 0) are faults; a
/// kill() or sigqueue() is never mistaken for one. A fault at a site is
/// claimed only if its instruction can raise that exception.
inline void on_signal(int sig, siginfo_t* info, void* context) noexcept {
  auto* uc = static_cast<ucontext_t*>(context);
  if (info != nullptr && info->si_code > 0 && uc != nullptr) {
    greg_t* regs = uc->uc_mcontext.gregs;
    const greg_t trapno = regs[REG_TRAPNO];
    if (trapno >= 0 && trapno <= 0xff) {
      const auto recorded = static_cast<std::uint8_t>(trapno);
      const std::uintptr_t continuation = extable::detail::fixup(
          static_cast<std::uintptr_t>(regs[REG_RIP]), judged_vector(sig, recorded), recorded,
          static_cast<std::uint32_t>(regs[REG_ERR]));
      if (continuation != 0) {
        regs[REG_RIP] = static_cast<greg_t>(continuation);
        return;
      }
    }
  }
  chain(sig, info, context);
}

inline bool is_ours(const struct sigaction& a) noexcept {
  return has_flag(a, SA_SIGINFO) && a.sa_sigaction == &on_signal;
}

}  // namespace detail

/// While at least one guard exists (in any thread), faults at virtops sites
/// anywhere in the process are fixed up; every other SIGILL/SIGSEGV/SIGBUS
/// goes to the handler installed before the first guard, or kills the
/// process as it would have. Guards nest and may be created and destroyed on
/// any thread. The last one restores the previous handlers, unless someone
/// installed another handler on top of ours meanwhile: that one stays, and
/// may keep chaining to us.
class trap_guard {
 public:
  trap_guard() noexcept {
    extable::table& own = extable::this_module();
    sort_with_signals_blocked(own);
    // Makes this module's sites visible to a handler living in another
    // module (e.g. a shared object using virtops under an executable's guard).
    extable::register_table(own);

    pthread_mutex_lock(&detail::g.lock);
    if (detail::g.guards++ == 0) {
      struct sigaction ours = {};
      ours.sa_sigaction = &detail::on_signal;
      ours.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
      sigemptyset(&ours.sa_mask);
      for (std::size_t i = 0; i < detail::trapped_count; ++i) {
        __atomic_store_n(&detail::g.spent[i], false, __ATOMIC_RELEASE);
        installed_ &= sigaction(detail::trapped_signals[i], &ours, &detail::g.previous[i]) == 0;
      }
    }
    pthread_mutex_unlock(&detail::g.lock);
  }

  ~trap_guard() {
    pthread_mutex_lock(&detail::g.lock);
    if (--detail::g.guards == 0) {
      for (std::size_t i = 0; i < detail::trapped_count; ++i) {
        struct sigaction current = {};
        if (sigaction(detail::trapped_signals[i], nullptr, &current) != 0 ||
            !detail::is_ours(current))
          continue;
        // A spent one-shot handler is gone: like the kernel, keep its flags
        // and mask and make the handler SIG_DFL.
        struct sigaction restore = detail::g.previous[i];
        if (__atomic_load_n(&detail::g.spent[i], __ATOMIC_ACQUIRE)) restore.sa_handler = SIG_DFL;
        sigaction(detail::trapped_signals[i], &restore, nullptr);
      }
    }
    pthread_mutex_unlock(&detail::g.lock);
  }

  trap_guard(const trap_guard&) = delete;
  trap_guard& operator=(const trap_guard&) = delete;

  /// False if the kernel refused a handler (then faults are not caught).
  bool installed() const noexcept { return installed_; }

 private:
  static void sort_with_signals_blocked(extable::table& t) noexcept {
    if (t.sorted()) return;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    t.sort();
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }

  bool installed_ = true;
};

}  // namespace virtops::posix
