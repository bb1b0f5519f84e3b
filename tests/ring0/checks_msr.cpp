// Ring-0 RDMSR, WRMSR and XSETBV checks: success at CPL 0 and #GP (or #UD)
// for what the SDM (Vol. 2, "RDMSR", "WRMSR", "XSETBV") says faults, under
// every policy. They run on every configuration, VMX or SVM.
#include <virtops/msr.hpp>
#include <virtops/svm_features.hpp>
#include <virtops/xcr.hpp>

#include "cpu.hpp"
#include "platform.hpp"
#include "policy_checks.hpp"

namespace {

namespace msr = virtops::msr;
using virtops::errc;
using virtops::insn;
using virtops::status;

// No MSR of any CPU model the suite runs on (Intel or AMD).
constexpr std::uint32_t unknown_msr = 0x12345678;
constexpr std::uint64_t cr4_osxsave = 1ull << 18;

std::uint64_t xgetbv0() {
  std::uint32_t lo, hi;
  asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (std::uint64_t{hi} << 32) | lo;
}

void check_read_write() {
  const auto efer = msr::read(cpu::ia32_efer);
  check("msr.read_efer", efer.has_value() && efer.value_or(0) == cpu::rdmsr(cpu::ia32_efer),
        "code=%s value=%#lx rdmsr=%#lx", virtops::to_string(efer.error().code()),
        static_cast<unsigned long>(efer.value_or(0)),
        static_cast<unsigned long>(cpu::rdmsr(cpu::ia32_efer)));

  // IA32_KERNEL_GS_BASE matters only to SWAPGS, which the kernel never runs.
  const std::uint64_t saved = cpu::rdmsr(cpu::ia32_kernel_gs_base);
  constexpr std::uint64_t value = 0x00007fff'12345000ull;  // canonical
  const status written = msr::write(cpu::ia32_kernel_gs_base, value);
  const auto back = msr::read(cpu::ia32_kernel_gs_base);
  const std::uint64_t raw = cpu::rdmsr(cpu::ia32_kernel_gs_base);
  check("msr.write_readback_kernel_gs_base",
        written.ok() && back.has_value() && back.value_or(0) == value && raw == value,
        "write=%s read=%s value=%#lx rdmsr=%#lx", virtops::to_string(written.code()),
        virtops::to_string(back.error().code()), static_cast<unsigned long>(back.value_or(0)),
        static_cast<unsigned long>(raw));
  (void)msr::write(cpu::ia32_kernel_gs_base, saved);
  const std::uint64_t restored = cpu::rdmsr(cpu::ia32_kernel_gs_base);
  check("msr.write_restores", restored == saved, "rdmsr=%#lx",
        static_cast<unsigned long>(restored));
}

// #GP(0) for a reserved or unimplemented MSR or a bad value (SDM Vol. 2,
// "RDMSR", "WRMSR"). Emulators differ in which they implement: Bochs
// faults on an unknown MSR only with ignore_bad_msrs=0 (run.sh sets it),
// QEMU 7.2 TCG answers 0 for any MSR it does not know. So each is probed
// with candidates, the first that faults is checked under every policy:
// an unknown MSR; an x2APIC register while the local APIC is in xAPIC mode
// (#GP by SDM Vol. 3A, 11.12.1); for WRMSR, VM_HSAVE_PA with its low 12
// bits set (APM Vol. 2, 15.30.4), which QEMU and Bochs check.
struct write_candidate {
  std::uint32_t index;
  std::uint64_t value;
};

void check_unimplemented_msr() {
  const bool x2apic_mode = (cpu::rdmsr(0x1b) >> 10) & 1;  // IA32_APIC_BASE.EXTD
  const bool svm = (cpu::cpuid(virtops::svm::cpuid::extended_features_leaf).ecx &
                    virtops::svm::cpuid::svm_bit) != 0;
  constexpr std::uint32_t vm_hsave_pa = virtops::vmcb::msr::vm_hsave_pa;

  const std::uint32_t reads[] = {unknown_msr, x2apic_mode ? unknown_msr : 0x802u};
  bool read_checked = false;
  for (std::uint32_t r : reads) {
    if (msr::read(r).has_value()) continue;
    log("msr: rdmsr %#x faults\n", r);
    ring0::check_fault_policies("msr.read_unimplemented_gp", insn::rdmsr, virtops::vector::gp,
                                [=]<class P>() { return msr::read<P>(r).error(); });
    const auto again = msr::read(r);
    check("msr.read_fault_is_gp0",
          again.error().code() == errc::fault && again.error().fault().vector == 13 &&
              again.error().fault().error_code == 0,
          "code=%s vector=%u error=%#x", virtops::to_string(again.error().code()),
          unsigned{again.error().fault().vector}, again.error().fault().error_code);
    read_checked = true;
    break;
  }
  if (!read_checked) skip("msr.read_unimplemented_gp", "no RDMSR at CPL 0 faults here");

  const std::uint64_t saved_hsave = svm ? cpu::rdmsr(vm_hsave_pa) : 0;
  const write_candidate writes[] = {{unknown_msr, 0},
                                    {x2apic_mode ? unknown_msr : 0x808u, 0},
                                    {svm ? vm_hsave_pa : unknown_msr, 0x1001}};
  bool write_checked = false;
  for (const write_candidate& c : writes) {
    if (msr::write(c.index, c.value).ok()) continue;
    log("msr: wrmsr %#x <- %#lx faults\n", c.index, static_cast<unsigned long>(c.value));
    ring0::check_fault_policies("msr.write_bad_gp", insn::wrmsr, virtops::vector::gp,
                                [=]<class P>() { return msr::write<P>(c.index, c.value); });
    write_checked = true;
    break;
  }
  if (svm) cpu::wrmsr(vm_hsave_pa, saved_hsave);
  if (!write_checked) skip("msr.write_bad_gp", "no WRMSR at CPL 0 faults here");
}

void check_xsetbv() {
  const bool xsave = (cpu::cpuid(1).ecx >> 26) & 1;
  const std::uint64_t cr4 = cpu::read_cr4();
  // CR4.OSXSAVE = 0 (or no XSAVE at all): #UD.
  cpu::write_cr4(cr4 & ~cr4_osxsave);
  ring0::check_fault_policies("xsetbv.osxsave_0_ud", insn::xsetbv, virtops::vector::ud,
                              []<class P>() { return virtops::xsetbv<P>(0, 1); });
  if (!xsave) {
    skip("xsetbv.xcr0", "CPUID.1:ECX.XSAVE=0");
    cpu::write_cr4(cr4);
    return;
  }
  cpu::write_cr4(cr4 | cr4_osxsave);
  const std::uint64_t xcr0 = xgetbv0();
  // XCR0 bit 0 (x87) clear, and an XCR other than XCR0: #GP(0).
  ring0::check_fault_policies("xsetbv.xcr0_bit0_clear_gp", insn::xsetbv, virtops::vector::gp,
                              []<class P>() { return virtops::xsetbv<P>(0, 0); });
  ring0::check_fault_policies("xsetbv.xcr1_gp", insn::xsetbv, virtops::vector::gp,
                              []<class P>() { return virtops::xsetbv<P>(1, 1); });
  const status set = virtops::xsetbv(0, xcr0);
  check("xsetbv.xcr0_write_succeeds", set.ok() && xgetbv0() == xcr0, "code=%s xcr0=%#lx",
        virtops::to_string(set.code()), static_cast<unsigned long>(xgetbv0()));
  cpu::write_cr4(cr4);
}

}  // namespace

void run_msr_checks() {
  check_read_write();
  check_unimplemented_msr();
  check_xsetbv();
}
