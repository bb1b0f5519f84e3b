#include "probe.hpp"

#include <ucontext.h>

#include <csetjmp>
#include <csignal>

namespace {

sigjmp_buf resume_point;
volatile sig_atomic_t seen_signo, seen_trapno;
volatile std::uint32_t seen_error;

void record(int sig, siginfo_t*, void* context) {
  const auto* uc = static_cast<ucontext_t*>(context);
  seen_signo = sig;
  seen_trapno = static_cast<sig_atomic_t>(uc->uc_mcontext.gregs[REG_TRAPNO]);
  seen_error = static_cast<std::uint32_t>(uc->uc_mcontext.gregs[REG_ERR]);
  siglongjmp(resume_point, 1);
}

// Each instruction with harmless operands. Returns RAX afterwards (only
// meaningful for the hypercall instructions, which a hypervisor below us may
// answer instead of faulting).
[[gnu::noinline]] std::uint64_t execute(virtops::insn i) {
  using virtops::insn;
  std::uint64_t m[2] = {0, 0};
  std::uint64_t r = 0x1000;  // the operand call_wrapper passes
  switch (i) {
    case insn::vmxon: asm volatile("vmxon %0" : : "m"(m[0]) : "memory"); break;
    case insn::vmxoff: asm volatile("vmxoff" : : : "memory"); break;
    case insn::vmclear: asm volatile("vmclear %0" : : "m"(m[0]) : "memory"); break;
    case insn::vmptrld: asm volatile("vmptrld %0" : : "m"(m[0]) : "memory"); break;
    case insn::vmptrst: asm volatile("vmptrst %0" : "=m"(m[0]) : : "memory"); break;
    case insn::vmread: asm volatile("vmread %1, %0" : "=r"(r) : "r"(r) : "cc"); break;
    case insn::vmwrite: asm volatile("vmwrite %0, %1" : : "r"(r), "r"(r) : "cc"); break;
    case insn::invept: asm volatile("invept %0, %1" : : "m"(m), "r"(r) : "memory"); break;
    case insn::invvpid: asm volatile("invvpid %0, %1" : : "m"(m), "r"(r) : "memory"); break;
    case insn::vmrun: asm volatile("vmrun %%rax" : : "a"(r) : "memory"); break;
    case insn::vmload: asm volatile("vmload %%rax" : : "a"(r) : "memory"); break;
    case insn::vmsave: asm volatile("vmsave %%rax" : : "a"(r) : "memory"); break;
    case insn::stgi: asm volatile("stgi" : : : "memory"); break;
    case insn::clgi: asm volatile("clgi" : : : "memory"); break;
    case insn::invlpga: asm volatile("invlpga %%rax, %%ecx" : : "a"(r), "c"(0) : "memory"); break;
    case insn::vmcall:
      asm volatile("vmcall" : "+a"(r) : : "rbx", "rcx", "rdx", "rsi", "memory");
      break;
    case insn::vmmcall:
      asm volatile("vmmcall" : "+a"(r) : : "rbx", "rcx", "rdx", "rsi", "memory");
      break;
    // The MSR and XCR instructions with msr_test.cpp's operands: IA32_EFER
    // (0xc0000080) and XCR0 = x87|SSE (3).
    case insn::rdmsr: asm volatile("rdmsr" : "=a"(m[0]), "=d"(m[1]) : "c"(0xc0000080u)); break;
    case insn::wrmsr:
      asm volatile("wrmsr" : : "c"(0xc0000080u), "a"(0u), "d"(0u) : "memory");
      break;
    case insn::xsetbv: asm volatile("xsetbv" : : "c"(0u), "a"(3u), "d"(0u) : "memory"); break;
    default: break;
  }
  return r;
}

}  // namespace

raised probe(virtops::insn i) {
  const int signals[] = {SIGILL, SIGSEGV, SIGBUS};
  struct sigaction ours = {}, old[3];
  ours.sa_sigaction = &record;
  ours.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&ours.sa_mask);
  for (int k = 0; k < 3; ++k) sigaction(signals[k], &ours, &old[k]);
  raised out;
  if (sigsetjmp(resume_point, 1) == 0) {
    out.rax = execute(i);
  } else {
    out.faulted = true;
    out.signo = seen_signo;
    out.trapno = seen_trapno;
    out.error_code = seen_error;
  }
  for (int k = 0; k < 3; ++k) sigaction(signals[k], &old[k], nullptr);
  return out;
}

int signal_for_vector(int vector) {
  switch (vector) {
    case 6: return SIGILL;    // #UD
    case 11: return SIGBUS;   // #NP
    case 12: return SIGBUS;   // #SS
    case 13: return SIGSEGV;  // #GP
    case 14: return SIGSEGV;  // #PF
    case 17: return SIGBUS;   // #AC
    default: return 0;
  }
}
