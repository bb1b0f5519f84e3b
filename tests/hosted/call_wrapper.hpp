// Calls any virtops wrapper under policy P with harmless operands, so tests
// can iterate over every wrapper.
#pragma once

#include <virtops/virtops.hpp>

// One row per wrapper (svm::vmrun has two forms): its name, the instruction
// its fault is attributed to, its name in messages, and its call under
// policy P with harmless operands (`operand`, the gprs `regs`, the
// hypercall_regs `hc`; call_wrapper() below).
// clang-format off
#define CALL_WRAPPER_TABLE(X)                                                                   \
  X(vmxon, vmxon, "vmxon", vmx::vmxon<P>(operand))                                              \
  X(vmxoff, vmxoff, "vmxoff", vmx::vmxoff<P>())                                                 \
  X(vmclear, vmclear, "vmclear", vmx::vmclear<P>(operand))                                      \
  X(vmptrld, vmptrld, "vmptrld", vmx::vmptrld<P>(operand))                                      \
  X(vmptrst, vmptrst, "vmptrst", vmx::vmptrst<P>())                                             \
  X(vmread, vmread, "vmread", vmx::vmread<P>(operand))                                          \
  X(vmwrite, vmwrite, "vmwrite", vmx::vmwrite<P>(operand, ~operand))                            \
  X(invept, invept, "invept", vmx::invept<P>(vmx::invept_type::single_context, {operand}))      \
  X(invvpid, invvpid, "invvpid",                                                                \
    vmx::invvpid<P>(vmx::invvpid_type::individual_address, {1, {}, operand}))                   \
  X(launch, vmlaunch, "launch", vmx::launch<P>(regs))                                           \
  X(resume, vmresume, "resume", vmx::resume<P>(regs))                                           \
  X(vmcall, vmcall, "vmcall", with_rax(vmx::vmcall<P>(hc), hc))                                 \
  X(vmrun, vmrun, "vmrun", svm::vmrun<P>(operand))                                              \
  X(vmrun_gprs, vmrun, "vmrun(gprs)", svm::vmrun<P>(operand, regs))                             \
  X(vmload, vmload, "vmload", svm::vmload<P>(operand))                                          \
  X(vmsave, vmsave, "vmsave", svm::vmsave<P>(operand))                                          \
  X(stgi, stgi, "stgi", svm::stgi<P>())                                                         \
  X(clgi, clgi, "clgi", svm::clgi<P>())                                                         \
  X(invlpga, invlpga, "invlpga", svm::invlpga<P>(operand, 1))                                   \
  X(vmmcall, vmmcall, "vmmcall", with_rax(svm::vmmcall<P>(hc), hc))
// clang-format on

enum class wrapper {
#define CALL_WRAPPER_X(name, instruction, text, call) name,
  CALL_WRAPPER_TABLE(CALL_WRAPPER_X)
#undef CALL_WRAPPER_X
};

inline constexpr wrapper all_wrappers[] = {
#define CALL_WRAPPER_X(name, instruction, text, call) wrapper::name,
    CALL_WRAPPER_TABLE(CALL_WRAPPER_X)
#undef CALL_WRAPPER_X
};

// The instruction a wrapper's fault is attributed to.
constexpr virtops::insn instruction_of(wrapper w) {
  switch (w) {
#define CALL_WRAPPER_X(name, instruction, text, call) \
  case wrapper::name: return virtops::insn::instruction;
    CALL_WRAPPER_TABLE(CALL_WRAPPER_X)
#undef CALL_WRAPPER_X
  }
  return virtops::insn::vmxon;
}

// launch/resume first execute VMWRITE(HOST_RSP): in ring 3 that is what
// faults, attributed to the entry instruction. This is the instruction the
// CPU meets first, for the oracle.
constexpr virtops::insn first_executed(wrapper w) {
  if (w == wrapper::launch || w == wrapper::resume) return virtops::insn::vmwrite;
  return instruction_of(w);
}

constexpr const char* name_of(wrapper w) {
  switch (w) {
#define CALL_WRAPPER_X(name, instruction, text, call) \
  case wrapper::name: return text;
    CALL_WRAPPER_TABLE(CALL_WRAPPER_X)
#undef CALL_WRAPPER_X
  }
  return "unknown";
}

struct outcome {
  virtops::status st;
  std::uint64_t value = 0;  // what a read returned, or RAX after a hypercall
};

// What call_wrapper() returns for each kind of wrapper result.
inline outcome as_outcome(virtops::status s) { return {s}; }
inline outcome as_outcome(const virtops::result<std::uint64_t>& r) {
  return {r.error(), r.value_or(0)};
}
inline outcome as_outcome(const outcome& o) { return o; }
// A hypercall's RAX after it: `hc` is read once the call has returned.
inline outcome with_rax(virtops::status s, const virtops::hypercall_regs& hc) {
  return {s, hc.rax};
}

template <class P>
[[gnu::noinline]] outcome call_wrapper(wrapper w, std::uint64_t operand = 0x1000) {
  namespace vmx = virtops::vmx;
  namespace svm = virtops::svm;
  virtops::gprs regs{};
  regs.rbx = operand;
  virtops::hypercall_regs hc{};
  hc.rax = operand;
  switch (w) {
#define CALL_WRAPPER_X(name, instruction, text, call) \
  case wrapper::name: return as_outcome(call);
    CALL_WRAPPER_TABLE(CALL_WRAPPER_X)
#undef CALL_WRAPPER_X
  }
  return {virtops::status::vmfail_invalid(virtops::insn::vmxon)};
}

#undef CALL_WRAPPER_TABLE

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
