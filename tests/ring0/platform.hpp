// Ring-0 test kernel: what the check modules get from the kernel.
#pragma once

#include <cstdint>

void* alloc_page();  // zeroed, 4 KiB aligned, identity mapped
// Prints "PASS name" or "FAIL name <detail>" (printf-style detail).
void check(const char* name, bool ok, const char* fmt = "", ...)
    __attribute__((format(printf, 3, 4)));
void log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Prints "SKIP name <reason>": a check this emulator cannot run, counted apart.
void skip(const char* name, const char* reason);
// The emulator named on the kernel command line ("qemu", "bochs").
bool running_on(const char* emulator);

// The check suites, in the order they run.
void run_scaffold_checks();  // the platform itself: descriptors, IDT round trips, CPUID
void run_selftest_checks();
void run_msr_checks();  // RDMSR, WRMSR, XSETBV: on every CPU
void run_vmx_checks();
void run_svm_checks();
