// Every wrapper once, for the PE/COFF adapter tests (windows_traps.cpp,
// uefi_traps.cpp): X(name, virtops::insn, bare asm text, ECX for the bare
// text, a call of the wrapper under policy P). The bare text runs with RAX
// = the address of `page` (a 4 KiB-aligned buffer the test defines) and
// ECX as given; the call may use `page_pa`, `bad_msr`, `bad_xcr`,
// `guest_regs` and `hypercall` (the test defines them).
#pragma once

#define VIRTOPS_TEST_WRAPPERS(X)                                                           \
  X(vmxon, vmxon, "vmxon (%%rax)", 0, virtops::vmx::vmxon<P>(page_pa()))                   \
  X(vmclear, vmclear, "vmclear (%%rax)", 0, virtops::vmx::vmclear<P>(page_pa()))           \
  X(vmptrld, vmptrld, "vmptrld (%%rax)", 0, virtops::vmx::vmptrld<P>(page_pa()))           \
  X(vmptrst, vmptrst, "vmptrst (%%rax)", 0, virtops::vmx::vmptrst<P>())                    \
  X(vmread, vmread, "vmread %%rcx, %%rdx", 0x681e, virtops::vmx::vmread<P>(0x681e))        \
  X(vmwrite, vmwrite, "vmwrite %%rax, %%rcx", 0x681e, virtops::vmx::vmwrite<P>(0x681e, 0)) \
  X(invept, invept, "invept (%%rax), %%rcx", 2,                                            \
    virtops::vmx::invept<P>(virtops::vmx::invept_type::all_context, {0}))                  \
  X(invvpid, invvpid, "invvpid (%%rax), %%rcx", 2,                                         \
    virtops::vmx::invvpid<P>(virtops::vmx::invvpid_type::all_context, {1}))                \
  X(vmxoff, vmxoff, "vmxoff", 0, virtops::vmx::vmxoff<P>())                                \
  X(launch, vmlaunch, "vmlaunch", 0, virtops::vmx::launch<P>(guest_regs))                  \
  X(resume, vmresume, "vmresume", 0, virtops::vmx::resume<P>(guest_regs))                  \
  X(vmcall, vmcall, "vmcall", 0, virtops::vmx::vmcall<P>(hypercall))                       \
  X(vmrun, vmrun, "vmrun %%rax", 0, virtops::svm::vmrun<P>(page_pa()))                     \
  X(vmrun_gprs, vmrun, "vmrun %%rax", 0, virtops::svm::vmrun<P>(page_pa(), guest_regs))    \
  X(vmload, vmload, "vmload %%rax", 0, virtops::svm::vmload<P>(page_pa()))                 \
  X(vmsave, vmsave, "vmsave %%rax", 0, virtops::svm::vmsave<P>(page_pa()))                 \
  X(clgi, clgi, "clgi", 0, virtops::svm::clgi<P>())                                        \
  X(stgi, stgi, "stgi", 0, virtops::svm::stgi<P>())                                        \
  X(invlpga, invlpga, "invlpga %%rax, %%ecx", 0, virtops::svm::invlpga<P>(page_pa(), 0))   \
  X(vmmcall, vmmcall, "vmmcall", 0, virtops::svm::vmmcall<P>(hypercall))                   \
  X(rdmsr, rdmsr, "rdmsr", bad_msr, virtops::msr::read<P>(bad_msr))                        \
  X(wrmsr, wrmsr, "xor %%eax, %%eax\n\txor %%edx, %%edx\n\twrmsr", bad_msr,                \
    virtops::msr::write<P>(bad_msr, 0))                                                    \
  X(xsetbv, xsetbv, "xor %%eax, %%eax\n\txor %%edx, %%edx\n\txsetbv", bad_xcr,             \
    virtops::xsetbv<P>(bad_xcr, 0))
