// Every wrapper's fault path, for real: in ring 3 each VMX/SVM instruction
// faults, and the POSIX adapter routes the signal through the exception table.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <virtops/posix.hpp>
#include <virtops/virtops.hpp>

#include "call_wrapper.hpp"
#include "probe.hpp"
#include "virtops_catch.hpp"

using virtops::errc;
using virtops::insn;
namespace policy = virtops::policy;

namespace {

struct rebooting_flag {
  static inline bool value = false;
  static bool rebooting() noexcept { return value; }
};

// Runs `body` in a child process and returns its wait status.
template <class F>
int in_child(F body) {
  const pid_t pid = fork();
  if (pid == 0) {
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

}  // namespace

TEST_CASE("the CPU faults on every bare VMX/SVM instruction in ring 3") {
  for (insn i : wrapped) {
    INFO(virtops::to_string(i));
    const raised r = probe(i);
    CHECK(r.faulted);
    CHECK((r.trapno == virtops::vector::ud || r.trapno == virtops::vector::gp));
    CHECK(r.signo == signal_for_vector(r.trapno));
  }
}

TEST_CASE("policy::report returns the fault the CPU raised") {
  virtops::posix::trap_guard guard;
  REQUIRE(guard.installed());
  for (insn i : wrapped) {
    INFO(virtops::to_string(i));
    const raised expected = probe(i);
    const outcome o = call_wrapper<policy::report>(i);
    REQUIRE(o.st.code() == errc::fault);
    CHECK_FALSE(o.st.ok());
    CHECK(o.st.instruction() == i);
    const virtops::fault_info f = o.st.fault();
    CHECK(f.instruction == i);
    CHECK(int{f.vector} == expected.trapno);
    CHECK(f.error_code == expected.error_code);
    // The recorded RIP is a registered site of this very instruction.
    const virtops::extable::entry* e = virtops::extable::find(f.rip);
    REQUIRE(e != nullptr);
    CHECK(e->instruction() == i);
    CHECK(o.value == 0);
  }
}

TEST_CASE("policy::ignore eats the fault: success, and reads yield 0") {
  virtops::posix::trap_guard guard;
  for (insn i : wrapped) {
    INFO(virtops::to_string(i));
    const outcome o = call_wrapper<policy::ignore>(i, 0xffff'ffff'ffff'0000);
    CHECK(o.st.ok());
    CHECK(o.value == 0);
  }
}

TEST_CASE("a custom policy sees exactly one fault per call") {
  virtops::posix::trap_guard guard;
  for (insn i : wrapped) {
    INFO(virtops::to_string(i));
    const raised expected = probe(i);
    counting::faults = 0;
    for (unsigned n = 1; n <= 3; ++n) {
      const outcome o = call_wrapper<counting>(i);
      CHECK(counting::faults == n);
      CHECK(o.st.code() == errc::fault);
      CHECK(counting::last == o.st.fault());
      CHECK(int{counting::last.vector} == expected.trapno);
    }
  }
}

TEST_CASE("policy::reboot_aware eats faults only while rebooting") {
  virtops::posix::trap_guard guard;
  using aware = policy::reboot_aware<rebooting_flag, counting>;
  for (insn i : wrapped) {
    INFO(virtops::to_string(i));
    counting::faults = 0;
    rebooting_flag::value = true;
    CHECK(call_wrapper<aware>(i).st.ok());
    CHECK(counting::faults == 0);
    rebooting_flag::value = false;
    CHECK(call_wrapper<aware>(i).st.code() == errc::fault);
    CHECK(counting::faults == 1);
  }
}

TEST_CASE("policy::panic does not return: the default hook traps") {
  for (insn i : wrapped) {
    INFO(virtops::to_string(i));
    const int status = in_child([i] {
      virtops::posix::trap_guard guard;
      (void)call_wrapper<policy::panic>(i);
      _exit(3);  // must not get here
    });
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGILL);  // UD2 from __builtin_trap
  }
}

TEST_CASE("policy::panic hands the fault to the installed hook") {
  for (insn i : wrapped) {
    INFO(virtops::to_string(i));
    const int status = in_child([i] {
      virtops::posix::trap_guard guard;
      virtops::set_panic_hook([](const virtops::fault_info& f) noexcept {
        _exit(100 + static_cast<int>(f.instruction));
      });
      (void)call_wrapper<policy::panic>(i);
      _exit(3);
    });
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 100 + static_cast<int>(i));
  }
}

TEST_CASE("policy::reboot_aware panics outside a reboot") {
  const int status = in_child([] {
    virtops::posix::trap_guard guard;
    rebooting_flag::value = false;
    (void)call_wrapper<policy::reboot_aware<rebooting_flag>>(insn::vmxoff);
    _exit(3);
  });
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGILL);
}

namespace {

// Many values live across a faulting wrapper; with VMRUN's full clobber list
// and the red-zone dance this is where a wrong constraint would show.
template <class P>
[[gnu::noinline]] bool live_values_survive(insn i) {
  volatile std::uint64_t seed = 0x9e3779b97f4a7c15u;
  std::uint64_t v[20];
  for (unsigned k = 0; k < 20; ++k) v[k] = seed * (k + 1) ^ (seed >> k);
  const outcome o = call_wrapper<P>(i, v[3]);
  std::uint64_t sum = 0;
  bool intact = true;
  for (unsigned k = 0; k < 20; ++k) {
    intact &= v[k] == (seed * (k + 1) ^ (seed >> k));
    sum += v[k];
  }
  return intact && sum != 0 && (o.st.code() == errc::fault || o.st.ok());
}

// The same, with the wrapper inlined into a function full of live registers.
[[gnu::noinline]] std::uint64_t inline_pressure(std::uint64_t a, std::uint64_t b) {
  std::uint64_t r[14];
  for (unsigned k = 0; k < 14; ++k) r[k] = a * (k + 3) + (b >> k);
  const auto s1 = virtops::svm::vmrun(a);
  const auto s2 = virtops::vmx::vmread(b);
  const auto s3 = virtops::vmx::vmwrite(a, b);
  std::uint64_t acc = 0;
  for (unsigned k = 0; k < 14; ++k) acc = acc * 31 + r[k];
  return acc + (s1.ok() ? 1 : 0) + (s2.has_value() ? 2 : 0) + (s3.ok() ? 4 : 0);
}

}  // namespace

TEST_CASE("values live across a faulting call are intact") {
  virtops::posix::trap_guard guard;
  for (insn i : wrapped) {
    INFO(virtops::to_string(i));
    CHECK(live_values_survive<policy::report>(i));
    CHECK(live_values_survive<policy::ignore>(i));
  }
  const std::uint64_t a = 0x1234'5678'9abc'def0u, b = 0x0fed'cba9'8765'4321u;
  std::uint64_t expected = 0;
  for (unsigned k = 0; k < 14; ++k) expected = expected * 31 + (a * (k + 3) + (b >> k));
  CHECK(inline_pressure(a, b) == expected);  // all three faulted: no success bits
}
