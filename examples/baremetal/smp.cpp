// Several CPUs on the bare-metal platform: see smp.hpp.
#include "smp.hpp"

#include <cstdarg>

#include "baremetal.hpp"
#include "cpu.hpp"

// The AP trampoline, copied to smp_trampoline_base (below 1 MiB, 4 KiB
// aligned: the SIPI vector is its page number). An AP starts there in real
// mode with CS = base >> 4, IP = 0, enters protected mode on the
// trampoline's own GDT, then long mode on the bootstrap processor's page
// tables (CR3 patched into the copy), and jumps to smp_ap_long_mode in the
// kernel image. The first 1 GiB is identity-mapped, so the copy's
// addresses are its physical ones.
asm(R"(
  .set tramp_base, 0x8000
  .globl smp_trampoline_base
  .set smp_trampoline_base, tramp_base
  .pushsection .text
  .code16
  .globl smp_trampoline_start, smp_trampoline_end, smp_trampoline_cr3
smp_trampoline_start:
  cli
  cld
  mov %cs, %ax
  mov %ax, %ds
  lgdtl tramp_gdtr - smp_trampoline_start
  mov %cr0, %eax
  or $1, %eax
  mov %eax, %cr0
  ljmpl $0x08, $(tramp_base + tramp_pm32 - smp_trampoline_start)
  .code32
tramp_pm32:
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov %cr4, %eax
  or $(1 << 5), %eax
  mov %eax, %cr4
  mov (tramp_base + smp_trampoline_cr3 - smp_trampoline_start), %eax
  mov %eax, %cr3
  mov $0xC0000080, %ecx
  rdmsr
  or $(1 << 8), %eax
  wrmsr
  mov %cr0, %eax
  or $0x80000021, %eax
  mov %eax, %cr0
  ljmp $0x18, $(tramp_base + tramp_lm64 - smp_trampoline_start)
  .code64
tramp_lm64:
  mov $smp_ap_long_mode, %eax
  jmp *%rax
  .balign 8
tramp_gdt:
  .quad 0
  .quad 0x00cf9a000000ffff
  .quad 0x00cf92000000ffff
  .quad 0x00af9a000000ffff
tramp_gdtr:
  .word 31
  .long tramp_base + tramp_gdt - smp_trampoline_start
smp_trampoline_cr3:
  .long 0
smp_trampoline_end:

  .globl smp_ap_long_mode
smp_ap_long_mode:
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %es
  mov %ax, %ss
  mov $1, %eax
  lock xadd %eax, smp_next_ticket(%rip)
  cmp $8, %eax
  jae 2f
  mov %eax, %edi
  mov smp_ap_stack_tops(, %rax, 8), %rsp
  test %rsp, %rsp
  jz 2f
  call smp_ap_start
2:
  cli
  hlt
  jmp 2b
  .popsection
)");

extern "C" {
extern char smp_trampoline_base[], smp_trampoline_start[], smp_trampoline_end[],
    smp_trampoline_cr3[];
extern std::uint64_t gdt[];
std::uint32_t smp_next_ticket = 1;  // APs take 1, 2, ...; the bootstrap processor is 0
std::uint64_t smp_ap_stack_tops[baremetal::smp::max_cpus];
[[noreturn]] void smp_ap_start(unsigned index);
}

namespace baremetal::smp {
namespace {

static_assert(max_cpus == 8, "smp_ap_long_mode parks tickets >= 8");

// The xAPIC (SDM Vol. 3A, 11.4 and 11.6): the platform maps 0xFEE00000.
constexpr std::uintptr_t apic_mapped = 0xFEE00000;
constexpr std::uint32_t ia32_apic_base = 0x1B;
namespace reg {
constexpr unsigned id = 0x20, tpr = 0x80, svr = 0xF0, icr_low = 0x300, icr_high = 0x310;
}
// ICR: delivery mode (bits 10:8) INIT 5, start-up 6, NMI 4; level assert
// (bit 14); shorthand (bits 19:18) 3 = all excluding self; delivery status
// (bit 12) = send pending.
constexpr std::uint32_t icr_init = 5u << 8, icr_startup = 6u << 8, icr_nmi = 4u << 8,
                        icr_assert = 1u << 14, icr_all_but_self = 3u << 18, icr_pending = 1u << 12;
constexpr unsigned long spin_limit = 20000000;

volatile std::uint32_t& apic(unsigned r) {
  return *reinterpret_cast<volatile std::uint32_t*>(apic_mapped + r);
}

struct [[gnu::packed]] tss64 {
  std::uint32_t reserved0;
  std::uint64_t rsp[3];
  std::uint64_t reserved1;
  std::uint64_t ist[7];
  std::uint64_t reserved2;
  std::uint16_t reserved3, iomap_base;
};

// An AP's own descriptors: the boot GDT's code and data descriptors and a
// TSS of its own at 0x18 (LTR marks a TSS busy: two CPUs cannot share one).
struct ap_descriptors {
  alignas(16) std::uint64_t gdt[5];
  tss64 tss;
};

cpu_area areas[max_cpus];
ap_descriptors ap_desc[max_cpus];
alignas(16) std::uint8_t ap_stacks[max_cpus][16384];
void (*ap_entry)(unsigned) = nullptr;
unsigned running = 1;
cpu::table_register shared_idt{};

// The console lock word: (owner index + 1) << 8 | depth. Only the owner
// changes it while it is held, and an NMI on the owner nests completely.
std::uint32_t console_word = 0;
unsigned barrier_count = 0, barrier_generation = 0;

void set_gs_base(cpu_area* a) { cpu::wrmsr(cpu::ia32_gs_base, reinterpret_cast<std::uint64_t>(a)); }

void enable_local_apic() {
  apic(reg::svr) = 0x100 | 0xff;  // software-enabled, spurious vector 0xFF
  apic(reg::tpr) = 0;
}

bool send_ipi(std::uint32_t destination_apic_id, std::uint32_t icr) {
  for (unsigned long i = 0; i < spin_limit && (apic(reg::icr_low) & icr_pending); ++i)
    asm volatile("pause");
  apic(reg::icr_high) = destination_apic_id << 24;
  apic(reg::icr_low) = icr;
  for (unsigned long i = 0; i < spin_limit; ++i)
    if ((apic(reg::icr_low) & icr_pending) == 0) return true;
  return false;
}

void delay(unsigned long spins) {
  for (unsigned long i = 0; i < spins; ++i) asm volatile("pause");
}

std::uint32_t apic_id() { return apic(reg::id) >> 24; }

}  // namespace

cpu_area& this_cpu() noexcept {
  // Before init() GS base is not ours yet: there is only the bootstrap processor.
  if (__atomic_load_n(&areas[0].self, __ATOMIC_ACQUIRE) == nullptr) return areas[0];
  cpu_area* a;
  asm volatile("mov %%gs:0, %0" : "=r"(a));
  return *a;
}

cpu_area& cpu(unsigned index) noexcept { return areas[index]; }

virtops::fault_info& fault_slot() noexcept { return this_cpu().fault_slot; }

unsigned cpus() noexcept { return __atomic_load_n(&running, __ATOMIC_ACQUIRE); }

const char* init() {
  if (!((cpu::cpuid(1).edx >> 9) & 1)) return "CPUID.1:EDX.APIC=0";
  const std::uint64_t base = cpu::rdmsr(ia32_apic_base);
  if (!((base >> 11) & 1)) return "the local APIC is disabled (IA32_APIC_BASE.EN=0)";
  if ((base >> 10) & 1) return "the local APIC is in x2APIC mode";
  if ((base & 0x000ffffffffff000ull) != apic_mapped)
    return "the local APIC is not at 0xFEE00000, the page the platform maps";
  areas[0].index = 0;
  areas[0].apic_id = apic_id();
  set_gs_base(&areas[0]);
  __atomic_store_n(&areas[0].self, &areas[0], __ATOMIC_RELEASE);
  enable_local_apic();
  shared_idt = cpu::sidt();
  return nullptr;
}

unsigned start_aps(unsigned expected, void (*ap_main)(unsigned)) {
  ap_entry = ap_main;
  for (unsigned i = 1; i < max_cpus; ++i)
    smp_ap_stack_tops[i] = reinterpret_cast<std::uint64_t>(ap_stacks[i] + sizeof ap_stacks[i]);
  // The trampoline's copy, with this CPU's page tables (below 4 GiB: boot.S's).
  auto* to = reinterpret_cast<volatile char*>(smp_trampoline_base);
  const auto n = static_cast<unsigned long>(smp_trampoline_end - smp_trampoline_start);
  for (unsigned long i = 0; i < n; ++i) to[i] = smp_trampoline_start[i];
  *reinterpret_cast<volatile std::uint32_t*>(to + (smp_trampoline_cr3 - smp_trampoline_start)) =
      static_cast<std::uint32_t>(cpu::read_cr3());
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  const auto vector =
      static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(smp_trampoline_base) >> 12);
  // INIT, then two start-up IPIs (SDM Vol. 3A, 9.4.4.1); the emulators need
  // no real 10 ms / 200 us, only the order.
  send_ipi(0, icr_init | icr_assert | icr_all_but_self);
  delay(100000);
  for (int k = 0; k < 2; ++k) {
    send_ipi(0, icr_startup | icr_assert | icr_all_but_self | vector);
    delay(20000);
  }
  for (unsigned long i = 0; i < spin_limit && cpus() < expected; ++i) asm volatile("pause");
  // Any AP beyond `expected` would be counted too: give it a moment.
  delay(100000);
  return cpus();
}

bool send_nmi_to_others() noexcept { return send_ipi(0, icr_nmi | icr_assert | icr_all_but_self); }
bool send_nmi_to(unsigned index) noexcept {
  return send_ipi(areas[index].apic_id, icr_nmi | icr_assert);
}
// The "self" shorthand is for fixed IPIs only: name this APIC's ID.
bool send_nmi_to_self() noexcept { return send_ipi(this_cpu().apic_id, icr_nmi | icr_assert); }

void unblock_nmis() noexcept {
  asm volatile(
      "mov %%ss, %%eax\n\t"
      "push %%rax\n\t"
      "push %%rsp\n\t"
      "addq $8, (%%rsp)\n\t"
      "pushfq\n\t"
      "mov %%cs, %%eax\n\t"
      "push %%rax\n\t"
      "lea 1f(%%rip), %%rax\n\t"
      "push %%rax\n\t"
      "iretq\n"
      "1:"
      :
      :
      : "rax", "memory", "cc");
}

void console_lock() noexcept {
  const std::uint32_t me = (this_cpu().index + 1) << 8;
  for (;;) {
    std::uint32_t v = __atomic_load_n(&console_word, __ATOMIC_ACQUIRE);
    if ((v & ~0xffu) == me) {
      __atomic_store_n(&console_word, v + 1, __ATOMIC_RELAXED);
      return;
    }
    if (v == 0 && __atomic_compare_exchange_n(&console_word, &v, me | 1, false, __ATOMIC_ACQUIRE,
                                              __ATOMIC_RELAXED))
      return;
    asm volatile("pause");
  }
}

void console_unlock() noexcept {
  const std::uint32_t v = __atomic_load_n(&console_word, __ATOMIC_RELAXED);
  __atomic_store_n(&console_word, (v & 0xff) == 1 ? 0 : v - 1, __ATOMIC_RELEASE);
}

void print(const char* fmt, ...) {
  console_guard hold;
  va_list ap;
  va_start(ap, fmt);
  baremetal::vprint(fmt, ap);
  va_end(ap);
}

void barrier() noexcept {
  const unsigned generation = __atomic_load_n(&barrier_generation, __ATOMIC_ACQUIRE);
  if (__atomic_add_fetch(&barrier_count, 1, __ATOMIC_ACQ_REL) == cpus()) {
    __atomic_store_n(&barrier_count, 0, __ATOMIC_RELAXED);
    __atomic_add_fetch(&barrier_generation, 1, __ATOMIC_RELEASE);
    return;
  }
  while (__atomic_load_n(&barrier_generation, __ATOMIC_ACQUIRE) == generation)
    asm volatile("pause");
}

}  // namespace baremetal::smp

// An AP, in long mode on the trampoline's GDT, on its own stack.
extern "C" void smp_ap_start(unsigned index) {
  using namespace baremetal::smp;
  ap_descriptors& d = ap_desc[index];
  for (unsigned i = 0; i < 3; ++i) d.gdt[i] = gdt[i];
  const auto base = reinterpret_cast<std::uint64_t>(&d.tss);
  const std::uint64_t limit = sizeof d.tss - 1;
  d.gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
  d.gdt[4] = base >> 32;
  d.tss.iomap_base = sizeof d.tss;
  const cpu::table_register gdtr{sizeof d.gdt - 1, reinterpret_cast<std::uint64_t>(d.gdt)};
  asm volatile(
      "lgdt %0\n\t"
      "pushq $0x08\n\t"
      "lea 1f(%%rip), %%rax\n\t"
      "push %%rax\n\t"
      "lretq\n"
      "1:\n\t"
      "mov $0x10, %%eax\n\t"
      "mov %%eax, %%ds\n\t"
      "mov %%eax, %%es\n\t"
      "mov %%eax, %%ss\n\t"
      "mov %%eax, %%fs\n\t"
      "mov %%eax, %%gs\n\t"
      "ltr %w1"
      :
      : "m"(gdtr), "r"(0x18)
      : "rax", "memory");
  asm volatile("lidt %0" : : "m"(shared_idt));
  cpu_area& a = areas[index];
  a.self = &a;
  a.index = index;
  a.apic_id = apic_id();
  set_gs_base(&a);
  enable_local_apic();
  __atomic_add_fetch(&running, 1, __ATOMIC_ACQ_REL);
  ap_entry(index);
  for (;;) asm volatile("cli; hlt");
}
