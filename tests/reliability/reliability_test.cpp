// Reliability: nothing lost, nothing misattributed, nothing swallowed, under
// load, with other handlers around, with faults inside fault handling, and
// with bad operands. Every expectation about what the CPU raises comes from
// the probe oracle (a bare instruction under a plain handler), so the tests
// hold on any x86 CPU and under valgrind, whose CPU differs (see the
// [valgrind] case and docs/reliability.md).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csetjmp>
#include <csignal>
#include <cstdlib>
#include <thread>
#include <vector>
#include <virtops/posix.hpp>
#include <virtops/virtops.hpp>

#include "call_wrapper.hpp"
#include "child.hpp"
#include "probe.hpp"
#include "virtops_catch.hpp"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define ON_VALGRIND (RUNNING_ON_VALGRIND != 0)
#else
#define ON_VALGRIND false
#endif

using virtops::errc;
using virtops::insn;
namespace policy = virtops::policy;
namespace posix = virtops::posix;

namespace {

// The wrappers that fault here, with what the CPU raises for each. VMMCALL
// may be answered by a hypervisor below us instead: then it is left out.
struct faulting {
  wrapper w;
  raised oracle;
};
const std::vector<faulting>& faulting_wrappers() {
  static const std::vector<faulting> all = [] {
    std::vector<faulting> v;
    for (wrapper w : all_wrappers)
      if (const raised r = probe(first_executed(w)); r.faulted) v.push_back({w, r});
    return v;
  }();
  return all;
}

// Everything a faulting call must report; false on the first mismatch.
bool reports(const faulting& f, const virtops::status& s) {
  const virtops::fault_info info = s.fault();
  const virtops::extable::entry* site = virtops::extable::find(info.rip);
  return s.code() == errc::fault && s.instruction() == instruction_of(f.w) &&
         info.vector == f.oracle.trapno && info.error_code == f.oracle.error_code &&
         site != nullptr && site->instruction() == instruction_of(f.w);
}

unsigned calls_per_thread() {
  // valgrind runs this binary too, some 50x slower per signal: it sets fewer.
  if (const char* env = std::getenv("VIRTOPS_RELIABILITY_CALLS"))
    return static_cast<unsigned>(std::atoi(env));
  return 100'000;
}

// Real faults, in asm so that no sanitizer sees them first.
[[gnu::noinline]] void null_store() {
  asm volatile("movl $1, (%0)" : : "r"(std::uintptr_t{16}) : "memory");
}
[[gnu::noinline]] void stray_ud2() { asm volatile("ud2"); }

// A real SIGBUS (BUS_ADRERR): a store to a mapped page of a file that has
// been truncated to nothing.
[[gnu::noinline]] void real_sigbus() {
  char path[] = "/tmp/virtops-sigbus-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0 || ftruncate(fd, 4096) != 0) _exit(90);
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (page == MAP_FAILED || ftruncate(fd, 0) != 0) _exit(91);
  unlink(path);
  asm volatile("movl $1, (%0)" : : "r"(page) : "memory");
}

sigjmp_buf escape;
volatile sig_atomic_t handler_calls, handler_signo, handler_code;

void escaping_handler(int sig, siginfo_t* info, void*) {
  handler_calls = handler_calls + 1;
  handler_signo = sig;
  handler_code = info->si_code;
  siglongjmp(escape, 1);
}

struct disposition {
  int sig;
  struct sigaction old {};
  explicit disposition(int s, const struct sigaction& a) : sig(s) { sigaction(sig, &a, &old); }
  ~disposition() { sigaction(sig, &old, nullptr); }
};

struct sigaction siginfo_action(void (*h)(int, siginfo_t*, void*), int flags = 0) {
  struct sigaction a = {};
  a.sa_sigaction = h;
  a.sa_flags = SA_SIGINFO | flags;
  sigemptyset(&a.sa_mask);
  return a;
}

}  // namespace

TEST_CASE("8 threads x 100k faults: none lost, none misattributed", "[threads]") {
  const auto& wrappers = faulting_wrappers();
  REQUIRE(wrappers.size() >= 18);
  posix::trap_guard guard;
  REQUIRE(guard.installed());
  constexpr unsigned threads = 8;
  const unsigned calls = calls_per_thread();
  std::atomic<unsigned> wrong{0}, miscounted{0}, total{0};
  std::atomic<bool> done{false};
  // Meanwhile guards come and go on another thread: installing and
  // removing handlers must not disturb faults in flight.
  std::thread churn([&] {
    while (!done.load()) posix::trap_guard transient;
  });
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      counting::faults = 0;
      for (unsigned n = 0; n < calls; ++n) {
        // Each thread walks the wrappers in its own order.
        const faulting& f = wrappers[(n * 7 + t * 5) % wrappers.size()];
        const outcome o = call_wrapper<counting>(f.w, n);
        if (!reports(f, o.st) || counting::last != o.st.fault()) wrong.fetch_add(1);
      }
      if (counting::faults != calls) miscounted.fetch_add(1);
      total.fetch_add(counting::faults);
    });
  for (auto& th : pool) th.join();
  done = true;
  churn.join();
  CHECK(wrong.load() == 0);
  CHECK(miscounted.load() == 0);
  CHECK(total.load() == threads * calls);
}

TEST_CASE("faults at unregistered addresses kill with their own signal", "[passthrough][death]") {
  posix::trap_guard guard;  // in the parent too: the children inherit it
  SECTION("SIGSEGV") {
    const int st = in_child([] { null_store(); });
    REQUIRE(WIFSIGNALED(st));
    CHECK(WTERMSIG(st) == SIGSEGV);
  }
  SECTION("SIGILL") {
    const int st = in_child([] { stray_ud2(); });
    REQUIRE(WIFSIGNALED(st));
    CHECK(WTERMSIG(st) == SIGILL);
  }
  SECTION("a real SIGBUS") {
    const int st = in_child([] { real_sigbus(); });
    REQUIRE(WIFSIGNALED(st));
    CHECK(WTERMSIG(st) == SIGBUS);
  }
}

TEST_CASE("a handler installed before the guard gets a real SIGBUS, and nothing of ours",
          "[passthrough][death]") {
  // In a child: the page stays mapped past its file's end after the escape.
  const int st = in_child([] {
    disposition prior(SIGBUS, siginfo_action(&escaping_handler));
    posix::trap_guard guard;
    handler_calls = 0;
    if (sigsetjmp(escape, 1) == 0) real_sigbus();
    if (handler_calls != 1 || handler_signo != SIGBUS || handler_code != BUS_ADRERR) _exit(1);
    for (const faulting& f : faulting_wrappers())
      if (!reports(f, call_wrapper<policy::report>(f.w).st)) _exit(2);
    if (handler_calls != 1) _exit(3);
  });
  REQUIRE(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);
}

namespace {
struct sigaction virtops_action;  // what the newer handler saved
volatile sig_atomic_t newer_calls;
void newer_handler(int sig, siginfo_t* info, void* context) {
  newer_calls = newer_calls + 1;
  virtops_action.sa_sigaction(sig, info, context);  // chains back, as documented
}
}  // namespace

TEST_CASE("a handler installed after the guard, chaining back, keeps virtops working",
          "[passthrough]") {
  struct sigaction before[3];
  const int sigs[] = {SIGILL, SIGSEGV, SIGBUS};
  for (int k = 0; k < 3; ++k) sigaction(sigs[k], nullptr, &before[k]);
  {
    posix::trap_guard guard;
    struct sigaction newer = siginfo_action(&newer_handler);
    struct sigaction replaced[3];
    for (int k = 0; k < 3; ++k) sigaction(sigs[k], &newer, &replaced[k]);
    virtops_action = replaced[0];
    REQUIRE(virtops_action.sa_sigaction == &posix::detail::on_signal);
    newer_calls = 0;
    unsigned n = 0;
    for (const faulting& f : faulting_wrappers()) {
      INFO(name_of(f.w));
      CHECK(reports(f, call_wrapper<policy::report>(f.w).st));
      ++n;
    }
    CHECK(newer_calls == static_cast<sig_atomic_t>(n));  // each fault went through it first
  }
  // The guard is gone, but the newer handler sits on top: it stays.
  for (int k = 0; k < 3; ++k) {
    struct sigaction now;
    sigaction(sigs[k], nullptr, &now);
    CHECK(now.sa_sigaction == &newer_handler);
    sigaction(sigs[k], &before[k], nullptr);
  }
}

TEST_CASE("the last guard restores handler, flags and mask of every signal", "[passthrough]") {
  struct sigaction ill = siginfo_action(&escaping_handler, SA_NODEFER | SA_RESTART);
  sigaddset(&ill.sa_mask, SIGUSR1);
  sigaddset(&ill.sa_mask, SIGTERM);
  struct sigaction segv = {};
  segv.sa_handler = SIG_IGN;
  sigemptyset(&segv.sa_mask);
  sigaddset(&segv.sa_mask, SIGUSR2);
  struct sigaction bus = {};
  bus.sa_handler = SIG_DFL;
  bus.sa_flags = static_cast<int>(SA_RESETHAND);  // 0x80000000: an unsigned literal
  sigfillset(&bus.sa_mask);
  disposition d1(SIGILL, ill), d2(SIGSEGV, segv), d3(SIGBUS, bus);
  const int sigs[] = {SIGILL, SIGSEGV, SIGBUS};
  struct sigaction before[3], after[3];
  for (int k = 0; k < 3; ++k) sigaction(sigs[k], nullptr, &before[k]);
  {
    posix::trap_guard a;
    posix::trap_guard b;
    CHECK(call_wrapper<policy::report>(wrapper::vmxoff).st.code() == errc::fault);
  }
  for (int k = 0; k < 3; ++k) {
    INFO("signal " << sigs[k]);
    sigaction(sigs[k], nullptr, &after[k]);
    CHECK(reinterpret_cast<void*>(after[k].sa_sigaction) ==
          reinterpret_cast<void*>(before[k].sa_sigaction));
    CHECK(after[k].sa_flags == before[k].sa_flags);
    for (int s = 1; s < NSIG; ++s)
      CHECK(sigismember(&after[k].sa_mask, s) == sigismember(&before[k].sa_mask, s));
  }
}

namespace {
volatile sig_atomic_t inner_ok;
// A previous handler that, while handling someone else's SIGSEGV, runs
// wrappers that fault: their signals nest inside it, and are ours.
void handler_running_vmx(int, siginfo_t*, void*) {
  const virtops::status s = virtops::vmx::vmxoff();  // SIGILL: not blocked here
  inner_ok = s.code() == errc::fault && s.instruction() == insn::vmxoff;
  siglongjmp(escape, 1);
}
void handler_running_svm(int, siginfo_t*, void*) {
  const virtops::status s = virtops::svm::stgi();  // SIGSEGV inside a SIGSEGV handler
  inner_ok = s.code() == errc::fault && s.instruction() == insn::stgi;
  siglongjmp(escape, 1);
}

// A policy that runs wrappers itself (e.g. logs a VMCS field): their faults
// nest inside the outer wrapper's fault path.
struct policy_running_wrappers {
  static inline thread_local virtops::status inner{};
  static virtops::fault_action on_fault(const virtops::fault_info&) noexcept {
    inner = virtops::vmx::vmread<policy::report>(0x4402).error();
    return virtops::fault_action::report;
  }
};

// A policy that crashes at an address that is no site.
struct crashing_policy {
  static virtops::fault_action on_fault(const virtops::fault_info&) noexcept {
    null_store();
    return virtops::fault_action::report;
  }
};
}  // namespace

// [invalid-access]: makes a deliberate bad memory access (memcheck would
// count it as an error).
TEST_CASE("faults inside fault handling are handled like any other", "[nested][invalid-access]") {
  SECTION("a wrapper faulting in another handler while that handles its own fault") {
    disposition prior(SIGSEGV, siginfo_action(&handler_running_vmx));
    posix::trap_guard guard;
    inner_ok = 0;
    if (sigsetjmp(escape, 1) == 0) null_store();
    CHECK(inner_ok == 1);
  }
  SECTION("the same signal nested, in a handler that allows it (SA_NODEFER)") {
    disposition prior(SIGSEGV, siginfo_action(&handler_running_svm, SA_NODEFER));
    posix::trap_guard guard;
    inner_ok = 0;
    if (sigsetjmp(escape, 1) == 0) null_store();
    CHECK(inner_ok == 1);
  }
}

TEST_CASE("a policy running wrappers: both faults reported, each to its caller", "[nested]") {
  posix::trap_guard guard;
  const virtops::status outer = virtops::vmx::vmclear<policy_running_wrappers>(0x1000);
  CHECK(outer.code() == errc::fault);
  CHECK(outer.instruction() == insn::vmclear);
  CHECK(policy_running_wrappers::inner.code() == errc::fault);
  CHECK(policy_running_wrappers::inner.instruction() == insn::vmread);
}

TEST_CASE("a crash inside fault handling still kills with its signal", "[nested][death]") {
  SECTION("in a policy") {
    const int st = in_child([] {
      alarm(20);  // a deadlock would end as SIGALRM
      posix::trap_guard guard;
      (void)virtops::vmx::vmxoff<crashing_policy>();
    });
    REQUIRE(WIFSIGNALED(st));
    CHECK(WTERMSIG(st) == SIGSEGV);
  }
  SECTION("a fault of a blocked signal: the SVM wrapper in a SIGSEGV handler without SA_NODEFER") {
    // As without virtops: the kernel cannot deliver a synchronous signal
    // that is blocked, and kills with it.
    const int st = in_child([] {
      alarm(20);
      disposition prior(SIGSEGV, siginfo_action(&handler_running_svm));
      posix::trap_guard guard;
      null_store();
    });
    REQUIRE(WIFSIGNALED(st));
    CHECK(WTERMSIG(st) == SIGSEGV);
  }
}

TEST_CASE("bad operands fault as the CPU says and are handled by the table", "[bad-input]") {
  posix::trap_guard guard;
  // Null, unaligned, non-canonical, the top of the address space, a
  // reserved-bit VMCS encoding. In ring 3 the privilege check comes first,
  // so the CPU raises what the oracle saw with sane operands; the operand
  // checks themselves (#GP for an unaligned or too wide VMCB, VMfailValid 12
  // for a bad encoding) run in ring 0, in tests/ring0.
  const std::uint64_t operands[] = {0,
                                    1,
                                    0xfff,
                                    0x8000'0000'0000'0000,
                                    0x0000'8000'0000'0000,
                                    ~std::uint64_t{0},
                                    0x1000 | (1u << 12)};
  for (const faulting& f : faulting_wrappers())
    for (std::uint64_t op : operands) {
      INFO(name_of(f.w) << " operand " << op);
      const outcome o = call_wrapper<policy::report>(f.w, op);
      CHECK(reports(f, o.st));
    }
}

TEST_CASE("under valgrind: its CPU raises SIGILL without a vector, and virtops agrees",
          "[valgrind]") {
  // valgrind's x86 decoder does not know VMX/SVM: it raises SIGILL for every
  // one of them (the CPU raises #GP, SIGSEGV, for SVM in ring 3), with
  // REG_TRAPNO and REG_ERR 0, and never passes VMMCALL to a hypervisor.
  // The fixup works the same; the fault records carry vector 0.
  if (!ON_VALGRIND) {
    for (const faulting& f : faulting_wrappers()) {
      INFO(name_of(f.w));
      CHECK((f.oracle.trapno == virtops::vector::ud || f.oracle.trapno == virtops::vector::gp));
    }
    return;
  }
  posix::trap_guard guard;
  CHECK(faulting_wrappers().size() == std::size(all_wrappers));
  for (const faulting& f : faulting_wrappers()) {
    INFO(name_of(f.w));
    CHECK(f.oracle.signo == SIGILL);
    CHECK(f.oracle.trapno == 0);
    CHECK(reports(f, call_wrapper<policy::report>(f.w).st));
  }
}
