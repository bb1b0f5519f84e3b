// Stale outputs: every wrapper's VMfail and fault paths return what its
// policy says, never what its output register or memory held. GCC 12.2
// returns an asm goto's output on a failure path that should return a
// constant or the caller's value (hazard_control.cpp); this pins down that
// the wrappers are not hit, at every -O level of the build.
//
// What each path must give (policy.hpp, docs/policies.md):
//  - a fault under a reporting policy: errc::fault, value_or(sentinel) ==
//    sentinel, and value() goes to the panic hook with that failure;
//  - a fault under a resuming policy: success, value() == value_or(s) == 0;
//  - VMfailInvalid/VMfailValid under any policy (which is not called):
//    that error, value_or(sentinel) == sentinel, value() to the panic hook;
//  - hypercall and guest registers keep their inputs after a fault or a
//    VMfail, whatever the policy.
//
// Faults happen for real (ring 3, the POSIX trap_guard), three ways:
// plainly, with the registers and stack poisoned beforehand (best effort);
// with the CPU double scribbling `poison` over every operand the asm may
// change at the fault (certain); and VMfails, which ring 3 cannot produce,
// emulated by the CPU double at the real wrapper's instruction.
#include <type_traits>
#include <virtops/posix.hpp>
#include <virtops/virtops.hpp>

#include "../hosted/call_wrapper.hpp"
#include "../hosted/child.hpp"
#include "../hosted/probe.hpp"
#include "cpu_double.hpp"
#include "hazard_control.hpp"
#include "virtops_catch.hpp"

#ifndef STALE_OUTPUT_LEVEL
#define STALE_OUTPUT_LEVEL "unknown"
#endif
#if defined(__clang__)
#define STALE_OUTPUT_COMPILER "clang " __clang_version__
#else
#define STALE_OUTPUT_COMPILER "gcc " __VERSION__
#endif

namespace {

namespace vmx = virtops::vmx;
namespace svm = virtops::svm;
namespace vmcs = virtops::vmcs;
namespace policy = virtops::policy;
using stale::cpu_double;
using stale::cpu_mode;
using stale::poison;
using virtops::errc;
using virtops::fault_action;
using virtops::fault_info;
using virtops::insn;
using virtops::vm_instruction_error;

// ---------------------------------------------------------------- policies

// No can_resume declaration: the wrapper must allow for a resume.
struct custom_report {
  static inline unsigned calls = 0;
  static fault_action on_fault(const fault_info&) noexcept {
    ++calls;
    return fault_action::report;
  }
};
struct custom_resume {
  static inline unsigned calls = 0;
  static fault_action on_fault(const fault_info&) noexcept {
    ++calls;
    return fault_action::resume;
  }
};
struct custom_never_resumes {
  static constexpr bool can_resume = false;
  static inline unsigned calls = 0;
  static fault_action on_fault(const fault_info&) noexcept {
    ++calls;
    return fault_action::report;
  }
};

template <class P>
constexpr bool resumes = std::is_same_v<P, policy::ignore> || std::is_same_v<P, custom_resume>;

template <class P>
unsigned calls_of() {
  if constexpr (requires { P::calls; })
    return P::calls;
  else
    return 0;
}

template <class F>
void for_each_policy(F f) {
  f.template operator()<policy::report>("policy::report");
  f.template operator()<policy::ignore>("policy::ignore");
  f.template operator()<custom_report>("custom_report");
  f.template operator()<custom_resume>("custom_resume");
  f.template operator()<custom_never_resumes>("custom_never_resumes");
}

// ------------------------------------------------------------------- paths

enum class path { fault, fault_scribbled, vmfail_invalid, vmfail_valid };
constexpr path fault_paths[] = {path::fault, path::fault_scribbled};
constexpr path vmfail_paths[] = {path::vmfail_invalid, path::vmfail_valid};

constexpr const char* to_string(path p) {
  return p == path::fault             ? "fault (poisoned beforehand)"
         : p == path::fault_scribbled ? "fault (outputs scribbled at the fault)"
         : p == path::vmfail_invalid  ? "VMfailInvalid (emulated)"
                                      : "VMfailValid (emulated)";
}

constexpr bool is_vmfail(path p) { return p == path::vmfail_invalid || p == path::vmfail_valid; }

constexpr vm_instruction_error emulated_error =
    vm_instruction_error::vmread_vmwrite_unsupported_component;

// What a wrapper must return on `p` under P.
struct expectation {
  errc code;
  unsigned policy_calls;  // per instruction executed
};

template <class P>
expectation expect(path p) {
  switch (p) {
    case path::fault:
    case path::fault_scribbled: return {resumes<P> ? errc::ok : errc::fault, 1};
    case path::vmfail_invalid: return {errc::vmfail_invalid, 0};
    case path::vmfail_valid: return {errc::vmfail_valid, 0};
  }
  return {errc::ok, 0};
}

// Runs `body` with the trap_guard and, but for a plain fault, the CPU double.
template <class F>
void on_path(path p, F body) {
  virtops::posix::trap_guard guard;
  REQUIRE(guard.installed());
  if (p == path::fault) {
    body();
    return;
  }
  const cpu_mode mode = p == path::fault_scribbled  ? cpu_mode::scribble
                        : p == path::vmfail_invalid ? cpu_mode::vmfail_invalid
                                                    : cpu_mode::vmfail_valid;
  cpu_double cpu(mode, emulated_error);
  REQUIRE(cpu.installed());
  body();
}

void check_double_was_sane() {
  CHECK(cpu_double::counters().undecodable == 0);
  CHECK(cpu_double::counters().wrong_opcode == 0);
}

// ---------------------------------------------------------------- poisoning

const volatile std::uint64_t poison_word = poison;

// The stack below the caller's frame, where a callee's slots will be.
[[gnu::noinline]] void poison_stack() {
  volatile std::uint64_t below[512];
  for (auto& w : below) w = poison_word;
}

// The caller-saved registers: what a callee's output register most likely
// holds before anything is written to it.
[[gnu::noinline]] void poison_registers() {
  asm volatile(
      "mov %[p], %%rax\n\t"
      "mov %%rax, %%rcx\n\t"
      "mov %%rax, %%rdx\n\t"
      "mov %%rax, %%rsi\n\t"
      "mov %%rax, %%rdi\n\t"
      "mov %%rax, %%r8\n\t"
      "mov %%rax, %%r9\n\t"
      "mov %%rax, %%r10\n\t"
      "mov %%rax, %%r11"
      :
      : [p] "m"(poison_word)
      : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11");
}

void poison_everything() {
  poison_stack();
  poison_registers();
}

// Run-time operands: nothing below is folded into a constant.
volatile std::uint64_t field_operand = vmcs::guest_rip::encoding;
volatile std::uint64_t sentinel_operand = 0x5e47'1e15'0000'5e17u;

// ------------------------------------------------------------------- reads

#define STALE_READER [[gnu::always_inline]] static inline

struct untyped_read {
  using type = std::uint64_t;
  static constexpr const char* name = "vmx::vmread(field)";
  static constexpr insn instruction = insn::vmread;
  static constexpr bool can_vmfail = true;
  template <class P>
  STALE_READER virtops::result<type> read(std::uint64_t field) noexcept {
    return vmx::vmread<P>(field);
  }
};

template <class F>
struct typed_read {
  using type = typename F::value_type;
  static constexpr const char* name = "vmx::vmread<F>()";
  static constexpr insn instruction = insn::vmread;
  static constexpr bool can_vmfail = true;
  template <class P>
  STALE_READER virtops::result<type> read(std::uint64_t) noexcept {
    return vmx::vmread<F, P>();
  }
};

struct checked_read {
  using type = std::uint64_t;
  static constexpr const char* name = "vmx::vmread_checked(field)";
  static constexpr insn instruction = insn::vmread;
  static constexpr bool can_vmfail = true;
  template <class P>
  STALE_READER virtops::result<type> read(std::uint64_t field) noexcept {
    return vmx::vmread_checked<P>(field);
  }
};

struct ptrst_read {
  using type = std::uint64_t;
  static constexpr const char* name = "vmx::vmptrst()";
  static constexpr insn instruction = insn::vmptrst;
  static constexpr bool can_vmfail = false;  // VMPTRST cannot VMfail
  template <class P>
  STALE_READER virtops::result<type> read(std::uint64_t) noexcept {
    return vmx::vmptrst<P>();
  }
};

// The typed reads give their field's type.
static_assert(std::is_same_v<decltype(vmx::vmread<vmcs::guest_cs_selector>()),
                             virtops::result<std::uint16_t>>);
static_assert(
    std::is_same_v<decltype(vmx::vmread<vmcs::guest_es_limit>()), virtops::result<std::uint32_t>>);
static_assert(std::is_same_v<decltype(vmx::vmread<vmcs::vmcs_link_pointer>()),
                             virtops::result<std::uint64_t>>);
static_assert(
    std::is_same_v<decltype(vmx::vmread<vmcs::guest_rip>()), virtops::result<std::uint64_t>>);

template <class T>
struct read_seen {
  errc code;
  insn instruction;
  std::uint8_t vector;
  vm_instruction_error vm_error;
  bool has_value;
  T value;  // value() when has_value (a failure's would panic), else 0
  T value_or;
};

// The shapes a caller gives a read, each its own function, called with
// run-time operands after the poisoning.
template <class R, class P>
[[gnu::noinline]] read_seen<typename R::type> whole_result(std::uint64_t field,
                                                           typename R::type sentinel) {
  using T = typename R::type;
  const auto r = R::template read<P>(field);
  const virtops::status s = r.error();
  return {s.code(),      s.instruction(),      s.fault().vector,    s.vm_error(),
          r.has_value(), r ? r.value() : T{0}, r.value_or(sentinel)};
}

template <class R, class P>
[[gnu::noinline]] typename R::type value_or_only(std::uint64_t field, typename R::type sentinel) {
  return R::template read<P>(field).value_or(sentinel);
}

// value(): of a failure, goes to the panic hook and never returns.
template <class R, class P>
[[gnu::noinline]] typename R::type value_only(std::uint64_t field) {
  return R::template read<P>(field).value();
}

// Exits with 100 + the failure's errc, from the panic hook.
void exit_with_failure(const virtops::status& s) noexcept {
  _exit(100 + static_cast<int>(s.code()));
}

// A value per outcome: the GCC 12.2 shape, a failure path returning one of
// the caller's values.
template <class R, class P>
[[gnu::noinline]] typename R::type per_outcome(std::uint64_t field, typename R::type on_fault,
                                               typename R::type on_invalid,
                                               typename R::type on_other) {
  const auto r = R::template read<P>(field);
  if (r) return r.value();
  switch (r.error().code()) {
    case errc::fault: return on_fault;
    case errc::vmfail_invalid: return on_invalid;
    default: return on_other;
  }
}

// Several reads, the caller's values live across each.
template <class R, class P>
[[gnu::noinline]] std::uint64_t in_a_loop(std::uint64_t field, typename R::type sentinel,
                                          unsigned n) {
  using T = typename R::type;
  std::uint64_t acc = 0;
  for (unsigned k = 0; k < n; ++k)
    acc = acc * 31 + R::template read<P>(field).value_or(static_cast<T>(sentinel + k));
  return acc;
}

template <class T>
constexpr T poison_as = static_cast<T>(poison);

template <class P>
constexpr bool counts_calls = requires {
  P::calls;
};

template <class R, class P>
void check_reads(path p, int vector) {
  using T = typename R::type;
  const expectation e = expect<P>(p);
  const bool failed = e.code != errc::ok;
  const auto sentinel = static_cast<T>(sentinel_operand);
  const auto s1 = static_cast<T>(sentinel + 1u), s2 = static_cast<T>(sentinel + 2u);
  const unsigned calls_before = calls_of<P>();
  const stale::cpu_counters before = cpu_double::counters();

  poison_everything();
  const read_seen<T> seen = whole_result<R, P>(field_operand, sentinel);
  CHECK(seen.code == e.code);
  CHECK(seen.has_value == !failed);
  CHECK(seen.value == T{0});
  CHECK(seen.value_or == (failed ? sentinel : T{0}));
  CHECK(seen.value_or != poison_as<T>);
  if (failed) CHECK(seen.instruction == R::instruction);
  if (e.code == errc::fault) CHECK(int{seen.vector} == vector);
  CHECK(seen.vm_error ==
        (e.code == errc::vmfail_valid ? emulated_error : vm_instruction_error::none));

  poison_everything();
  const T or_sentinel = value_or_only<R, P>(field_operand, sentinel);
  CHECK(or_sentinel == (failed ? sentinel : T{0}));
  CHECK(or_sentinel != poison_as<T>);

  if (failed) {
    // In a child: the hook exits with the failure's code; a value() that
    // returned (whatever it returned) exits with 3.
    const int status = in_child([] {
      virtops::set_panic_hook(&exit_with_failure);
      poison_everything();
      (void)value_only<R, P>(field_operand);
      _exit(3);
    });
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 100 + static_cast<int>(e.code));
  } else {
    poison_everything();
    const T plain = value_only<R, P>(field_operand);
    CHECK(plain == T{0});
    CHECK(plain != poison_as<T>);
  }

  poison_everything();
  const T by_outcome = per_outcome<R, P>(field_operand, sentinel, s1, s2);
  CHECK(by_outcome == (e.code == errc::ok               ? T{0}
                       : e.code == errc::fault          ? sentinel
                       : e.code == errc::vmfail_invalid ? s1
                                                        : s2));
  CHECK(by_outcome != poison_as<T>);

  constexpr unsigned n = 3;
  std::uint64_t expected_acc = 0;
  for (unsigned k = 0; k < n; ++k)
    expected_acc = expected_acc * 31 + (failed ? static_cast<T>(sentinel + k) : T{0});
  poison_everything();
  CHECK(in_a_loop<R, P>(field_operand, sentinel, n) == expected_acc);

  // value() of a failure ran in a child, whose counts stay there.
  const unsigned reads = (failed ? 3 : 4) + n;
  if constexpr (counts_calls<P>) CHECK(calls_of<P>() - calls_before == e.policy_calls * reads);
  const stale::cpu_counters& after = cpu_double::counters();
  if (p == path::fault_scribbled) {
    CHECK(after.faults - before.faults == reads);
    CHECK(after.scribbled - before.scribbled == reads);
  }
  if (is_vmfail(p)) {
    CHECK(after.vmfails - before.vmfails == reads);
    CHECK(after.last_vmfail == R::instruction);
    // The VMfailValid path reads the VM-instruction error field once.
    CHECK(after.successes - before.successes == (p == path::vmfail_valid ? reads : 0));
  }
}

struct read_guest_cs_selector : typed_read<vmcs::guest_cs_selector> {
  static constexpr const char* name = "vmx::vmread<vmcs::guest_cs_selector>() (16-bit)";
};
struct read_guest_es_limit : typed_read<vmcs::guest_es_limit> {
  static constexpr const char* name = "vmx::vmread<vmcs::guest_es_limit>() (32-bit)";
};
struct read_vmcs_link_pointer : typed_read<vmcs::vmcs_link_pointer> {
  static constexpr const char* name = "vmx::vmread<vmcs::vmcs_link_pointer>() (64-bit)";
};
struct read_guest_rip : typed_read<vmcs::guest_rip> {
  static constexpr const char* name = "vmx::vmread<vmcs::guest_rip>() (natural width)";
};

template <class F>
void for_each_reader(F f) {
  f.template operator()<untyped_read>();
  f.template operator()<read_guest_cs_selector>();
  f.template operator()<read_guest_es_limit>();
  f.template operator()<read_vmcs_link_pointer>();
  f.template operator()<read_guest_rip>();
  f.template operator()<checked_read>();
  f.template operator()<ptrst_read>();
}

// -------------------------------------------------------------- hypercalls

struct hypercall_seen {
  errc code;
  insn instruction;
  std::uint8_t vector;
  vm_instruction_error vm_error;
  virtops::hypercall_regs regs;
  std::uint64_t rax_or;  // RAX if ok, else the sentinel
};

template <class P, insn I>
[[gnu::noinline]] hypercall_seen hypercall(const virtops::hypercall_regs& in,
                                           std::uint64_t sentinel) {
  virtops::hypercall_regs hc = in;
  virtops::status s;
  if constexpr (I == insn::vmcall)
    s = vmx::vmcall<P>(hc);
  else
    s = svm::vmmcall<P>(hc);
  return {s.code(), s.instruction(),           s.fault().vector, s.vm_error(),
          hc,       s.ok() ? hc.rax : sentinel};
}

volatile std::uint64_t register_seed = 0x0123'4567'89ab'cdefu;

template <class Regs>
Regs distinct_registers() {
  constexpr unsigned n = sizeof(Regs) / 8;
  std::uint64_t words[n];
  for (unsigned k = 0; k < n; ++k) words[k] = register_seed ^ (std::uint64_t{k + 1} << 56);
  Regs r;
  static_assert(sizeof r == sizeof words);
  __builtin_memcpy(&r, words, sizeof r);
  return r;
}

template <class Regs>
void check_same_registers(const Regs& got, const Regs& want) {
  constexpr unsigned n = sizeof(Regs) / 8;
  std::uint64_t g[n], w[n];
  __builtin_memcpy(g, &got, sizeof g);
  __builtin_memcpy(w, &want, sizeof w);
  for (unsigned k = 0; k < n; ++k) {
    INFO("register field " << k << " (0x" << std::hex << 8 * k << ")");
    CHECK(g[k] == w[k]);
    CHECK(g[k] != poison);
  }
}

template <insn I, class P>
void check_hypercall(path p, int vector) {
  const expectation e = expect<P>(p);
  const auto in = distinct_registers<virtops::hypercall_regs>();
  const std::uint64_t sentinel = sentinel_operand;
  const unsigned calls_before = calls_of<P>();
  const stale::cpu_counters before = cpu_double::counters();
  poison_everything();
  const hypercall_seen seen = hypercall<P, I>(in, sentinel);
  CHECK(seen.code == e.code);
  if (e.code != errc::ok) CHECK(seen.instruction == I);
  if (e.code == errc::fault) CHECK(int{seen.vector} == vector);
  CHECK(seen.vm_error ==
        (e.code == errc::vmfail_valid ? emulated_error : vm_instruction_error::none));
  // After a fault the instruction never ran; after a VMfail it changed none.
  check_same_registers(seen.regs, in);
  CHECK(seen.rax_or == (e.code == errc::ok ? in.rax : sentinel));
  if constexpr (counts_calls<P>) CHECK(calls_of<P>() - calls_before == e.policy_calls);
  const stale::cpu_counters& after = cpu_double::counters();
  if (p == path::fault_scribbled) CHECK(after.scribbled - before.scribbled == 7);
  if (is_vmfail(p)) CHECK(after.vmfails - before.vmfails == 1);
}

// ------------------------------------------------------------ guest entries

struct entry_seen {
  errc code;
  insn instruction;
  std::uint8_t vector;
  vm_instruction_error vm_error;
  virtops::gprs regs;
};

template <class P, insn I>
[[gnu::noinline]] entry_seen enter(const virtops::gprs& in, std::uint64_t vmcb) {
  virtops::gprs g = in;
  virtops::status s;
  if constexpr (I == insn::vmlaunch)
    s = vmx::launch<P>(g);
  else if constexpr (I == insn::vmresume)
    s = vmx::resume<P>(g);
  else
    s = svm::vmrun<P>(vmcb, g);
  return {s.code(), s.instruction(), s.fault().vector, s.vm_error(), g};
}

template <insn I, class P>
void check_entry(path p, int vector) {
  const expectation e = expect<P>(p);
  const auto in = distinct_registers<virtops::gprs>();
  const unsigned calls_before = calls_of<P>();
  const stale::cpu_counters before = cpu_double::counters();
  poison_everything();
  const entry_seen seen = enter<P, I>(in, 0x1000);
  CHECK(seen.code == e.code);
  if (e.code != errc::ok) CHECK(seen.instruction == I);
  if (e.code == errc::fault) CHECK(int{seen.vector} == vector);
  CHECK(seen.vm_error ==
        (e.code == errc::vmfail_valid ? emulated_error : vm_instruction_error::none));
  // No VM exit: the guest registers were never stored back.
  check_same_registers(seen.regs, in);
  if constexpr (counts_calls<P>) CHECK(calls_of<P>() - calls_before == e.policy_calls);
  const stale::cpu_counters& after = cpu_double::counters();
  if (p == path::fault_scribbled)
    CHECK(after.scribbled - before.scribbled == (I == insn::vmrun ? 14 : 15));
  if (is_vmfail(p)) {
    CHECK(after.vmfails - before.vmfails == 1);
    // HOST_RSP and HOST_RIP, then the error field after VMfailValid.
    CHECK(after.successes - before.successes == (p == path::vmfail_valid ? 3 : 2));
  }
}

}  // namespace

// ===================================================================== tests

TEST_CASE("the CPU double decodes every virtops site of this binary") {
  unsigned sites = 0;
  for (const virtops::extable::entry& e : virtops::extable::this_module()) {
    insn what{};
    unsigned length = 0;
    INFO("site " << std::hex << e.site() << " of " << virtops::to_string(e.instruction()));
    REQUIRE(stale::decode_length(reinterpret_cast<const std::uint8_t*>(e.site()), what, length));
    const bool entry = e.instruction() == insn::vmlaunch || e.instruction() == insn::vmresume;
    CHECK((what == e.instruction() || (entry && what == insn::vmwrite)));
    CHECK((length >= 3 && length <= 15));
    ++sites;
  }
  CHECK(sites > 0);
}

TEST_CASE("reads after a real fault: the policy's value and never the output") {
  for_each_reader([&]<class R>() {
    const raised oracle = probe(R::instruction);
    if (!oracle.faulted) {
      WARN("skipped " << R::name << ": " << virtops::to_string(R::instruction)
                      << " does not fault on this host");
      return;
    }
    for (path p : fault_paths)
      on_path(p, [&] {
        for_each_policy([&]<class P>(const char* policy_name) {
          INFO(R::name << " under " << policy_name << " on " << to_string(p) << " (vector "
                       << oracle.trapno << ")");
          check_reads<R, P>(p, oracle.trapno);
        });
        check_double_was_sane();
      });
  });
}

TEST_CASE("reads after VMfail: the VMfail and the sentinel and never the output") {
  // VMfail needs VMX operation; ring 3 faults first. The CPU double emulates
  // VMfail at the real wrapper's instruction, so it needs that fault.
  for_each_reader([&]<class R>() {
    if constexpr (R::can_vmfail) {
      if (!probe(R::instruction).faulted) {
        WARN("skipped " << R::name << ": " << virtops::to_string(R::instruction)
                        << " does not fault on this host: nothing to emulate VMfail at");
        return;
      }
      for (path p : vmfail_paths)
        on_path(p, [&] {
          for_each_policy([&]<class P>(const char* policy_name) {
            INFO(R::name << " under " << policy_name << " on " << to_string(p));
            check_reads<R, P>(p, -1);
          });
          check_double_was_sane();
        });
    }
  });
}

TEST_CASE("vmread_checked refuses an invalid field without running it: the sentinel") {
  volatile std::uint64_t invalid_field = 0x1000;  // bit 12 is reserved
  for_each_policy([&]<class P>(const char* policy_name) {
    INFO(policy_name);
    const unsigned calls_before = calls_of<P>();
    const auto sentinel = static_cast<std::uint64_t>(sentinel_operand);
    poison_everything();
    const auto seen = whole_result<checked_read, P>(invalid_field, sentinel);
    CHECK(seen.code == errc::invalid_field);
    CHECK_FALSE(seen.has_value);
    CHECK(seen.value_or == sentinel);
    poison_everything();
    CHECK(value_or_only<checked_read, P>(invalid_field, sentinel) == sentinel);
    CHECK(calls_of<P>() == calls_before);
  });
}

TEST_CASE("hypercall registers after a fault or VMfail keep their inputs") {
  const auto run = [&]<insn I>() {
    const raised oracle = probe(I);
    if (!oracle.faulted) {
      WARN("skipped " << virtops::to_string(I)
                      << ": it does not fault on this host (a hypervisor answered it, RAX="
                      << std::hex << oracle.rax << ")");
      return;
    }
    for (path p : {path::fault, path::fault_scribbled, path::vmfail_invalid, path::vmfail_valid}) {
      if (is_vmfail(p) && I != insn::vmcall) continue;  // VMMCALL cannot VMfail
      on_path(p, [&] {
        for_each_policy([&]<class P>(const char* policy_name) {
          INFO(virtops::to_string(I) << " under " << policy_name << " on " << to_string(p));
          check_hypercall<I, P>(p, oracle.trapno);
        });
        check_double_was_sane();
      });
    }
  };
  run.template operator()<insn::vmcall>();
  run.template operator()<insn::vmmcall>();
}

TEST_CASE("guest registers after a fault or VMfail of a VM entry keep their inputs") {
  const auto run = [&]<insn I>() {
    // launch/resume meet VMWRITE (HOST_RSP) first.
    const raised oracle = probe(I == insn::vmrun ? insn::vmrun : insn::vmwrite);
    if (!oracle.faulted) {
      WARN("skipped " << virtops::to_string(I) << ": it does not fault on this host");
      return;
    }
    for (path p : {path::fault, path::fault_scribbled, path::vmfail_invalid, path::vmfail_valid}) {
      if (is_vmfail(p) && I == insn::vmrun) continue;  // SVM has no VMfail
      on_path(p, [&] {
        for_each_policy([&]<class P>(const char* policy_name) {
          INFO(virtops::to_string(I) << " under " << policy_name << " on " << to_string(p));
          check_entry<I, P>(p, oracle.trapno);
        });
        check_double_was_sane();
      });
    }
  };
  run.template operator()<insn::vmlaunch>();
  run.template operator()<insn::vmresume>();
  run.template operator()<insn::vmrun>();
}

TEST_CASE("every wrapper's scribbled fault and emulated VMfail return the policy's outcome") {
  for (wrapper w : all_wrappers) {
    const raised oracle = probe(first_executed(w));
    if (!oracle.faulted) {
      WARN("skipped " << name_of(w) << ": it does not fault on this host");
      continue;
    }
    const insn i = instruction_of(w);
    const bool vmfails = virtops::is_vmx(i) && w != wrapper::vmptrst;
    const bool hypercall = w == wrapper::vmcall || w == wrapper::vmmcall;
    for (path p : {path::fault_scribbled, path::vmfail_invalid, path::vmfail_valid}) {
      on_path(p, [&] {
        for_each_policy([&]<class P>(const char* policy_name) {
          INFO(name_of(w) << " under " << policy_name << " on " << to_string(p));
          const expectation e = expect<P>(is_vmfail(p) && !vmfails ? path::fault_scribbled : p);
          poison_everything();
          const outcome o = call_wrapper<P>(w);
          CHECK(o.st.code() == e.code);
          if (e.code != errc::ok) CHECK(o.st.instruction() == i);
          if (e.code == errc::fault) CHECK(int{o.st.fault().vector} == oracle.trapno);
          if (e.code == errc::vmfail_valid) CHECK(o.st.vm_error() == emulated_error);
          // Reads yield 0; hypercall registers keep their input (RAX = 0x1000).
          CHECK(o.value == (hypercall ? 0x1000u : 0u));
        });
        check_double_was_sane();
      });
    }
  }
}

TEST_CASE("control: asm goto hazards of this compiler and level (observed and not asserted)") {
  hazard_control controls[hazard_control_count];
  run_hazard_controls(controls);
  unsigned present = 0;
  for (const hazard_control& c : controls) {
    present += c.present() ? 1 : 0;
    WARN((c.present() ? "HAZARD PRESENT" : "hazard absent")
         << " [" << STALE_OUTPUT_COMPILER << " -" << STALE_OUTPUT_LEVEL << "] " << c.name << ": "
         << c.shape << " returned " << c.got << " (expected " << c.expected << ")");
  }
  WARN(present << " of " << hazard_control_count << " controls show a hazard with "
               << STALE_OUTPUT_COMPILER << " -" << STALE_OUTPUT_LEVEL
               << "; the wrappers' checks in this binary are what must pass");
  SUCCEED();
}
