// The bare-metal platform: console, descriptor tables, the IDT handler that
// gives every vector to virtops first, page pool, command line, exit.
#include "baremetal.hpp"

#include <cstddef>
#include <virtops/virtops.hpp>

#include "cpu.hpp"

namespace baremetal {
namespace {

void outb(std::uint16_t port, std::uint8_t v) {
  asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
void outl(std::uint16_t port, std::uint32_t v) {
  asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

// 64-bit TSS (SDM Vol. 3A, 8.7): only there so that TR is not null.
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
idt_gate idt[256];

alignas(4096) std::uint8_t page_pool[128][4096];
unsigned pages_used = 0;

const char* cmdline = "";

}  // namespace

void* alloc_pages(unsigned count) {
  if (pages_used + count > sizeof page_pool / sizeof page_pool[0]) {
    print("FAIL page_pool exhausted\n");
    exit_emulator(false);
  }
  void* first = page_pool[pages_used];
  pages_used += count;
  return first;
}

bool equals(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

const char* arg(const char* key, const char* fallback) {
  static char values[4][48];
  static unsigned next = 0;
  for (const char* p = cmdline; *p; ++p) {
    if (p != cmdline && p[-1] != ' ') continue;
    const char* k = key;
    const char* q = p;
    while (*k && *q == *k) ++k, ++q;
    if (*k || *q != '=') continue;
    char* out = values[next++ % 4];
    unsigned n = 0;
    for (++q; *q && *q != ' ' && n + 1 < sizeof values[0]; ++q) out[n++] = *q;
    out[n] = 0;
    return out;
  }
  return fallback;
}

[[noreturn]] void exit_emulator(bool ok) {
  print("EXIT %s\n", ok ? "ok" : "fail");
  outl(0xf4, ok ? 0 : 1);
  for (const char* s = "Shutdown"; *s; ++s) outb(0x8900, static_cast<std::uint8_t>(*s));
  for (;;) asm volatile("cli; hlt");
}

}  // namespace baremetal

extern "C" std::uint64_t gdt_tss[2];
extern "C" const std::uint64_t exception_stubs[32];
extern "C" const std::uint64_t interrupt_stubs[256 - 32];

// No program event handler: every event virtops does not claim is unhandled.
[[gnu::weak]] bool on_event(baremetal::trap_frame&) { return false; }

void baremetal::init() {
  // TSS descriptor (type 9: available 64-bit TSS) at selector 0x18, then LTR.
  const auto base = reinterpret_cast<std::uint64_t>(&tss);
  const std::uint64_t limit = sizeof tss - 1;
  gdt_tss[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
               (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
  gdt_tss[1] = base >> 32;
  tss.iomap_base = sizeof tss;
  asm volatile("ltr %w0" : : "r"(0x18));
  for (unsigned v = 0; v < 256; ++v) {
    const std::uint64_t h = v < 32 ? exception_stubs[v] : interrupt_stubs[v - 32];
    idt[v] = {
        static_cast<std::uint16_t>(h),       0x08, 0, 0x8e, static_cast<std::uint16_t>(h >> 16),
        static_cast<std::uint32_t>(h >> 32), 0};
  }
  const cpu::table_register idtr{sizeof idt - 1, reinterpret_cast<std::uint64_t>(idt)};
  asm volatile("lidt %0" : : "m"(idtr));
  // Mask both 8259 PICs: the BIOS left them on vectors 8-15 and 0x70-0x77,
  // where a timer tick would look like a #DF. Interrupts come from the local
  // APIC only, and only when a program sends them.
  outb(0x21, 0xff);
  outb(0xa1, 0xff);
  // Sort once, before anything can fault (interrupts are off).
  virtops::extable::this_module().sort();
}

// Every vector goes to virtops first (the integration docs' IDT hook). It
// claims only a #UD, #GP, #PF or #SS that the instruction at a wrapper's
// site can raise; an NMI, a #DB, an interrupt or any other event, wherever
// it arrived, comes back untouched and goes on to the program.
extern "C" void ring0_trap(baremetal::trap_frame* f) {
  std::uintptr_t rip = f->rip;
  if (virtops::trap::handle(rip, static_cast<std::uint8_t>(f->vector),
                            static_cast<std::uint32_t>(f->error_code))) {
    f->rip = rip;
    return;
  }
  if (on_event(*f)) return;
  on_unhandled_exception(*f);
}

extern "C" [[noreturn]] void kernel_main(std::uint32_t magic, std::uint32_t info) {
  const auto* mb = reinterpret_cast<const std::uint32_t*>(std::uintptr_t{info});
  // Copied: the loader's memory below 1 MiB may be reused (the SMP
  // trampoline lives there).
  static char cmdline_copy[256];
  if (magic == 0x2BADB002 && (mb[0] & 4)) {
    const auto* from = reinterpret_cast<const char*>(std::uintptr_t{mb[4]});
    for (unsigned i = 0; i + 1 < sizeof cmdline_copy && from[i]; ++i) cmdline_copy[i] = from[i];
    baremetal::cmdline = cmdline_copy;
  }
  program_main();
}
