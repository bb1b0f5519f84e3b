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
