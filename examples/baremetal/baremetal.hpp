// A minimal x86-64 bare-metal platform for multiboot emulators: what the
// ring-0 test kernel and the minivisor example share. Not part of virtops.
#pragma once

#include <cstdarg>
#include <cstdint>

namespace baremetal {

// Console on port 0xE9 (QEMU -debugcon, Bochs port_e9_hack).
// Formats: %s %c %d %u %x with l, ll and # modifiers.
void print(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void vprint(const char* fmt, va_list ap);

// Loads the TSS (non-zero TR, needed by VMX) and the IDT (all 256 vectors),
// masks the 8259 PICs, and sorts the virtops exception table: call first.
// Memory: the first 1 GiB identity-mapped, and the local APIC's page at
// 0xFEE00000 (uncached).
void init();

// Zeroed, 4 KiB-aligned, identity-mapped, physically contiguous pages from a
// static pool.
void* alloc_pages(unsigned count);
inline void* alloc_page() { return alloc_pages(1); }

// `key=value` from the multiboot command line, or `fallback`.
const char* arg(const char* key, const char* fallback);
bool equals(const char* a, const char* b);

// Ends the emulator run: QEMU isa-debug-exit (status (code << 1) | 1), Bochs shutdown port.
[[noreturn]] void exit_emulator(bool ok);

struct trap_frame {
  std::uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
  std::uint64_t vector, error_code, rip, cs, rflags, rsp, ss;
};

}  // namespace baremetal

// Optionally defined by the program: called for an exception or interrupt
// virtops did not claim. True if handled: the stub then returns (IRETQ) to
// the frame's rip, rflags and rsp with its GPRs, which the handler may
// change. The default handles nothing.
bool on_event(baremetal::trap_frame& f);
// Defined by the program: called for an event neither virtops nor
// on_event() handled.
[[noreturn]] void on_unhandled_exception(const baremetal::trap_frame& f);
// Defined by the program: its entry point, after init() has not yet run.
[[noreturn]] void program_main();
