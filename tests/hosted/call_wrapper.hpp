// Calls any virtops wrapper under policy P with harmless operands, so tests
// can iterate over every wrapper.
#pragma once

#include <virtops/virtops.hpp>

// One per wrapper (svm::vmrun has two forms).
enum class wrapper {
  vmxon,
  vmxoff,
  vmclear,
  vmptrld,
  vmptrst,
  vmread,
  vmwrite,
  invept,
  invvpid,
  launch,
  resume,
  vmcall,
  vmrun,
  vmrun_gprs,
  vmload,
  vmsave,
  stgi,
  clgi,
  invlpga,
  vmmcall,
};

inline constexpr wrapper all_wrappers[] = {
    wrapper::vmxon,  wrapper::vmxoff,  wrapper::vmclear, wrapper::vmptrld,    wrapper::vmptrst,
    wrapper::vmread, wrapper::vmwrite, wrapper::invept,  wrapper::invvpid,    wrapper::launch,
    wrapper::resume, wrapper::vmcall,  wrapper::vmrun,   wrapper::vmrun_gprs, wrapper::vmload,
    wrapper::vmsave, wrapper::stgi,    wrapper::clgi,    wrapper::invlpga,    wrapper::vmmcall,
};

// The instruction a wrapper's fault is attributed to.
constexpr virtops::insn instruction_of(wrapper w) {
  using virtops::insn;
  switch (w) {
    case wrapper::vmxon: return insn::vmxon;
    case wrapper::vmxoff: return insn::vmxoff;
    case wrapper::vmclear: return insn::vmclear;
    case wrapper::vmptrld: return insn::vmptrld;
    case wrapper::vmptrst: return insn::vmptrst;
    case wrapper::vmread: return insn::vmread;
    case wrapper::vmwrite: return insn::vmwrite;
    case wrapper::invept: return insn::invept;
    case wrapper::invvpid: return insn::invvpid;
    case wrapper::launch: return insn::vmlaunch;
    case wrapper::resume: return insn::vmresume;
    case wrapper::vmcall: return insn::vmcall;
    case wrapper::vmrun: return insn::vmrun;
    case wrapper::vmrun_gprs: return insn::vmrun;
    case wrapper::vmload: return insn::vmload;
    case wrapper::vmsave: return insn::vmsave;
    case wrapper::stgi: return insn::stgi;
    case wrapper::clgi: return insn::clgi;
    case wrapper::invlpga: return insn::invlpga;
    case wrapper::vmmcall: return insn::vmmcall;
  }
  return insn::vmxon;
}

// launch/resume first execute VMWRITE(HOST_RSP): in ring 3 that is what
// faults, attributed to the entry instruction. This is the instruction the
// CPU meets first, for the oracle.
constexpr virtops::insn first_executed(wrapper w) {
  if (w == wrapper::launch || w == wrapper::resume) return virtops::insn::vmwrite;
  return instruction_of(w);
}

constexpr const char* name_of(wrapper w) {
  return w == wrapper::vmrun_gprs ? "vmrun(gprs)"
         : w == wrapper::launch   ? "launch"
         : w == wrapper::resume   ? "resume"
                                  : virtops::to_string(instruction_of(w));
}

struct outcome {
  virtops::status st;
  std::uint64_t value = 0;  // what a read returned, or RAX after a hypercall
};

template <class P>
[[gnu::noinline]] outcome call_wrapper(wrapper w, std::uint64_t operand = 0x1000) {
  namespace vmx = virtops::vmx;
  namespace svm = virtops::svm;
  virtops::gprs regs{};
  regs.rbx = operand;
  virtops::hypercall_regs hc{};
  hc.rax = operand;
  switch (w) {
    case wrapper::vmxon: return {vmx::vmxon<P>(operand)};
    case wrapper::vmxoff: return {vmx::vmxoff<P>()};
    case wrapper::vmclear: return {vmx::vmclear<P>(operand)};
    case wrapper::vmptrld: return {vmx::vmptrld<P>(operand)};
    case wrapper::vmptrst: {
      const auto r = vmx::vmptrst<P>();
      return {r.error(), r.value_or(0)};
    }
    case wrapper::vmread: {
      const auto r = vmx::vmread<P>(operand);
      return {r.error(), r.value_or(0)};
    }
    case wrapper::vmwrite: return {vmx::vmwrite<P>(operand, ~operand)};
    case wrapper::invept: return {vmx::invept<P>(vmx::invept_type::single_context, {operand})};
    case wrapper::invvpid:
      return {vmx::invvpid<P>(vmx::invvpid_type::individual_address, {1, {}, operand})};
    case wrapper::launch: return {vmx::launch<P>(regs)};
    case wrapper::resume: return {vmx::resume<P>(regs)};
    case wrapper::vmcall: {
      const virtops::status s = vmx::vmcall<P>(hc);
      return {s, hc.rax};
    }
    case wrapper::vmrun: return {svm::vmrun<P>(operand)};
    case wrapper::vmrun_gprs: return {svm::vmrun<P>(operand, regs)};
    case wrapper::vmload: return {svm::vmload<P>(operand)};
    case wrapper::vmsave: return {svm::vmsave<P>(operand)};
    case wrapper::stgi: return {svm::stgi<P>()};
    case wrapper::clgi: return {svm::clgi<P>()};
    case wrapper::invlpga: return {svm::invlpga<P>(operand, 1)};
    case wrapper::vmmcall: {
      const virtops::status s = svm::vmmcall<P>(hc);
      return {s, hc.rax};
    }
  }
  return {virtops::status::vmfail_invalid(virtops::insn::vmxon)};
}

// Counts faults per thread and remembers the last one.
struct counting {
  static inline thread_local unsigned faults = 0;
  static inline thread_local virtops::fault_info last{};
  static virtops::fault_action on_fault(const virtops::fault_info& f) noexcept {
    ++faults;
    last = f;
    return virtops::fault_action::report;
  }
};
