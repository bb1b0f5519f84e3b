// The POSIX adapter: what it owns it fixes up; everything else reaches the
// previous handler or kills the process exactly as without virtops.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csetjmp>
#include <csignal>
#include <thread>
#include <vector>
#include <virtops/posix.hpp>
#include <virtops/virtops.hpp>

#include "call_wrapper.hpp"
#include "child.hpp"
#include "virtops_catch.hpp"

using virtops::errc;
using virtops::insn;
namespace policy = virtops::policy;

namespace {

// A real page fault, in asm so that no sanitizer intercepts it as UB first.
[[gnu::noinline]] void null_store() {
  asm volatile("movl $1, (%0)" : : "r"(std::uintptr_t{16}) : "memory");
}

[[gnu::noinline]] void stray_ud2() { asm volatile("ud2"); }

sigjmp_buf escape;
volatile sig_atomic_t user_calls, user_signo, user_code;

void user_siginfo_handler(int sig, siginfo_t* info, void*) {
  user_calls = user_calls + 1;
  user_signo = sig;
  user_code = info->si_code;
  siglongjmp(escape, 1);
}

void user_plain_handler(int sig) {
  user_calls = user_calls + 1;
  user_signo = sig;
  siglongjmp(escape, 1);
}

struct saved_action {
  int sig;
  struct sigaction old;
  saved_action(int s, void (*h)(int, siginfo_t*, void*)) : sig(s) {
    struct sigaction a = {};
    a.sa_sigaction = h;
    a.sa_flags = SA_SIGINFO;
    sigemptyset(&a.sa_mask);
    sigaction(sig, &a, &old);
  }
  ~saved_action() { sigaction(sig, &old, nullptr); }
};

}  // namespace

TEST_CASE("a crash at an unregistered address still kills with its own signal") {
  SECTION("SIGSEGV") {
    const int st = in_child([] {
      virtops::posix::trap_guard guard;
      null_store();
    });
    REQUIRE(WIFSIGNALED(st));
    CHECK(WTERMSIG(st) == SIGSEGV);
  }
  SECTION("SIGILL") {
    const int st = in_child([] {
      virtops::posix::trap_guard guard;
      stray_ud2();
    });
    REQUIRE(WIFSIGNALED(st));
    CHECK(WTERMSIG(st) == SIGILL);
  }
  SECTION("SIGBUS sent by kill()") {
    const int st = in_child([] {
      virtops::posix::trap_guard guard;
      kill(getpid(), SIGBUS);
    });
    REQUIRE(WIFSIGNALED(st));
    CHECK(WTERMSIG(st) == SIGBUS);
  }
  SECTION("SIGSEGV with SIG_IGN installed before the guard") {
    const int st = in_child([] {
      signal(SIGSEGV, SIG_IGN);
      virtops::posix::trap_guard guard;
      null_store();
    });
    REQUIRE(WIFSIGNALED(st));
    CHECK(WTERMSIG(st) == SIGSEGV);
  }
}

TEST_CASE("a kill() of an ignored signal stays ignored") {
  const int st = in_child([] {
    signal(SIGSEGV, SIG_IGN);
    virtops::posix::trap_guard guard;
    kill(getpid(), SIGSEGV);
    _exit(7);
  });
  REQUIRE(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 7);
}

TEST_CASE("a kill() is never mistaken for a fault, even at a site") {
  // si_code <= 0: sent, not raised by the CPU.
  saved_action prior(SIGSEGV, &user_siginfo_handler);
  virtops::posix::trap_guard guard;
  user_calls = 0;
  if (sigsetjmp(escape, 1) == 0) kill(getpid(), SIGSEGV);
  CHECK(user_calls == 1);
  CHECK(user_code == SI_USER);
}

TEST_CASE("a handler installed before the guard still gets its signals") {
  SECTION("SA_SIGINFO handler") {
    saved_action prior(SIGSEGV, &user_siginfo_handler);
    virtops::posix::trap_guard guard;
    user_calls = 0;
    if (sigsetjmp(escape, 1) == 0) null_store();
    CHECK(user_calls == 1);
    CHECK(user_signo == SIGSEGV);
    CHECK(user_code == SEGV_MAPERR);
    // ...while virtops' own faults never reach it.
    CHECK(call_wrapper<policy::report>(wrapper::vmload).st.code() == errc::fault);
    CHECK(call_wrapper<policy::report>(wrapper::vmxon).st.code() == errc::fault);
    CHECK(user_calls == 1);
  }
  SECTION("plain handler") {
    struct sigaction a = {}, old;
    a.sa_handler = &user_plain_handler;
    sigemptyset(&a.sa_mask);
    sigaction(SIGILL, &a, &old);
    {
      virtops::posix::trap_guard guard;
      user_calls = 0;
      if (sigsetjmp(escape, 1) == 0) stray_ud2();
      CHECK(user_calls == 1);
      CHECK(user_signo == SIGILL);
    }
    sigaction(SIGILL, &old, nullptr);
  }
}

TEST_CASE("the last guard restores exactly the previous dispositions") {
  saved_action prior(SIGBUS, &user_siginfo_handler);
  struct sigaction before[3], during, after[3];
  const int sigs[] = {SIGILL, SIGSEGV, SIGBUS};
  for (int k = 0; k < 3; ++k) sigaction(sigs[k], nullptr, &before[k]);
  {
    virtops::posix::trap_guard outer;
    {
      virtops::posix::trap_guard inner;
      sigaction(SIGSEGV, nullptr, &during);
      CHECK(during.sa_sigaction == &virtops::posix::detail::on_signal);
    }
    // The outer guard still holds.
    sigaction(SIGSEGV, nullptr, &during);
    CHECK(during.sa_sigaction == &virtops::posix::detail::on_signal);
    CHECK(call_wrapper<policy::report>(wrapper::stgi).st.code() == errc::fault);
  }
  for (int k = 0; k < 3; ++k) {
    sigaction(sigs[k], nullptr, &after[k]);
    CHECK(after[k].sa_flags == before[k].sa_flags);
    CHECK(reinterpret_cast<void*>(after[k].sa_sigaction) ==
          reinterpret_cast<void*>(before[k].sa_sigaction));
  }
}

TEST_CASE("guards on many threads at once: every thread sees only its own faults") {
  constexpr int threads = 6;
  constexpr unsigned calls = 2000;
  std::atomic<int> failures{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([t, &failures] {
      virtops::posix::trap_guard guard;
      const wrapper mine = all_wrappers[static_cast<unsigned>(t) * 3 % 19];  // not vmmcall
      counting::faults = 0;
      for (unsigned n = 0; n < calls; ++n) {
        const outcome o = call_wrapper<counting>(mine, n);
        if (o.st.code() != errc::fault || o.st.instruction() != instruction_of(mine) ||
            counting::last.instruction != instruction_of(mine))
          ++failures;
      }
      if (counting::faults != calls) ++failures;
    });
  for (auto& th : pool) th.join();
  CHECK(failures.load() == 0);
}

namespace {

// A signal as the kernel (si_code > 0) or kill() (SI_USER) would deliver it
// for a fault at `rip`, handed to the adapter's handler directly: the only
// way to give it an NMI's or a #DB's vector at a site from ring 3.
struct delivered {
  bool claimed;
  std::uintptr_t rip_after;
  int chained;  // calls of the handler installed before the guard
};

volatile sig_atomic_t chained_calls;
void count_chained(int, siginfo_t*, void*) { chained_calls = chained_calls + 1; }

delivered deliver(int sig, int si_code, std::uintptr_t rip, long trapno, std::uint32_t err) {
  siginfo_t info = {};
  info.si_signo = sig;
  info.si_code = si_code;
  ucontext_t uc = {};
  uc.uc_mcontext.gregs[REG_RIP] = static_cast<greg_t>(rip);
  uc.uc_mcontext.gregs[REG_TRAPNO] = trapno;
  uc.uc_mcontext.gregs[REG_ERR] = err;
  chained_calls = 0;
  virtops::posix::detail::on_signal(sig, &info, &uc);
  const auto after = static_cast<std::uintptr_t>(uc.uc_mcontext.gregs[REG_RIP]);
  return {after != rip, after, chained_calls};
}

const virtops::extable::entry& site_of(insn i) {
  for (const virtops::extable::entry& e : virtops::extable::this_module())
    if (e.instruction() == i) return e;
  FAIL("no site of " << virtops::to_string(i));
  return *virtops::extable::this_module().begin();
}

}  // namespace

TEST_CASE("the adapter claims a signal at a site only for an exception the instruction raises") {
  saved_action ill(SIGILL, &count_chained), segv(SIGSEGV, &count_chained),
      bus(SIGBUS, &count_chained);
  virtops::posix::trap_guard guard;
  // Sites of every wrapper are in this program (call_wrapper.hpp).
  CHECK(call_wrapper<policy::report>(wrapper::stgi).st.code() == errc::fault);
  const virtops::extable::entry &stgi = site_of(insn::stgi), &vmxon = site_of(insn::vmxon),
                                &vmmcall = site_of(insn::vmmcall);
  const auto claims = [](const delivered& d, const virtops::extable::entry& e) {
    return d.claimed && d.rip_after == e.fixup() && d.chained == 0;
  };
  const auto refuses = [](const delivered& d, const virtops::extable::entry& e) {
    return !d.claimed && d.rip_after == e.site() && d.chained == 1;
  };
  SECTION("exceptions the instruction raises") {
    CHECK(claims(deliver(SIGSEGV, SI_KERNEL, stgi.site(), 13, 0), stgi));
    CHECK(virtops::detail::fault_slot() == (virtops::fault_info{insn::stgi, 13, 0, stgi.site()}));
    CHECK(claims(deliver(SIGILL, ILL_ILLOPN, stgi.site(), 6, 0), stgi));
    CHECK(claims(deliver(SIGBUS, BUS_ADRERR, vmxon.site(), 12, 0), vmxon));
    CHECK(claims(deliver(SIGSEGV, SEGV_ACCERR, vmmcall.site(), 14, 7), vmmcall));
  }
  SECTION("events and exceptions it does not raise go to the previous handler") {
    for (long v : {1, 2, 3, 8, 18, 32, 0xff}) {
      INFO("vector " << v);
      CHECK(refuses(deliver(SIGSEGV, SI_KERNEL, stgi.site(), v, 0), stgi));
    }
    CHECK(refuses(deliver(SIGBUS, BUS_ADRERR, stgi.site(), 12, 0), stgi));  // no #SS for STGI
    CHECK(refuses(deliver(SIGSEGV, SEGV_MAPERR, stgi.site(), 14, 0), stgi));
    CHECK(refuses(deliver(SIGSEGV, SI_KERNEL, vmxon.site(), 13, 1), vmxon));   // EXT set
    CHECK(refuses(deliver(SIGSEGV, SI_KERNEL, stgi.site(), 0x10d, 0), stgi));  // not a vector
    CHECK(refuses(deliver(SIGSEGV, SI_KERNEL, stgi.site(), -1, 0), stgi));
  }
  SECTION("valgrind's SIGILL without a vector is an invalid opcode, recorded as it came") {
    CHECK(claims(deliver(SIGILL, ILL_ILLOPC, stgi.site(), 0, 0), stgi));
    CHECK(virtops::detail::fault_slot() == (virtops::fault_info{insn::stgi, 0, 0, stgi.site()}));
    // Vector 0 in any other signal is no #UD (#DE is SIGFPE).
    CHECK(refuses(deliver(SIGSEGV, SI_KERNEL, stgi.site(), 0, 0), stgi));
  }
  SECTION("a sent signal is never a fault, even with a vector and at a site") {
    CHECK(refuses(deliver(SIGILL, SI_USER, stgi.site(), 6, 0), stgi));
    CHECK(refuses(deliver(SIGSEGV, SI_QUEUE, stgi.site(), 13, 0), stgi));
    CHECK(refuses(deliver(SIGILL, SI_TKILL, stgi.site(), 0, 0), stgi));
  }
}
