// Call sites whose machine code tests/codegen/check.sh inspects: one
// function per wrapper, written the way hypervisor code uses them. Never run.
#include <utility>
#include <virtops/virtops.hpp>

using namespace virtops;

#define SITE extern "C" __attribute__((noinline))

// A caller that only checks success: the result must cost nothing.
SITE bool cg_vmxon(std::uint64_t pa) { return vmx::vmxon(pa).ok(); }
SITE bool cg_vmxoff() { return vmx::vmxoff().ok(); }
SITE bool cg_vmclear(std::uint64_t pa) { return vmx::vmclear(pa).ok(); }
SITE bool cg_vmptrld(std::uint64_t pa) { return vmx::vmptrld(pa).ok(); }
SITE std::uint64_t cg_vmptrst() { return vmx::vmptrst().value_or(~0ull); }

// A caller that branches on the result: the check folds into the jna, and
// value()'s own check (it panics on a failure) with it.
SITE std::uint64_t cg_vmread(std::uint64_t field) {
  auto r = vmx::vmread(field);
  if (!r) [[unlikely]]
    return 0;
  return r.value();
}
SITE void cg_vmread_use(std::uint64_t field, std::uint64_t* out) {
  if (auto r = vmx::vmread(field)) *out = r.value();
}
SITE std::uint64_t cg_vmread_typed() { return vmx::vmread<vmcs::guest_rip>().value_or(0); }
SITE bool cg_vmwrite(std::uint64_t field, std::uint64_t v) { return vmx::vmwrite(field, v).ok(); }
SITE bool cg_vmwrite_typed(std::uint64_t rip) { return vmx::vmwrite<vmcs::guest_rip>(rip).ok(); }
SITE bool cg_invept(std::uint64_t eptp) {
  return vmx::invept(vmx::invept_type::single_context, {eptp}).ok();
}
SITE bool cg_invvpid(std::uint16_t vpid) {
  return vmx::invvpid(vmx::invvpid_type::single_context, {vpid}).ok();
}

// GCC 12 deletes a non-volatile asm goto with outputs when they are unused;
// the wrapper's VMREAD must survive.
SITE void cg_vmread_unused(std::uint64_t field) { (void)vmx::vmread(field); }

SITE bool cg_vmrun(std::uint64_t pa) { return svm::vmrun(pa).ok(); }
SITE bool cg_vmload(std::uint64_t pa) { return svm::vmload(pa).ok(); }
SITE bool cg_vmsave(std::uint64_t pa) { return svm::vmsave(pa).ok(); }
SITE bool cg_stgi() { return svm::stgi().ok(); }
SITE bool cg_clgi() { return svm::clgi().ok(); }
SITE bool cg_invlpga(std::uint64_t va, std::uint32_t asid) { return svm::invlpga(va, asid).ok(); }

// RDMSR, WRMSR, XSETBV: no VMfail, the bare instruction.
SITE std::uint64_t cg_rdmsr(std::uint32_t index) { return msr::read(index).value_or(0); }
SITE bool cg_wrmsr(std::uint32_t index, std::uint64_t v) { return msr::write(index, v).ok(); }
SITE bool cg_xsetbv(std::uint64_t xcr0) { return xsetbv(0, xcr0).ok(); }

// Any policy compiles to the same hot path.
SITE bool cg_vmwrite_ignore(std::uint64_t field, std::uint64_t v) {
  return vmx::vmwrite<policy::ignore>(field, v).ok();
}

// An exit handler's burst of reads: one instruction and one jna each.
SITE std::uint64_t cg_exit_burst() {
  return vmx::vmread<vmcs::vm_exit_reason>().value_or(0) +
         vmx::vmread<vmcs::exit_qualification>().value_or(0) +
         vmx::vmread<vmcs::guest_rip>().value_or(0) +
         vmx::vmread<vmcs::vm_exit_instruction_length>().value_or(0);
}

// A full exit handler: 32 reads into the vCPU's exit information, the first
// failure ends it. `const auto r` is how people write it; with a 24-byte
// result GCC kept each r in a stack slot (store, load, compare per read).
struct exit_info {
  std::uint64_t value[32];
};
// value() of a failed result does not return (it panics): tested first, it
// costs nothing.
[[gnu::always_inline]] inline bool read_one(std::uint64_t field, std::uint64_t& out) {
  const auto r = vmx::vmread(field);
  if (!r) return false;
  out = r.value();
  return true;
}
template <std::size_t... I>
[[gnu::always_inline]] inline bool read_all(const std::uint64_t* fields, exit_info& out,
                                            std::index_sequence<I...>) {
  return (read_one(fields[I], out.value[I]) && ...);
}
// scripts/codegen_table.sh also builds it with GCC's optimize("O2") at -Os.
#ifndef CG_HANDLER_ATTRIBUTES
#define CG_HANDLER_ATTRIBUTES
#endif
SITE CG_HANDLER_ATTRIBUTES bool cg_exit_handler32(const std::uint64_t* fields, exit_info& out) {
  return read_all(fields, out, std::make_index_sequence<32>{});
}

// The same handler storing each value before it tests the result: measured
// by scripts/codegen_table.sh (at GCC -Os the failure code then stays
// inline, docs/codegen.md), not checked.
[[gnu::always_inline]] inline bool store_one(std::uint64_t field, std::uint64_t& out) {
  const auto r = vmx::vmread(field);
  out = r.value_or(0);
  return r.has_value();
}
template <std::size_t... I>
[[gnu::always_inline]] inline bool store_all(const std::uint64_t* fields, exit_info& out,
                                             std::index_sequence<I...>) {
  return (store_one(fields[I], out.value[I]) && ...);
}
SITE bool cg_exit_handler32_store(const std::uint64_t* fields, exit_info& out) {
  return store_all(fields, out, std::make_index_sequence<32>{});
}

// The register-file wrappers: entries for every instruction, fault stub out of line.
SITE bool cg_launch(gprs& g) { return vmx::launch(g).ok(); }
SITE bool cg_resume(gprs& g) { return vmx::resume(g).ok(); }
SITE bool cg_vmcall(hypercall_regs& r) { return vmx::vmcall(r).ok(); }
SITE bool cg_vmrun_gprs(std::uint64_t pa, gprs& g) { return svm::vmrun(pa, g).ok(); }
SITE bool cg_vmmcall(hypercall_regs& r) { return svm::vmmcall(r).ok(); }

int main() { return 0; }
