// Ring-0 SMP test kernel: check reporting under the console lock, start-up of
// every CPU, and the order the SMP checks run in (checks_smp.cpp). The
// single-CPU kernel (../kernel.cpp) and its checks are separate.
#include <cstdarg>
#include <virtops/virtops.hpp>

#include "baremetal.hpp"
#include "smp.hpp"
#include "smp_platform.hpp"

namespace smp = baremetal::smp;

namespace {
unsigned passed = 0, failed = 0, skipped = 0;

void summary(unsigned extra_failures) {
  smp::print("SUMMARY passed=%u failed=%u skipped=%u emulator=%s cpu=%s cpus=%s compiler=%s\n",
             passed, failed + extra_failures, skipped, baremetal::arg("emulator", "unknown"),
             baremetal::arg("cpu", "unknown"), baremetal::arg("cpus", "1"), BAREMETAL_COMPILER);
}

unsigned parse_unsigned(const char* s) {
  unsigned v = 0;
  for (; *s >= '0' && *s <= '9'; ++s) v = v * 10 + static_cast<unsigned>(*s - '0');
  return v;
}
}  // namespace

void log(const char* fmt, ...) {
  smp::console_guard hold;
  va_list ap;
  va_start(ap, fmt);
  baremetal::vprint(fmt, ap);
  va_end(ap);
}

void check(const char* name, bool ok, const char* fmt, ...) {
  smp::console_guard hold;
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
  smp::console_guard hold;
  ++skipped;
  baremetal::print("SKIP %s %s\n", name, reason);
}

bool running_on(const char* emulator) {
  return baremetal::equals(baremetal::arg("emulator", ""), emulator);
}

// Whatever virtops and the checks do not own fails the run, on any CPU.
void on_unhandled_exception(const baremetal::trap_frame& f) {
  smp::print("FAIL unexpected_exception cpu=%u vector=%lu rip=%#lx err=%#lx\n",
             smp::this_cpu_index(), f.vector, f.rip, f.error_code);
  summary(1);
  baremetal::exit_emulator(false);
}

void program_main() {
  baremetal::init();
  const unsigned expected = parse_unsigned(baremetal::arg("cpus", "1"));
  smp::print("virtops ring-0 SMP tests: emulator=%s cpu=%s cpus=%u compiler=%s\n",
             baremetal::arg("emulator", "unknown"), baremetal::arg("cpu", "unknown"), expected,
             BAREMETAL_COMPILER);
  const char* why = smp::init();
  check("smp.local_apic_usable", why == nullptr, "%s", why ? why : "");
  if (why != nullptr || expected < 2 || expected > smp::max_cpus) {
    if (expected < 2 || expected > smp::max_cpus)
      check("smp.cpus_on_command_line", false, "cpus=%u: 2 to %u", expected, smp::max_cpus);
    summary(0);
    baremetal::exit_emulator(false);
  }
  run_smp_checks(expected);
  summary(0);
  const bool ok = failed == 0 && passed > 0;
  smp::print("smp: %s\n", ok ? "all good" : "FAILED");  // the demos' last line
  baremetal::exit_emulator(ok);
}
