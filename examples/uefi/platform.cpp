// The examples' platform (baremetal.hpp) as a UEFI application: the
// firmware has set up paging (identity), the GDT and the IDT, and
// virtops/uefi.hpp routes the exceptions a wrapper raises through the
// firmware's EFI_CPU_ARCH_PROTOCOL. Console on port 0xE9 as on bare metal
// (QEMU -debugcon); the end through QEMU's isa-debug-exit. Not part of
// virtops.
#include <virtops/uefi.hpp>

#include "baremetal.hpp"

namespace baremetal {
namespace {

void outl(std::uint16_t port, std::uint32_t v) {
  asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

// UEFI maps memory 1:1: the image's own pages are physical pages.
alignas(4096) std::uint8_t page_pool[32][4096];
unsigned pages_used = 0;
virtops::uefi::system_table* system = nullptr;

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

// No command line here: the platform says what it is, and the CPU its brand
// string (CPUID 0x80000002-0x80000004).
const char* arg(const char* key, const char* fallback) {
  if (equals(key, "emulator")) return "UEFI";
  if (!equals(key, "cpu")) return fallback;
  static char brand[49];
  for (std::uint32_t leaf = 0; leaf < 3; ++leaf) {
    std::uint32_t r[4];
    asm volatile("cpuid"
                 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                 : "a"(0x80000002u + leaf), "c"(0));
    for (unsigned i = 0; i < 16; ++i)
      brand[leaf * 16 + i] = static_cast<char>(r[i / 4] >> (8 * (i % 4)));
  }
  const char* b = brand;
  while (*b == ' ') ++b;
  return *b ? b : fallback;
}

void init() {
  // The firmware's timer must not tick into the guest through the shared
  // IDT: interrupts stay off while the hypervisor runs.
  asm volatile("cli");
  const virtops::uefi::efi_status s = virtops::uefi::install(system);
  if (virtops::uefi::is_error(s)) {
    print("FAIL virtops::uefi::install: %#lx\n", static_cast<unsigned long>(s));
    exit_emulator(false);
  }
}

[[noreturn]] void exit_emulator(bool ok) {
  print("EXIT %s\n", ok ? "ok" : "fail");
  virtops::uefi::uninstall();
  outl(0xf4, ok ? 0 : 1);
  for (;;) asm volatile("cli; hlt");
}

}  // namespace baremetal

extern "C" virtops::uefi::efi_status VIRTOPS_DETAIL_EFIAPI
efi_main(void*, virtops::uefi::system_table* st) {
  baremetal::system = st;
  program_main();
}
