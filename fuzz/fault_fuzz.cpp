// Random sequences of faulting wrapper calls in ring 3 under the POSIX
// adapter, with random policies and operands. After every call: the status
// names the wrapper's instruction and the vector and error code the CPU
// raised (by an oracle that runs the bare instruction under a plain
// handler), the fault RIP is a table site of that instruction, resumed
// calls succeed with reads at 0, the counting policies have counted exactly
// the calls that reached them, and values live across the calls are intact:
// six in the caller's frame, and one in each callee-saved register (RBX,
// RBP, R12-R15), which the call runs under by way of a small trampoline.
// VMREAD/VMWRITE also go through their checked forms, which must refuse
// exactly the encodings and values the SDM's rules reject, without a fault.
#include <vector>
#include <virtops/posix.hpp>
#include <virtops/virtops.hpp>

#include "call_wrapper.hpp"
#include "fuzz_support.hpp"
#include "probe.hpp"

// Loads v[0..5] into RBX, RBP, R12-R15, calls fn(arg), and returns the OR of
// each register XOR its value: 0 if the call (its wrapper's fault path
// included) gave all six back. A compiler keeps a value in a register of
// its choice, or spills it; this pins them.
extern "C" std::uint64_t fuzz_pinned_call(void (*fn)(void*), void* arg, const std::uint64_t* v);
// clang-format off
asm(R"(
  .text
  .p2align 4
  .type fuzz_pinned_call, @function
fuzz_pinned_call:
  push %rbp
  push %rbx
  push %r12
  push %r13
  push %r14
  push %r15
  push %rdx                 # v; 7 pushes realign the stack for the call
  mov (%rdx), %rbx
  mov 8(%rdx), %rbp
  mov 16(%rdx), %r12
  mov 24(%rdx), %r13
  mov 32(%rdx), %r14
  mov 40(%rdx), %r15
  mov %rdi, %rax
  mov %rsi, %rdi
  call *%rax
  pop %rdx
  mov %rbx, %rax
  xor (%rdx), %rax
  mov %rbp, %rcx
  xor 8(%rdx), %rcx
  or %rcx, %rax
  mov %r12, %rcx
  xor 16(%rdx), %rcx
  or %rcx, %rax
  mov %r13, %rcx
  xor 24(%rdx), %rcx
  or %rcx, %rax
  mov %r14, %rcx
  xor 32(%rdx), %rcx
  or %rcx, %rax
  mov %r15, %rcx
  xor 40(%rdx), %rcx
  or %rcx, %rax
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %rbx
  pop %rbp
  ret
  .size fuzz_pinned_call, .-fuzz_pinned_call
)");
// clang-format on

namespace {

using virtops::errc;
namespace policy = virtops::policy;

struct machine {
  static inline bool value = false;
  static bool rebooting() noexcept { return value; }
};

// The custom policies: `counting` (call_wrapper.hpp) reports; this one
// resumes, as a policy that logs and carries on would.
struct counting_resume {
  static inline unsigned faults = 0;
  static virtops::fault_action on_fault(const virtops::fault_info& f) noexcept {
    ++faults;
    counting::last = f;
    return virtops::fault_action::resume;
  }
};

struct usable_wrapper {
  wrapper w;
  raised oracle;
};
std::vector<usable_wrapper> usable;

bool is_hypercall(wrapper w) { return w == wrapper::vmcall || w == wrapper::vmmcall; }

void check_fault(const usable_wrapper& u, const virtops::status& s) {
  FUZZ_CHECK(s.code() == errc::fault);
  FUZZ_CHECK(s.instruction() == instruction_of(u.w));
  FUZZ_CHECK(s.vm_error() == virtops::vm_instruction_error::none);
  const virtops::fault_info f = s.fault();
  FUZZ_CHECK(f.instruction == instruction_of(u.w));
  FUZZ_CHECK(f.vector == u.oracle.trapno);
  FUZZ_CHECK(f.error_code == u.oracle.error_code);
  const virtops::extable::entry* e = virtops::extable::this_module().find(f.rip);
  FUZZ_CHECK(e != nullptr && e->instruction() == instruction_of(u.w));
}

// What the call yields besides the status after a fault, reported or
// resumed: reads yield 0, a hypercall's registers are untouched.
std::uint64_t value_after_fault(wrapper w, std::uint64_t operand) {
  return is_hypercall(w) ? operand : 0;
}

// valgrind 3.19 cannot extend the main thread's stack for a signal frame
// that lands below the lowest stack page the program has touched ("Can't
// extend stack to ... during signal delivery"), which the Clang -O0 replay's
// frames reach; so the pages below set_up() are touched before any fault.
[[gnu::noinline]] void touch_stack() {
  volatile char pages[256 * 1024];
  for (std::size_t i = 0; i < sizeof pages; i += 4096) pages[i] = 0;
}

// The vector rule, from the SDM/APM exception lists apart from extable.hpp:
// the adapter claims a wrapper's fault only if the instruction of its site
// can raise it: #UD (6) or #GP (13) for all, #PF (14) for the hypercalls and
// those with a memory operand, which may also raise #SS (12). The signal's
// vector judges, except valgrind's SIGILL without one (vector 0), an
// invalid opcode (#UD) as every SIGILL from the CPU is.
bool rule_claims(virtops::insn i, const raised& r) {
  using virtops::insn;
  const int vector = r.signo == SIGILL && r.trapno == 0 ? 6 : r.trapno;
  const bool memory = i == insn::vmxon || i == insn::vmclear || i == insn::vmptrld ||
                      i == insn::vmptrst || i == insn::vmread || i == insn::vmwrite ||
                      i == insn::invept || i == insn::invvpid;
  const bool hypercall = i == insn::vmcall || i == insn::vmmcall;
  if ((vector == 12 || vector == 13) && (r.error_code & 1) != 0) return false;
  return vector == 6 || vector == 13 || (vector == 14 && (memory || hypercall)) ||
         (vector == 12 && memory);
}

// Once, on the first input: by then libFuzzer has installed its crash
// handlers, so they become the guard's "previous" handlers and a fault that
// is not virtops' is still reported (with its input) as a crash.
void set_up() {
  touch_stack();
  // The oracle, with its own handler. A hypercall may be answered by the
  // hypervisor below instead of faulting (KVM on AMD answers VMMCALL, on
  // Intel VMCALL): such a wrapper is left out. Every other one must fault,
  // with an exception its instruction can raise (on every host seen: #UD,
  // #GP, or #PF for VMMCALL; docs/reliability.md), which the rule claims.
  for (wrapper w : all_wrappers) {
    const raised r = probe(first_executed(w));
    if (!r.faulted) {
      FUZZ_CHECK(is_hypercall(w));
      continue;
    }
    if (!rule_claims(instruction_of(w), r))
      std::fprintf(stderr, "fault_fuzz: %s raises vector %d here, which %s cannot raise\n",
                   name_of(w), r.trapno, virtops::to_string(instruction_of(w)));
    FUZZ_CHECK(rule_claims(instruction_of(w), r));
    usable.push_back({w, r});
  }
  static virtops::posix::trap_guard guard;  // for the whole run
  FUZZ_CHECK(guard.installed());
}

struct reboot_report : policy::reboot_aware<machine, policy::report> {};
struct reboot_counting : policy::reboot_aware<machine, counting> {};

// One call, run by fuzz_pinned_call. `checked`: VMREAD/VMWRITE through
// vmread_checked/vmwrite_checked (the operand is the encoding).
struct step {
  wrapper w;
  unsigned policy;
  std::uint64_t operand;
  bool checked;
  outcome out;
};

template <class P>
outcome call(const step& s) {
  if (!s.checked) return call_wrapper<P>(s.w, s.operand);
  if (s.w == wrapper::vmread) {
    const auto r = virtops::vmx::vmread_checked<P>(s.operand);
    return {r.error(), r.value_or(0)};
  }
  return {virtops::vmx::vmwrite_checked<P>(s.operand, ~s.operand)};
}

void run_step(void* arg) {
  step& s = *static_cast<step*>(arg);
  switch (s.policy) {
    case 0: s.out = call<policy::report>(s); break;
    case 1: s.out = call<policy::ignore>(s); break;
    case 2: s.out = call<counting>(s); break;
    case 3: s.out = call<counting_resume>(s); break;
    case 4: s.out = call<reboot_report>(s); break;
    default: s.out = call<reboot_counting>(s); break;
  }
}

// What a checked call must refuse without executing, by the SDM's encoding
// rules read independently of vmcs::decode: bits 63:15 and 12 reserved,
// bit 0 (high access) only for 64-bit fields (width 1), and for VMWRITE no
// value bits beyond the field's 16, 32 or 64.
errc refusal(const step& s) {
  if (!s.checked) return errc::ok;
  const std::uint64_t e = s.operand;
  const unsigned width = (e >> 13) & 3;
  if ((e >> 15) != 0 || (e & 0x1000) != 0 || ((e & 1) != 0 && width != 1))
    return errc::invalid_field;
  const unsigned bits = (e & 1) != 0 ? 32 : width == 0 ? 16 : width == 2 ? 32 : 64;
  if (s.w == wrapper::vmwrite && bits < 64 && (~e >> bits) != 0) return errc::value_too_wide;
  return errc::ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (usable.empty()) set_up();
  input in(data, size);
  // Values that must survive every fault, in the caller's frame (registers
  // or stack slots, the compiler's choice), checked after each call.
  const std::uint64_t seed = in.take<std::uint64_t>();
  const std::uint64_t want[6] = {seed,          ~seed,    seed * 0x9e3779b97f4a7c15ull,
                                 seed ^ 0x5555, seed + 1, seed << 7 | seed >> 57};
  std::uint64_t r0 = want[0], r1 = want[1], r2 = want[2], r3 = want[3], r4 = want[4], r5 = want[5];
  // Exact counts: what each counting policy must have seen by now.
  const unsigned counted0 = counting::faults, resumed0 = counting_resume::faults;
  unsigned counted = 0, resumed = 0;
  for (unsigned steps = 0; !in.empty() && steps < 64; ++steps) {
    const usable_wrapper& u = usable[in.below(usable.size())];
    const std::uint8_t how = in.byte();
    step s{u.w,
           how % 6u,
           in.take<std::uint64_t>(),
           (how & 16) != 0 && (u.w == wrapper::vmread || u.w == wrapper::vmwrite),
           {}};
    if (s.checked && (how & 32) != 0) s.operand &= 0x7fff;  // mostly valid encodings
    machine::value = (how & 8) != 0;                        // for the reboot_aware policies
    const std::uint64_t pinned[6] = {want[2] + steps, want[3] ^ steps, want[0] - steps,
                                     want[1] + steps, want[4] * 3,     want[5] ^ 0xa5a5};
    asm volatile("" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5));
    FUZZ_CHECK(fuzz_pinned_call(&run_step, &s, pinned) == 0);
    asm volatile("" : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5));
    FUZZ_CHECK(r0 == want[0] && r1 == want[1] && r2 == want[2] && r3 == want[3] && r4 == want[4] &&
               r5 == want[5]);

    // Refused by a checked call: nothing executed, no policy ran.
    if (const errc why = refusal(s); why != errc::ok) {
      FUZZ_CHECK(s.out.st.code() == why && s.out.st.instruction() == instruction_of(u.w));
      FUZZ_CHECK(s.out.st.fault() == virtops::fault_info{} && s.out.value == 0);
      FUZZ_CHECK(counting::faults - counted0 == counted);
      FUZZ_CHECK(counting_resume::faults - resumed0 == resumed);
      continue;
    }
    // Reported, or resumed (success; reads 0, hypercall registers untouched).
    const bool resumes = s.policy == 1 || s.policy == 3 || (s.policy >= 4 && machine::value);
    if (resumes)
      FUZZ_CHECK(s.out.st.ok());
    else
      check_fault(u, s.out.st);
    FUZZ_CHECK(s.out.value == value_after_fault(u.w, s.operand));
    // The counting policies saw exactly their calls, and the same record.
    if (s.policy == 2 || (s.policy == 5 && !machine::value)) {
      ++counted;
      FUZZ_CHECK(counting::last == s.out.st.fault());
    }
    if (s.policy == 3) {
      ++resumed;
      FUZZ_CHECK(counting::last.instruction == instruction_of(u.w) &&
                 counting::last.vector == u.oracle.trapno &&
                 counting::last.error_code == u.oracle.error_code);
    }
    FUZZ_CHECK(counting::faults - counted0 == counted);
    FUZZ_CHECK(counting_resume::faults - resumed0 == resumed);
  }
  return 0;
}
