// Ring-0 SMP test kernel: what the checks get from the kernel (every
// function may be called from any CPU; lines never interleave).
#pragma once

// Prints "PASS name" or "FAIL name <detail>" (printf-style detail).
void check(const char* name, bool ok, const char* fmt = "", ...)
    __attribute__((format(printf, 3, 4)));
void log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void skip(const char* name, const char* reason);
bool running_on(const char* emulator);

// The SMP checks, on `cpus` CPUs (the command line's cpus=N), from the
// bootstrap processor.
void run_smp_checks(unsigned cpus);
