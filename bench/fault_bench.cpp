// The ring-3 fault round trip: a wrapper faults (#UD -> SIGILL), the POSIX
// adapter finds the entry and resumes at the fixup, the policy reports.
// The fair comparison is the same #UD through the same kernel path (SIGILL
// with siginfo and a ucontext, sigreturn) to a handler that only steps over
// the instruction: the difference is what virtops adds. raise() with an
// empty handler shows the cost of signal delivery alone, without a fault.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <ucontext.h>

#include <virtops/posix.hpp>
#include <virtops/virtops.hpp>

namespace {

void virtops_round_trip(benchmark::State& state) {
  virtops::posix::trap_guard guard;
  if (!guard.installed()) state.SkipWithError("trap_guard not installed");
  for (auto _ : state) {
    const virtops::status s = virtops::vmx::vmxoff();
    if (s.code() != virtops::errc::fault) state.SkipWithError("VMXOFF did not fault");
    benchmark::DoNotOptimize(s);
  }
}

void skip_ud2(int, siginfo_t*, void* context) {
  static_cast<ucontext_t*>(context)->uc_mcontext.gregs[REG_RIP] += 2;
}

void bare_ud2_round_trip(benchmark::State& state) {
  struct sigaction sa = {}, old = {};
  sa.sa_sigaction = skip_ud2;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGILL, &sa, &old) != 0) state.SkipWithError("sigaction failed");
  for (auto _ : state) asm volatile("ud2" ::: "memory");
  sigaction(SIGILL, &old, nullptr);
}

void empty(int) {}

void raise_round_trip(benchmark::State& state) {
  struct sigaction sa = {}, old = {};
  sa.sa_handler = empty;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGUSR1, &sa, &old) != 0) state.SkipWithError("sigaction failed");
  for (auto _ : state) raise(SIGUSR1);
  sigaction(SIGUSR1, &old, nullptr);
}

BENCHMARK(virtops_round_trip)->Name("fault/virtops_vmxoff");
BENCHMARK(bare_ud2_round_trip)->Name("fault/bare_ud2");
BENCHMARK(raise_round_trip)->Name("fault/raise");

}  // namespace

BENCHMARK_MAIN();
