// Ring-0 test kernel: console, descriptor tables, the trap handler that
// hands faults to virtops, check reporting, and exit to the emulator.
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <virtops/virtops.hpp>

#include "cpu.hpp"
#include "platform.hpp"

namespace {

void outb(std::uint16_t port, std::uint8_t v) {
  asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
void outl(std::uint16_t port, std::uint32_t v) {
  asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

// Port 0xE9: QEMU's debugcon and Bochs' port_e9_hack both print it.
void putc(char c) { outb(0xe9, static_cast<std::uint8_t>(c)); }
void puts(const char* s) {
  while (*s) putc(*s++);
}

void put_unsigned(unsigned long v, unsigned base, bool alt) {
  char buf[24];
  int n = 0;
  if (alt && base == 16) puts("0x");
  do {
    const unsigned d = static_cast<unsigned>(v % base);
    buf[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
    v /= base;
  } while (v);
  while (n) putc(buf[--n]);
}

// %s %c %d %u %x %lu %ld %lx and '#' for 0x: all the checks use.
void vprint(const char* fmt, va_list ap) {
  for (; *fmt; ++fmt) {
    if (*fmt != '%') {
      putc(*fmt);
      continue;
    }
    bool alt = false, is_long = false;
    ++fmt;
    if (*fmt == '#') alt = true, ++fmt;
    if (*fmt == 'l') is_long = true, ++fmt;
    switch (*fmt) {
      case 's': puts(va_arg(ap, const char*)); break;
      case 'c': putc(static_cast<char>(va_arg(ap, int))); break;
      case 'd': {
        const long v = is_long ? va_arg(ap, long) : va_arg(ap, int);
        if (v < 0) putc('-');
        put_unsigned(static_cast<unsigned long>(v < 0 ? -v : v), 10, false);
        break;
      }
      case 'u':
        put_unsigned(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, false);
        break;
      case 'x':
        put_unsigned(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, alt);
        break;
      case '%': putc('%'); break;
      default: putc('?'); break;
    }
  }
}

void print(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void print(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprint(fmt, ap);
  va_end(ap);
}

unsigned passed = 0, failed = 0, skipped = 0;
char emulator[16] = "unknown", cpu_model[48] = "unknown";

[[noreturn]] void exit_emulator(bool ok) {
  outl(0xf4, ok ? 0 : 1);  // QEMU isa-debug-exit: status (v << 1) | 1
  for (const char* s = "Shutdown"; *s; ++s) outb(0x8900, static_cast<std::uint8_t>(*s));  // Bochs
  for (;;) asm volatile("cli; hlt");
}

// 64-bit TSS (SDM Vol. 3A, 8.7); only needed for a non-zero TR.
struct [[gnu::packed]] tss64 {
  std::uint32_t reserved0;
  std::uint64_t rsp[3];
  std::uint64_t reserved1;
  std::uint64_t ist[7];
  std::uint64_t reserved2;
  std::uint16_t reserved3, iomap_base;
};
tss64 tss{};

struct [[gnu::packed]] idt_gate {
  std::uint16_t offset_low, selector;
  std::uint8_t ist, type;
  std::uint16_t offset_mid;
  std::uint32_t offset_high, reserved;
};
idt_gate idt[32];

alignas(4096) std::uint8_t page_pool[96][4096];
unsigned pages_used = 0;

// name=value from the multiboot command line.
void copy_arg(const char* cmdline, const char* key, char* out, unsigned size) {
  for (const char* p = cmdline; *p; ++p) {
    const char* k = key;
    const char* q = p;
    while (*k && *q == *k) ++k, ++q;
    if (*k || *q != '=' || (p != cmdline && p[-1] != ' ')) continue;
    unsigned n = 0;
    for (++q; *q && *q != ' ' && n + 1 < size; ++q) out[n++] = *q;
    out[n] = 0;
    return;
  }
}

}  // namespace

extern "C" std::uint64_t gdt_tss[2];
extern "C" const std::uint64_t exception_stubs[32];

void* alloc_page() {
  if (pages_used == sizeof page_pool / sizeof page_pool[0]) {
    print("FAIL page_pool exhausted\n");
    exit_emulator(false);
  }
  return page_pool[pages_used++];
}

void log(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprint(fmt, ap);
  va_end(ap);
}

void check(const char* name, bool ok, const char* fmt, ...) {
  ++(ok ? passed : failed);
  print("%s %s", ok ? "PASS" : "FAIL", name);
  if (!ok) {
    putc(' ');
    va_list ap;
    va_start(ap, fmt);
    vprint(fmt, ap);
    va_end(ap);
  }
  putc('\n');
}

void skip(const char* name, const char* reason) {
  ++skipped;
  print("SKIP %s %s\n", name, reason);
}

bool running_on(const char* name) {
  const char* a = emulator;
  while (*a && *a == *name) ++a, ++name;
  return *a == 0 && *name == 0;
}

struct trap_frame {
  std::uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
  std::uint64_t vector, error_code, rip, cs, rflags, rsp, ss;
};

// Every exception goes to virtops first; what it does not own is a failure.
extern "C" void ring0_trap(trap_frame* f) {
  std::uintptr_t rip = f->rip;
  if (virtops::trap::handle(rip, static_cast<std::uint8_t>(f->vector),
                            static_cast<std::uint32_t>(f->error_code))) {
    f->rip = rip;
    return;
  }
  print("FAIL unexpected_exception vector=%lu rip=%#lx err=%#lx\n", f->vector, f->rip,
        f->error_code);
  print("SUMMARY passed=%u failed=%u skipped=%u emulator=%s cpu=%s compiler=%s\n", passed,
        failed + 1, skipped, emulator, cpu_model, RING0_COMPILER);
  exit_emulator(false);
}

extern "C" [[noreturn]] void kernel_main(std::uint32_t magic, std::uint32_t info) {
  if (magic == 0x2BADB002 && (*reinterpret_cast<const std::uint32_t*>(std::uintptr_t{info}) & 4)) {
    const auto* cmdline = reinterpret_cast<const char*>(
        std::uintptr_t{reinterpret_cast<const std::uint32_t*>(std::uintptr_t{info})[4]});
    copy_arg(cmdline, "emulator", emulator, sizeof emulator);
    copy_arg(cmdline, "cpu", cpu_model, sizeof cpu_model);
  }
  print("virtops ring-0 tests: emulator=%s cpu=%s compiler=%s\n", emulator, cpu_model,
        RING0_COMPILER);

  // TSS descriptor (type 9: available 64-bit TSS), then LTR.
  const auto base = reinterpret_cast<std::uint64_t>(&tss);
  const std::uint64_t limit = sizeof tss - 1;
  gdt_tss[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
               (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
  gdt_tss[1] = base >> 32;
  tss.iomap_base = sizeof tss;
  asm volatile("ltr %w0" : : "r"(0x18));

  for (unsigned v = 0; v < 32; ++v) {
    const std::uint64_t h = exception_stubs[v];
    idt[v] = {
        static_cast<std::uint16_t>(h),       0x08, 0, 0x8e, static_cast<std::uint16_t>(h >> 16),
        static_cast<std::uint32_t>(h >> 32), 0};
  }
  const cpu::table_register idtr{sizeof idt - 1, reinterpret_cast<std::uint64_t>(idt)};
  asm volatile("lidt %0" : : "m"(idtr));

  virtops::extable::this_module().sort();
  run_selftest_checks();
  const bool vmx = (cpu::cpuid(1).ecx >> 5) & 1;
  const bool svm = (cpu::cpuid(0x80000001).ecx >> 2) & 1;
  check("cpu_offers_vmx_or_svm", vmx || svm, "CPUID shows neither VMX nor SVM");
  if (vmx) run_vmx_checks();
  if (svm) run_svm_checks();
  print("SUMMARY passed=%u failed=%u skipped=%u emulator=%s cpu=%s compiler=%s\n", passed, failed,
        skipped, emulator, cpu_model, RING0_COMPILER);
  exit_emulator(failed == 0 && passed > 0);
}
