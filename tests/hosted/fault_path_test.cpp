// Every wrapper's fault path, for real: in ring 3 each VMX/SVM instruction
// faults, and the POSIX adapter routes the signal through the exception table.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <virtops/posix.hpp>
#include <virtops/virtops.hpp>

#include "call_wrapper.hpp"
#include "child.hpp"
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

}  // namespace

// Hypercall instructions may be answered by a hypervisor below us instead of
// faulting (KVM returns -KVM_EPERM in RAX for VMMCALL at CPL 3): for those
// the oracle decides, and the wrapper must agree with it either way.
bool is_hypercall(wrapper w) { return w == wrapper::vmcall || w == wrapper::vmmcall; }

// What call_wrapper's value must be: a read yields 0 after a fault; a
// hypercall's registers keep their inputs (RAX = the operand, 0x1000) after a
// fault and hold the answer after a hypercall that did not fault.
std::uint64_t expected_value(wrapper w, const raised& oracle) {
  if (!oracle.faulted) return oracle.rax;
  return is_hypercall(w) ? 0x1000 : 0;
}

// What the bare instructions raise is the host's business (docs/reliability.md
// has the hosts seen: #UD, #GP(0), #PF with error code 7, or no fault at
// all): the oracle asks the CPU, and every test below requires the wrapper
// to agree with it. Here only what holds on any host: the oracle sees the
// same thing twice, the signal is the one Linux sends for the vector, and
// something faults, or the tests below would prove nothing.
TEST_CASE("the oracle: what each bare VMX/SVM instruction raises in ring 3 on this host") {
  unsigned faulting = 0;
  for (wrapper w : all_wrappers) {
    const raised r = probe(first_executed(w));
    INFO(name_of(w) << (r.faulted ? " faults, vector " : " does not fault") << r.trapno
                    << " error code " << r.error_code);
    const raised again = probe(first_executed(w));
    CHECK(again.faulted == r.faulted);
    CHECK(again.trapno == r.trapno);
    CHECK(again.error_code == r.error_code);
    if (!r.faulted) continue;
    ++faulting;
    CHECK(signal_for_vector(r.trapno) != 0);
    CHECK(r.signo == signal_for_vector(r.trapno));
  }
  CHECK(faulting > 0);
}

TEST_CASE("policy::report returns the fault the CPU raised") {
  virtops::posix::trap_guard guard;
  REQUIRE(guard.installed());
  for (wrapper w : all_wrappers) {
    INFO(name_of(w));
    const raised expected = probe(first_executed(w));
    const outcome o = call_wrapper<policy::report>(w);
    if (!expected.faulted) {
      CHECK(o.st.ok());
      CHECK(o.value == expected.rax);
      continue;
    }
    REQUIRE(o.st.code() == errc::fault);
    CHECK_FALSE(o.st.ok());
    CHECK(o.st.instruction() == instruction_of(w));
    const virtops::fault_info f = o.st.fault();
    CHECK(f.instruction == instruction_of(w));
    CHECK(int{f.vector} == expected.trapno);
    CHECK(f.error_code == expected.error_code);
    // The recorded RIP is a registered site of this very wrapper.
    const virtops::extable::entry* e = virtops::extable::find(f.rip);
    REQUIRE(e != nullptr);
    CHECK(e->instruction() == instruction_of(w));
    CHECK(o.value == expected_value(w, expected));
  }
}

TEST_CASE("policy::ignore eats the fault: success, and reads yield 0") {
  virtops::posix::trap_guard guard;
  for (wrapper w : all_wrappers) {
    INFO(name_of(w));
    const raised expected = probe(first_executed(w));
    const outcome o = call_wrapper<policy::ignore>(w);
    CHECK(o.st.ok());
    CHECK(o.value == expected_value(w, expected));
  }
}

TEST_CASE("a custom policy sees exactly one fault per call") {
  virtops::posix::trap_guard guard;
  for (wrapper w : all_wrappers) {
    INFO(name_of(w));
    const raised expected = probe(first_executed(w));
    counting::faults = 0;
    for (unsigned n = 1; n <= 3; ++n) {
      const outcome o = call_wrapper<counting>(w);
      CHECK(counting::faults == (expected.faulted ? n : 0));
      if (!expected.faulted) continue;
      CHECK(o.st.code() == errc::fault);
      CHECK(counting::last == o.st.fault());
      CHECK(int{counting::last.vector} == expected.trapno);
    }
  }
}

namespace {
// Declares that it never resumes, and resumes: held to its declaration.
struct resumes_against_its_word {
  static constexpr bool can_resume = false;
  static inline unsigned calls = 0;
  static virtops::fault_action on_fault(const virtops::fault_info&) noexcept {
    ++calls;
    return virtops::fault_action::resume;
  }
};
}  // namespace

TEST_CASE("a policy that declares it never resumes is reported when it resumes") {
  STATIC_REQUIRE_FALSE(virtops::can_resume<policy::report>);
  STATIC_REQUIRE_FALSE(virtops::can_resume<policy::panic>);
  STATIC_REQUIRE(virtops::can_resume<policy::ignore>);
  STATIC_REQUIRE(virtops::can_resume<policy::reboot_aware<rebooting_flag>>);
  STATIC_REQUIRE(virtops::can_resume<counting>);  // no declaration: may resume
  STATIC_REQUIRE_FALSE(virtops::can_resume<resumes_against_its_word>);
  virtops::posix::trap_guard guard;
  for (wrapper w : all_wrappers) {
    INFO(name_of(w));
    const raised expected = probe(first_executed(w));
    resumes_against_its_word::calls = 0;
    const outcome o = call_wrapper<resumes_against_its_word>(w);
    if (!expected.faulted) {
      CHECK(o.st.ok());
      continue;
    }
    CHECK(resumes_against_its_word::calls == 1);
    CHECK(o.st.code() == errc::fault);
    CHECK(o.st.instruction() == instruction_of(w));
    CHECK(int{o.st.fault().vector} == expected.trapno);
  }
}

TEST_CASE("policy::reboot_aware eats faults only while rebooting") {
  virtops::posix::trap_guard guard;
  using aware = policy::reboot_aware<rebooting_flag, counting>;
  for (wrapper w : all_wrappers) {
    INFO(name_of(w));
    const bool faults = probe(first_executed(w)).faulted;
    counting::faults = 0;
    rebooting_flag::value = true;
    CHECK(call_wrapper<aware>(w).st.ok());
    CHECK(counting::faults == 0);
    rebooting_flag::value = false;
    CHECK(call_wrapper<aware>(w).st.ok() == !faults);
    CHECK(counting::faults == (faults ? 1 : 0));
  }
}

TEST_CASE("policy::panic does not return: the default hook traps") {
  for (wrapper w : all_wrappers) {
    INFO(name_of(w));
    const bool faults = probe(first_executed(w)).faulted;
    const int status = in_child([w] {
      virtops::posix::trap_guard guard;
      (void)call_wrapper<policy::panic>(w);
      _exit(3);  // only without a fault
    });
    if (faults) {
      REQUIRE(WIFSIGNALED(status));
      CHECK(WTERMSIG(status) == SIGILL);  // UD2 from __builtin_trap
    } else {
      REQUIRE(WIFEXITED(status));
      CHECK(WEXITSTATUS(status) == 3);
    }
  }
}

TEST_CASE("policy::panic hands the fault to the installed hook") {
  for (wrapper w : all_wrappers) {
    INFO(name_of(w));
    if (!probe(first_executed(w)).faulted) continue;
    const int status = in_child([w] {
      virtops::posix::trap_guard guard;
      virtops::set_panic_hook([](const virtops::status& s) noexcept {
        _exit(100 + static_cast<int>(s.fault().instruction));
      });
      (void)call_wrapper<policy::panic>(w);
      _exit(3);
    });
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 100 + static_cast<int>(instruction_of(w)));
  }
}

TEST_CASE("a faulting VMREAD/VMWRITE names its field, in every form") {
  virtops::posix::trap_guard guard;
  namespace vmx = virtops::vmx;
  namespace vmcs = virtops::vmcs;
  if (probe(insn::vmread).faulted) {
    const auto untyped = vmx::vmread(vmcs::guest_rip::encoding);
    CHECK(untyped.error().code() == errc::fault);
    CHECK(untyped.error().field() == vmcs::guest_rip::encoding);
    const auto typed = vmx::vmread<vmcs::guest_cs_selector>();
    CHECK(typed.error().field() == vmcs::guest_cs_selector::encoding);
    const auto checked = vmx::vmread_checked(vmcs::exit_qualification::encoding);
    CHECK(checked.error().code() == errc::fault);
    CHECK(std::string(virtops::field_name(checked.error())) == "exit_qualification");
    // Refused before anything ran: named too.
    const auto refused = vmx::vmread_checked(0x1000);
    CHECK(refused.error().code() == errc::invalid_field);
    CHECK(refused.error().field() == 0x1000);
  }
  if (probe(insn::vmwrite).faulted) {
    const virtops::status untyped = vmx::vmwrite(vmcs::guest_rsp::encoding, 1);
    CHECK(untyped.code() == errc::fault);
    CHECK(untyped.field() == vmcs::guest_rsp::encoding);
    const virtops::status typed = vmx::vmwrite<vmcs::guest_rip>(std::uint64_t{1});
    CHECK(typed.field() == vmcs::guest_rip::encoding);
    const virtops::status checked = vmx::vmwrite_checked(vmcs::guest_cs_selector::encoding, 1);
    CHECK(checked.field() == vmcs::guest_cs_selector::encoding);
    const virtops::status too_wide =
        vmx::vmwrite_checked(vmcs::guest_cs_selector::encoding, 0x10000);
    CHECK(too_wide.code() == errc::value_too_wide);
    CHECK(too_wide.field() == vmcs::guest_cs_selector::encoding);
  }
}

TEST_CASE("value() of a failed result goes to the panic hook and never returns") {
  if (!probe(insn::vmread).faulted) return;
  SECTION("with a hook: the hook sees the failure") {
    const int status = in_child([] {
      virtops::posix::trap_guard guard;
      virtops::set_panic_hook([](const virtops::status& s) noexcept {
        _exit(s.code() == errc::fault && s.field() == virtops::vmcs::vm_exit_reason::encoding ? 42
                                                                                              : 43);
      });
      const auto reason = virtops::vmx::vmread<virtops::vmcs::vm_exit_reason>();
      (void)reason.value();
      _exit(3);  // value() returned
    });
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 42);
  }
  SECTION("without a hook: UD2, never a silent 0") {
    const int status = in_child([] {
      signal(SIGILL, SIG_DFL);
      virtops::posix::trap_guard guard;
      virtops::set_panic_hook(nullptr);
      const auto reason = virtops::vmx::vmread<virtops::vmcs::vm_exit_reason>();
      const std::uint32_t r = reason.value();
      _exit(r == 0 ? 3 : 4);  // value() returned
    });
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGILL);
  }
  SECTION("value_or() gives the default instead") {
    virtops::posix::trap_guard guard;
    CHECK(virtops::vmx::vmread<virtops::vmcs::vm_exit_reason>().value_or(0xffff'ffffu) ==
          0xffff'ffffu);
  }
}

TEST_CASE("policy::reboot_aware panics outside a reboot") {
  const int status = in_child([] {
    virtops::posix::trap_guard guard;
    rebooting_flag::value = false;
    (void)call_wrapper<policy::reboot_aware<rebooting_flag>>(wrapper::vmxoff);
    _exit(3);
  });
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGILL);
}

namespace {

// Many values live across a faulting wrapper; with VMRUN's full clobber list
// and the red-zone dance this is where a wrong constraint would show.
template <class P>
[[gnu::noinline]] bool live_values_survive(wrapper w) {
  volatile std::uint64_t seed = 0x9e3779b97f4a7c15u;
  std::uint64_t v[20];
  for (unsigned k = 0; k < 20; ++k) v[k] = seed * (k + 1) ^ (seed >> k);
  const outcome o = call_wrapper<P>(w, v[3]);
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
  virtops::gprs guest{};
  const auto s1 = virtops::svm::vmrun(a);
  const auto s2 = virtops::vmx::vmread(b);
  const auto s3 = virtops::vmx::vmwrite(a, b);
  const auto s4 = virtops::vmx::launch(guest);
  const auto s5 = virtops::svm::vmrun(a, guest);
  std::uint64_t acc = 0;
  for (unsigned k = 0; k < 14; ++k) acc = acc * 31 + r[k];
  return acc + (s1.ok() ? 1 : 0) + (s2.has_value() ? 2 : 0) + (s3.ok() ? 4 : 0) +
         (s4.ok() ? 8 : 0) + (s5.ok() ? 16 : 0);
}

}  // namespace

TEST_CASE("values live across a faulting call are intact") {
  virtops::posix::trap_guard guard;
  for (wrapper w : all_wrappers) {
    INFO(name_of(w));
    CHECK(live_values_survive<policy::report>(w));
    CHECK(live_values_survive<policy::ignore>(w));
  }
  const std::uint64_t a = 0x1234'5678'9abc'def0u, b = 0x0fed'cba9'8765'4321u;
  std::uint64_t expected = 0;
  for (unsigned k = 0; k < 14; ++k) expected = expected * 31 + (a * (k + 3) + (b >> k));
  CHECK(inline_pressure(a, b) == expected);  // all five faulted: no success bits
}

namespace {
virtops::fault_info custom_slot_storage;
unsigned custom_slot_calls = 0;
virtops::fault_info& custom_slot() noexcept {
  ++custom_slot_calls;
  return custom_slot_storage;
}
}  // namespace

TEST_CASE("an installed fault slot is where trap handler and wrapper meet") {
  virtops::posix::trap_guard guard;
  const virtops::fault_slot_fn previous = virtops::set_fault_slot(&custom_slot);
  CHECK(previous == nullptr);
  custom_slot_calls = 0;
  const virtops::fault_info thread_slot_before = virtops::detail::default_fault_slot();
  const outcome o = call_wrapper<counting>(wrapper::vmclear);
  REQUIRE(o.st.code() == errc::fault);
  // Written by the signal handler, read by the fault path: twice.
  CHECK(custom_slot_calls == 2);
  CHECK(custom_slot_storage == o.st.fault());
  CHECK(virtops::detail::default_fault_slot() == thread_slot_before);
  CHECK(virtops::set_fault_slot(nullptr) == &custom_slot);
  CHECK(call_wrapper<counting>(wrapper::vmclear).st.code() == errc::fault);
  CHECK(custom_slot_calls == 2);
}
