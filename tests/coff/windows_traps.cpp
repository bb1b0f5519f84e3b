// The Windows user-mode adapter (virtops/windows.hpp), run under Wine (or
// Windows): every wrapper here faults at CPL 3, and its fault must come back
// under every policy with the vector the exception stands for, as an oracle
// independent of virtops saw it: the bare instruction under a plain vectored
// handler. Faults that are not at a site must go on to the next handler.
// Prints one line per check; the exit status is the number of failures.
#include <cstdint>
#include <cstdio>
#include <virtops/virtops.hpp>
#include <virtops/windows.hpp>

#include "wrapper_cases.hpp"

namespace {

using virtops::errc;
using virtops::insn;
using virtops::status;

unsigned failures = 0;

void check(bool ok, const char* what, const char* name) {
  std::printf("%s %s: %s\n", ok ? "ok" : "FAIL", name, what);
  if (!ok) ++failures;
}

// The oracle: a vectored handler of its own, armed around one bare
// instruction, records the exception and resumes after it.
struct seen {
  bool faulted;
  std::uint32_t code;
  std::uintptr_t info[2];
  std::uintptr_t rip;
};
alignas(4096) std::uint8_t page[4096];
std::uint64_t page_pa() { return reinterpret_cast<std::uintptr_t>(&page); }
virtops::gprs guest_regs{};
virtops::hypercall_regs hypercall{};
volatile bool probe_armed = false;
std::uintptr_t probe_resume = 0;
seen probe_seen{};

LONG CALLBACK probe_handler(EXCEPTION_POINTERS* e) {
  if (!probe_armed) return EXCEPTION_CONTINUE_SEARCH;
  probe_armed = false;
  const EXCEPTION_RECORD& r = *e->ExceptionRecord;
  probe_seen = {true, static_cast<std::uint32_t>(r.ExceptionCode), {}, e->ContextRecord->Rip};
  for (DWORD i = 0; i < r.NumberParameters && i < 2; ++i)
    probe_seen.info[i] = r.ExceptionInformation[i];
  e->ContextRecord->Rip = probe_resume;
  return EXCEPTION_CONTINUE_EXECUTION;
}

// Runs `text` bare with RAX = the page's address and ECX = `ecx`; the label
// after it is where the probe resumes.
#define PROBE(text, ecx)                                                        \
  [] {                                                                          \
    std::uintptr_t a = reinterpret_cast<std::uintptr_t>(&page);                 \
    std::uint32_t c = ecx;                                                      \
    probe_seen = {};                                                            \
    probe_armed = true;                                                         \
    asm volatile("lea 9f(%%rip), %%r11\n\tmov %%r11, %[resume]\n\t" text "\n9:" \
                 : [resume] "=m"(probe_resume), "+a"(a), "+c"(c)                \
                 :                                                              \
                 : "r11", "rdx", "memory");                                     \
    probe_armed = false;                                                        \
    return probe_seen;                                                          \
  }

// What the exception code stands for (Microsoft's exception codes; the
// table in windows.hpp): the vector the record must carry.
int expected_vector(const seen& s) {
  switch (s.code) {
    case 0xC000001Du: return 6;
    case 0xC0000096u: return 13;
    case 0xC0000005u: return s.info[1] == ~std::uintptr_t{0} ? 13 : 14;
    default: return -1;
  }
}

// One wrapper: its instruction, the bare probe, and a call under policy P.
struct wrapper {
  const char* name;
  insn id;
  seen (*bare)();
  status (*report)();
  status (*ignore)();
  status (*counting)();
  status (*panic)();
};

// Nonexistent MSR and XCR indices: a #GP at any CPL.
constexpr std::uint32_t bad_msr = 0x40001234u, bad_xcr = 0x1234u;

struct counting {
  static inline unsigned calls = 0;
  static inline virtops::fault_info last{};
  static virtops::fault_action on_fault(const virtops::fault_info& f) noexcept {
    ++calls;
    last = f;
    return virtops::fault_action::report;
  }
};

template <class R>
status as_status(const R& r) {
  if constexpr (requires { r.ok(); })
    return r;
  else
    return r ? status{} : r.error();
}

#define CALLS(expr)                                                                             \
  [] {                                                                                          \
    return as_status(                                                                           \
        []<class P>() { return expr; }.template operator()<virtops::policy::report>());         \
  },                                                                                            \
      [] {                                                                                      \
        return as_status(                                                                       \
            []<class P>() { return expr; }.template operator()<virtops::policy::ignore>());     \
      },                                                                                        \
      [] { return as_status([]<class P>() { return expr; }.template operator()<counting>()); }, \
      [] {                                                                                      \
        return as_status(                                                                       \
            []<class P>() { return expr; }.template operator()<virtops::policy::panic>());      \
      }

#define WRAPPER(name, id, text, ecx, call) {#name, insn::id, PROBE(text, ecx), CALLS(call)},
const wrapper wrappers[] = {VIRTOPS_TEST_WRAPPERS(WRAPPER)};

// policy::panic: the hook gets the fault and ends the thread it runs on.
volatile bool panicked = false;
virtops::fault_info panicked_with{};
DWORD WINAPI run_panic(void* w) {
  virtops::set_panic_hook([](const status& s) noexcept {
    panicked_with = s.fault();
    panicked = true;
    ExitThread(0);
  });
  (void)static_cast<const wrapper*>(w)->panic();
  return 1;  // not reached if the hook ran
}

void check_wrapper(const wrapper& w, const seen& bare) {
  if (!bare.faulted) {  // a hypercall the hypervisor below answers
    std::printf("   oracle: no fault\n");
    check(w.report().ok() && w.ignore().ok() && w.counting().ok(),
          "no fault: success under every policy", w.name);
    return;
  }
  const int vector = expected_vector(bare);
  std::printf("   oracle: exception %#x, vector %d\n", static_cast<unsigned>(bare.code), vector);
  check(vector >= 0, "the oracle's exception is one the adapter maps", w.name);

  const status r = w.report();
  const virtops::fault_info f = r.fault();
  check(r.code() == errc::fault, "policy::report returns errc::fault", w.name);
  check(f.instruction == w.id, "the record names the instruction", w.name);
  check(f.vector == vector, "the record's vector is the oracle's", w.name);
  check(f.error_code == 0, "the record's error code is 0 (Windows reports none)", w.name);
  check(virtops::extable::find(f.rip) != nullptr, "the record's RIP is a site", w.name);

  check(w.ignore().ok(), "policy::ignore resumes: success", w.name);

  counting::calls = 0;
  const status c = w.counting();
  check(counting::calls == 1 && counting::last == c.fault() && c.fault().instruction == w.id &&
            c.fault().vector == vector,
        "a custom policy sees the fault once, and its record is returned", w.name);

  panicked = false;
  HANDLE t = CreateThread(nullptr, 0, &run_panic, const_cast<wrapper*>(&w), 0, nullptr);
  WaitForSingleObject(t, INFINITE);
  DWORD code = 1;
  GetExitCodeThread(t, &code);
  CloseHandle(t);
  check(
      panicked && code == 0 && panicked_with.instruction == w.id && panicked_with.vector == vector,
      "policy::panic hands the fault to the panic hook and does not return", w.name);
}

// After the guard's handler (first in the list), a last handler that sees
// what the guard passed on.
volatile unsigned passed_on = 0;
LONG CALLBACK last_handler(EXCEPTION_POINTERS* e) {
  if (!probe_armed) return EXCEPTION_CONTINUE_SEARCH;
  passed_on = passed_on + 1;
  return probe_handler(e);
}

}  // namespace

int main() {
  setvbuf(stdout, nullptr, _IONBF, 0);
  // The oracle runs with no guard: nothing of virtops is in the way.
  PVOID probe = AddVectoredExceptionHandler(1, &probe_handler);
  constexpr std::size_t n = sizeof wrappers / sizeof wrappers[0];
  seen bare[n];
  for (std::size_t i = 0; i < n; ++i) bare[i] = wrappers[i].bare();
  RemoveVectoredExceptionHandler(probe);

  PVOID last = AddVectoredExceptionHandler(0, &last_handler);
  {
    virtops::windows::trap_guard guard;
    check(guard.installed(), "the vectored handler is installed", "trap_guard");
    for (std::size_t i = 0; i < n; ++i) check_wrapper(wrappers[i], bare[i]);

    // Not ours: the same faults away from any site go on, and the fault
    // slot keeps the last wrapper's record.
    const virtops::fault_info before = virtops::detail::fault_slot();
    passed_on = 0;
    const seen ud = PROBE("ud2", 0)();
    const seen gp = PROBE("rdmsr", bad_msr)();
    check(ud.faulted && gp.faulted && passed_on == 2,
          "faults away from a site go on to the next handler", "trap_guard");
    check(virtops::detail::fault_slot() == before, "and leave the fault slot alone", "trap_guard");
    check(ud.code == 0xC000001Du, "ud2 is EXCEPTION_ILLEGAL_INSTRUCTION", "trap_guard");
  }
  RemoveVectoredExceptionHandler(last);
  std::printf("%u failures\n", failures);
  return static_cast<int>(failures);
}
