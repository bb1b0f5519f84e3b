// RDMSR, WRMSR and XSETBV in ring 3: the bare instructions raise #GP(0) at
// CPL 3 on every host (SDM Vol. 2), but the oracle asks the CPU what they
// raise, and each wrapper must report exactly that under every policy.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <virtops/msr.hpp>
#include <virtops/posix.hpp>
#include <virtops/xcr.hpp>

#include "call_wrapper.hpp"
#include "child.hpp"
#include "probe.hpp"
#include "virtops_catch.hpp"

using virtops::errc;
using virtops::insn;
namespace policy = virtops::policy;

namespace {

// The operands probe.cpp runs the bare instructions with.
constexpr std::uint32_t ia32_efer = 0xc000'0080u;
constexpr std::uint64_t xcr0_x87_sse = 3;

constexpr insn all_insns[] = {insn::rdmsr, insn::wrmsr, insn::xsetbv};

template <class P>
[[gnu::noinline]] outcome call(insn i) {
  switch (i) {
    case insn::rdmsr: {
      const auto r = virtops::msr::read<P>(ia32_efer);
      return {r.error(), r.value_or(0)};
    }
    case insn::wrmsr: return {virtops::msr::write<P>(ia32_efer, 0)};
    case insn::xsetbv: return {virtops::xsetbv<P>(0, xcr0_x87_sse)};
    default: break;
  }
  return {virtops::status::vmfail_invalid(insn::vmxon)};
}

}  // namespace

TEST_CASE("the oracle: bare RDMSR, WRMSR, XSETBV fault in ring 3") {
  for (insn i : all_insns) {
    const raised r = probe(i);
    INFO(virtops::to_string(i) << " vector " << r.trapno << " error code " << r.error_code);
    REQUIRE(r.faulted);  // CPL 3: #GP(0), or #UD for XSETBV without OSXSAVE
    CHECK(r.signo == signal_for_vector(r.trapno));
    const raised again = probe(i);
    CHECK(again.trapno == r.trapno);
    CHECK(again.error_code == r.error_code);
  }
}

TEST_CASE("no VMfail for them: they are neither VMX nor SVM") {
  for (insn i : all_insns) {
    CHECK_FALSE(virtops::is_vmx(i));
    CHECK_FALSE(virtops::is_svm(i));
    CHECK(virtops::extable::vectors_raised_by(static_cast<std::uint32_t>(i)) ==
          ((1u << virtops::vector::ud) | (1u << virtops::vector::gp)));
  }
}

TEST_CASE("policy::report: errc::fault with the vector and error code the CPU raised") {
  virtops::posix::trap_guard guard;
  REQUIRE(guard.installed());
  for (insn i : all_insns) {
    INFO(virtops::to_string(i));
    const raised expected = probe(i);
    const outcome o = call<policy::report>(i);
    REQUIRE(o.st.code() == errc::fault);
    CHECK(o.st.instruction() == i);
    const virtops::fault_info f = o.st.fault();
    CHECK(f.instruction == i);
    CHECK(int{f.vector} == expected.trapno);
    CHECK(f.error_code == expected.error_code);
    const virtops::extable::entry* e = virtops::extable::find(f.rip);
    REQUIRE(e != nullptr);
    CHECK(e->instruction() == i);
    CHECK(o.value == 0);
  }
}

TEST_CASE("msr::read's result: no value after a fault") {
  virtops::posix::trap_guard guard;
  const auto r = virtops::msr::read(0x1234'5678u);
  CHECK_FALSE(r.has_value());
  CHECK(r.error().code() == errc::fault);
  CHECK(r.value_or(42) == 42);
}

TEST_CASE("policy::ignore: success, and a read yields 0") {
  virtops::posix::trap_guard guard;
  for (insn i : all_insns) {
    INFO(virtops::to_string(i));
    const outcome o = call<policy::ignore>(i);
    CHECK(o.st.ok());
    CHECK(o.value == 0);
  }
}

TEST_CASE("a custom policy sees exactly one fault per call") {
  virtops::posix::trap_guard guard;
  for (insn i : all_insns) {
    INFO(virtops::to_string(i));
    const raised expected = probe(i);
    counting::faults = 0;
    for (unsigned n = 1; n <= 3; ++n) {
      const outcome o = call<counting>(i);
      CHECK(counting::faults == n);
      CHECK(o.st.code() == errc::fault);
      CHECK(counting::last == o.st.fault());
      CHECK(int{counting::last.vector} == expected.trapno);
      CHECK(counting::last.error_code == expected.error_code);
    }
  }
}

TEST_CASE("policy::panic: the default hook traps, an installed hook sees the fault") {
  for (insn i : all_insns) {
    INFO(virtops::to_string(i));
    const int trapped = in_child([i] {
      virtops::posix::trap_guard guard;
      (void)call<policy::panic>(i);
      _exit(3);
    });
    REQUIRE(WIFSIGNALED(trapped));
    CHECK(WTERMSIG(trapped) == SIGILL);  // UD2 from __builtin_trap
    const int hooked = in_child([i] {
      virtops::posix::trap_guard guard;
      virtops::set_panic_hook([](const virtops::status& s) noexcept {
        _exit(s.code() == errc::fault ? 100 + static_cast<int>(s.fault().instruction) : 1);
      });
      (void)call<policy::panic>(i);
      _exit(3);
    });
    REQUIRE(WIFEXITED(hooked));
    CHECK(WEXITSTATUS(hooked) == 100 + static_cast<int>(i));
  }
}

TEST_CASE("values live across a faulting call are intact") {
  virtops::posix::trap_guard guard;
  volatile std::uint64_t seed = 0x9e3779b97f4a7c15u;
  std::uint64_t v[16];
  for (unsigned k = 0; k < 16; ++k) v[k] = seed * (k + 1) ^ (seed >> k);
  const auto r = virtops::msr::read(static_cast<std::uint32_t>(v[2]));
  const auto w = virtops::msr::write(static_cast<std::uint32_t>(v[3]), v[4]);
  const auto x = virtops::xsetbv(static_cast<std::uint32_t>(v[5]), v[6]);
  for (unsigned k = 0; k < 16; ++k) CHECK(v[k] == (seed * (k + 1) ^ (seed >> k)));
  CHECK(r.error().code() == errc::fault);
  CHECK(w.code() == errc::fault);
  CHECK(x.code() == errc::fault);
}
