// Ring-0 test kernel: check reporting on top of the bare-metal platform
// (examples/baremetal), and the order the suites run in.
#include <cstdarg>
#include <virtops/virtops.hpp>
#include <virtops/vocabulary.hpp>

#include "baremetal.hpp"
#include "cpu.hpp"
#include "platform.hpp"

namespace {
unsigned passed = 0, failed = 0, skipped = 0;

void summary(unsigned extra_failures) {
  baremetal::print("SUMMARY passed=%u failed=%u skipped=%u emulator=%s cpu=%s compiler=%s\n",
                   passed, failed + extra_failures, skipped, baremetal::arg("emulator", "unknown"),
                   baremetal::arg("cpu", "unknown"), BAREMETAL_COMPILER);
}
}  // namespace

void* alloc_page() { return baremetal::alloc_page(); }

void log(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  baremetal::vprint(fmt, ap);
  va_end(ap);
}

void check(const char* name, bool ok, const char* fmt, ...) {
  ++(ok ? passed : failed);
  baremetal::print("%s %s", ok ? "PASS" : "FAIL", name);
  if (!ok) {
    baremetal::print(" ");
    va_list ap;
    va_start(ap, fmt);
    baremetal::vprint(fmt, ap);
    va_end(ap);
  }
  baremetal::print("\n");
}

void skip(const char* name, const char* reason) {
  ++skipped;
  baremetal::print("SKIP %s %s\n", name, reason);
}

bool running_on(const char* emulator) {
  return baremetal::equals(baremetal::arg("emulator", ""), emulator);
}

// Whatever virtops does not own is a failure of the run.
void on_unhandled_exception(const baremetal::trap_frame& f) {
  baremetal::print("FAIL unexpected_exception vector=%lu rip=%#lx err=%#lx\n", f.vector, f.rip,
                   f.error_code);
  summary(1);
  baremetal::exit_emulator(false);
}

void program_main() {
  baremetal::init();
  baremetal::print("virtops ring-0 tests: emulator=%s cpu=%s compiler=%s\n",
                   baremetal::arg("emulator", "unknown"), baremetal::arg("cpu", "unknown"),
                   BAREMETAL_COMPILER);
  run_scaffold_checks();
  run_selftest_checks();
  run_msr_checks();
  const bool vmx =
      (cpu::cpuid(virtops::vmx::cpuid::feature_leaf).ecx & virtops::vmx::cpuid::vmx_bit) != 0;
  const bool svm = (cpu::cpuid(virtops::svm::cpuid::extended_features_leaf).ecx &
                    virtops::svm::cpuid::svm_bit) != 0;
  check("cpu_offers_vmx_or_svm", vmx || svm, "CPUID shows neither VMX nor SVM");
  if (vmx) run_vmx_checks();
  if (svm) run_svm_checks();
  summary(0);
  baremetal::exit_emulator(failed == 0 && passed > 0);
}
