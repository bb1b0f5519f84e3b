#include "cpu_double.hpp"

#include <signal.h>
#include <ucontext.h>

#include <cstring>
#include <initializer_list>

namespace stale {

namespace {

using virtops::insn;

constexpr int signals[] = {SIGILL, SIGSEGV, SIGBUS};
constexpr unsigned signal_count = sizeof(signals) / sizeof(signals[0]);

struct sigaction previous[signal_count];
cpu_mode mode = cpu_mode::scribble;
virtops::vm_instruction_error emulated_error{};
cpu_counters counted;

// ModRM register numbers (with REX) to the saved registers of a ucontext.
constexpr int greg_of[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                             REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                             REG_R12, REG_R13, REG_R14, REG_R15};

constexpr std::uint64_t vm_instruction_error_field = 0x4400;

struct instruction {
  insn what{};
  unsigned length = 0;
  bool has_modrm = false;
  bool memory = false;  // the r/m operand is memory
  unsigned reg = 0;     // ModRM.reg with REX.R
  unsigned rm = 0;      // ModRM.rm with REX.B (a register when !memory)
  std::uintptr_t address = 0;
};

std::uint64_t reg_value(const greg_t* g, unsigned r) {
  return static_cast<std::uint64_t>(g[greg_of[r]]);
}

// Decodes the VMX/SVM instructions virtops emits, as they appear in 64-bit
// code: legacy prefixes 66/F2/F3, REX, 0F, and a ModRM with SIB and
// displacement where the instruction has an operand. `g` may be null (then
// no effective address is computed).
bool decode(const std::uint8_t* p, const greg_t* g, std::uintptr_t rip, instruction& out) {
  unsigned i = 0;
  bool p66 = false, pf3 = false;
  for (;; ++i) {
    if (p[i] == 0x66)
      p66 = true;
    else if (p[i] == 0xf3)
      pf3 = true;
    else if (p[i] != 0xf2)
      break;
  }
  unsigned rex = 0;
  if ((p[i] & 0xf0) == 0x40) rex = p[i++];
  if (p[i++] != 0x0f) return false;
  const std::uint8_t op = p[i++];
  if (op == 0x01) {
    switch (p[i++]) {
      case 0xc1: out.what = insn::vmcall; break;
      case 0xc2: out.what = insn::vmlaunch; break;
      case 0xc3: out.what = insn::vmresume; break;
      case 0xc4: out.what = insn::vmxoff; break;
      case 0xd8: out.what = insn::vmrun; break;
      case 0xd9: out.what = insn::vmmcall; break;
      case 0xda: out.what = insn::vmload; break;
      case 0xdb: out.what = insn::vmsave; break;
      case 0xdc: out.what = insn::stgi; break;
      case 0xdd: out.what = insn::clgi; break;
      case 0xdf: out.what = insn::invlpga; break;
      default: return false;
    }
    out.length = i;
    return true;
  }
  if (op == 0x78) {
    out.what = insn::vmread;
  } else if (op == 0x79) {
    out.what = insn::vmwrite;
  } else if (op == 0x38 && p66 && (p[i] == 0x80 || p[i] == 0x81)) {
    out.what = p[i++] == 0x80 ? insn::invept : insn::invvpid;
  } else if (op != 0xc7) {
    return false;
  }
  const std::uint8_t modrm = p[i++];
  const unsigned mod = modrm >> 6;
  out.has_modrm = true;
  out.reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
  out.rm = (modrm & 7) | ((rex & 1) << 3);
  out.memory = mod != 3;
  if (op == 0xc7) {
    const unsigned sub = (modrm >> 3) & 7;
    if (!out.memory || (sub != 6 && sub != 7)) return false;
    out.what = sub == 7 ? insn::vmptrst : p66 ? insn::vmclear : pf3 ? insn::vmxon : insn::vmptrld;
  }
  if (!out.memory) {
    out.length = i;
    return true;
  }
  std::uint64_t address = 0;
  bool rip_relative = false;
  if ((modrm & 7) == 4) {
    const std::uint8_t sib = p[i++];
    const unsigned index = ((sib >> 3) & 7) | ((rex & 2) << 2);
    const unsigned base = (sib & 7) | ((rex & 1) << 3);
    if (index != 4 && g != nullptr) address += reg_value(g, index) << (sib >> 6);
    if ((sib & 7) == 5 && mod == 0) {
      std::int32_t disp;
      std::memcpy(&disp, p + i, 4);
      i += 4;
      address += static_cast<std::uint64_t>(static_cast<std::int64_t>(disp));
    } else if (g != nullptr) {
      address += reg_value(g, base);
    }
  } else if ((modrm & 7) == 5 && mod == 0) {
    rip_relative = true;
  } else if (g != nullptr) {
    address = reg_value(g, out.rm);
  }
  if (mod == 1) {
    address +=
        static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int8_t>(p[i])));
    i += 1;
  } else if (mod == 2 || rip_relative) {
    std::int32_t disp;
    std::memcpy(&disp, p + i, 4);
    i += 4;
    address += static_cast<std::uint64_t>(static_cast<std::int64_t>(disp));
  }
  out.length = i;
  if (rip_relative) address += rip + i;
  out.address = static_cast<std::uintptr_t>(address);
  return true;
}

void poison_register(greg_t* g, unsigned r) {
  g[greg_of[r]] = static_cast<greg_t>(poison);
  ++counted.scribbled;
}

void poison_memory(std::uintptr_t address) {
  const std::uint64_t value = poison;
  std::memcpy(reinterpret_cast<void*>(address), &value, sizeof value);
  ++counted.scribbled;
}

constexpr unsigned rax = 0, rcx = 1, rdx = 2, rbx = 3, rsp = 4, rbp = 5, rsi = 6, rdi = 7;

// Everything the asm of the wrapper owning `site` lets change at this
// instruction. The VMX/SVM instructions that only take inputs have nothing.
void scribble(insn site, const instruction& d, greg_t* g) {
  switch (site) {
    case insn::vmread:  // the output (a memory operand in the no-output fallback)
      if (d.memory)
        poison_memory(d.address);
      else
        poison_register(g, d.rm);
      break;
    case insn::vmptrst: poison_memory(d.address); break;
    case insn::vmcall:
    case insn::vmmcall:  // clobbered, or restored by the fault stub
      for (unsigned r : {rax, rbx, rcx, rdx, rsi, rdi, rbp}) poison_register(g, r);
      break;
    case insn::vmlaunch:
    case insn::vmresume:  // a guest's: all but RSP
      for (unsigned r = 0; r < 16; ++r)
        if (r != rsp) poison_register(g, r);
      break;
    case insn::vmrun:  // a guest's, but RAX is the VMCB address (an input)
      for (unsigned r = 0; r < 16; ++r)
        if (r != rsp && r != rax) poison_register(g, r);
      break;
    default: break;
  }
}

constexpr greg_t cf = 1 << 0, pf = 1 << 2, af = 1 << 4, zf = 1 << 6, sf = 1 << 7, of = 1 << 11;

void complete(greg_t* g, const instruction& d, greg_t flags) {
  g[REG_EFL] = (g[REG_EFL] & ~(cf | pf | af | zf | sf | of)) | flags;
  g[REG_RIP] += static_cast<greg_t>(d.length);
}

// True if the instruction was emulated (resume at the new RIP), false if it
// faults as it did.
bool act(const virtops::extable::entry& e, greg_t* g) {
  const auto rip = static_cast<std::uintptr_t>(g[REG_RIP]);
  instruction d;
  if (!decode(reinterpret_cast<const std::uint8_t*>(rip), g, rip, d)) {
    ++counted.undecodable;
    return false;
  }
  const insn site = e.instruction();
  const bool entry = site == insn::vmlaunch || site == insn::vmresume;
  if (d.what != site && !(entry && d.what == insn::vmwrite)) {
    ++counted.wrong_opcode;
    return false;
  }
  if (mode != cpu_mode::scribble) {
    if (entry && d.what == insn::vmwrite) {  // HOST_RSP, HOST_RIP
      complete(g, d, 0);
      ++counted.successes;
      return true;
    }
    if (d.what == insn::vmread && reg_value(g, d.reg) == vm_instruction_error_field) {
      const auto value = static_cast<std::uint64_t>(emulated_error);
      if (d.memory)
        std::memcpy(reinterpret_cast<void*>(d.address), &value, sizeof value);
      else
        g[greg_of[d.rm]] = static_cast<greg_t>(value);
      complete(g, d, 0);
      ++counted.successes;
      return true;
    }
    if (virtops::is_vmx(d.what) && d.what != insn::vmptrst) {
      // VMCALL's registers are stored back after a VMfail: the CPU leaves
      // them alone, and so does the double.
      if (d.what != insn::vmcall) scribble(site, d, g);
      complete(g, d, mode == cpu_mode::vmfail_invalid ? cf : zf);
      ++counted.vmfails;
      counted.last_vmfail = site;
      return true;
    }
  }
  scribble(site, d, g);
  ++counted.faults;
  return false;
}

unsigned index_of(int sig) {
  unsigned i = 0;
  while (i + 1 < signal_count && signals[i] != sig) ++i;
  return i;
}

// On to the handler below: the trap_guard's.
void chain(int sig, siginfo_t* info, void* context) {
  const struct sigaction& prev = previous[index_of(sig)];
  if ((prev.sa_flags & SA_SIGINFO) != 0) {
    prev.sa_sigaction(sig, info, context);
  } else if (prev.sa_handler != SIG_DFL && prev.sa_handler != SIG_IGN) {
    prev.sa_handler(sig);
  } else {
    signal(sig, SIG_DFL);
    raise(sig);
  }
}

void on_signal(int sig, siginfo_t* info, void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
  if (info != nullptr && info->si_code > 0 && uc != nullptr) {
    greg_t* g = uc->uc_mcontext.gregs;
    const virtops::extable::entry* e =
        virtops::extable::find(static_cast<std::uintptr_t>(g[REG_RIP]));
    if (e != nullptr && act(*e, g)) return;
  }
  chain(sig, info, context);
}

}  // namespace

cpu_double::cpu_double(cpu_mode m, virtops::vm_instruction_error error) {
  mode = m;
  emulated_error = error;
  struct sigaction ours = {};
  ours.sa_sigaction = &on_signal;
  ours.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigemptyset(&ours.sa_mask);
  for (unsigned i = 0; i < signal_count; ++i)
    installed_ &= sigaction(signals[i], &ours, &previous[i]) == 0;
}

cpu_double::~cpu_double() {
  for (unsigned i = 0; i < signal_count; ++i) sigaction(signals[i], &previous[i], nullptr);
}

const cpu_counters& cpu_double::counters() noexcept { return counted; }
void cpu_double::reset_counters() noexcept { counted = cpu_counters{}; }

bool decode_length(const std::uint8_t* code, virtops::insn& what, unsigned& length) {
  instruction d;
  if (!decode(code, nullptr, 0, d)) return false;
  what = d.what;
  length = d.length;
  return true;
}

}  // namespace stale
