// The UEFI adapter (virtops/uefi.hpp) in a UEFI application under OVMF: each
// wrapper here runs with the adapter installed and must come back as a bare
// probe of its instruction saw it, under a plain handler registered with the
// same EFI_CPU_ARCH_PROTOCOL (the oracle): the fault's vector and error code
// under policy::report, success under policy::ignore, one call of a custom
// policy; success where the CPU raised nothing. First with EFER.SVME and
// CR4.OSXSAVE clear (the SVM instructions and XSETBV raise #UD), then set
// (the SVM instructions run, XSETBV of a bad XCR raises #GP(0)). Last, a fault away
// from any site, which the adapter must leave to the firmware: uefi_run.sh
// checks that OVMF reports it at the address printed here. Output goes to
// the debug console (port 0xE9).
#include <cstdint>
#include <virtops/uefi.hpp>
#include <virtops/virtops.hpp>

#include "wrapper_cases.hpp"

namespace {

using virtops::errc;
using virtops::insn;
using virtops::status;
namespace uefi = virtops::uefi;

void put(char c) { asm volatile("outb %0, %1" : : "a"(c), "Nd"(std::uint16_t{0xe9})); }
void put(const char* s) {
  while (*s != 0) put(*s++);
}
void put_hex(std::uint64_t v) {
  put("0x");
  for (int shift = 60; shift >= 0; shift -= 4) put("0123456789abcdef"[(v >> shift) & 0xf]);
}

unsigned failures = 0;
void check(bool ok, const char* what, const char* name) {
  put(ok ? "ok " : "FAIL ");
  put(name);
  put(": ");
  put(what);
  put("\n");
  if (!ok) ++failures;
}

// The oracle: its own handler, registered for the same vectors, records the
// exception and resumes after the bare instruction.
struct seen {
  bool faulted;
  std::uint8_t vector;
  std::uint32_t error_code;
};
// A page for the memory operands and for VMRUN/VMLOAD/VMSAVE (UEFI maps
// memory 1:1, so its address is physical): zeroed, so a VMRUN of it ends in
// VMEXIT_INVALID, not in a guest.
alignas(4096) std::uint8_t page[4096];
std::uint64_t page_pa() { return reinterpret_cast<std::uintptr_t>(&page); }
virtops::gprs guest_regs{};
virtops::hypercall_regs hypercall{};
volatile bool probe_armed = false;
std::uintptr_t probe_resume = 0;
seen probe_seen{};

void VIRTOPS_DETAIL_EFIAPI probe_handler(std::int64_t type, uefi::system_context_x64* c) {
  const bool code = type == 12 || type == 13 || type == 14;
  probe_seen = {true, static_cast<std::uint8_t>(type),
                code ? static_cast<std::uint32_t>(c->exception_data) : 0u};
  if (!probe_armed) {  // not the probe's: nothing sane to resume
    put("FAIL oracle: exception outside a probe\n");
    for (;;) asm volatile("hlt");
  }
  probe_armed = false;
  c->rip = probe_resume;
}

// Runs `text` bare with RAX = the page's address and ECX = `ecx`; the label
// after it is where the probe resumes.
#define PROBE(text, ecx)                                                        \
  [] {                                                                          \
    std::uintptr_t a = reinterpret_cast<std::uintptr_t>(&page);                 \
    std::uint32_t c = ecx;                                                      \
    probe_seen = {};                                                            \
    probe_armed = true;                                                         \
    asm volatile("lea 9f(%%rip), %%r11\n\tmov %%r11, %[resume]\n\t" text "\n9:" \
                 : [resume] "=m"(probe_resume), "+a"(a), "+c"(c)                \
                 :                                                              \
                 : "r11", "rdx", "memory");                                     \
    probe_armed = false;                                                        \
    return probe_seen;                                                          \
  }

struct counting {
  static inline unsigned calls = 0;
  static inline virtops::fault_info last{};
  static virtops::fault_action on_fault(const virtops::fault_info& f) noexcept {
    ++calls;
    last = f;
    return virtops::fault_action::report;
  }
};

template <class R>
status as_status(const R& r) {
  if constexpr (requires { r.ok(); })
    return r;
  else
    return r ? status{} : r.error();
}

#define CALLS(expr)                                                                         \
  [] {                                                                                      \
    return as_status(                                                                       \
        []<class P>() { return expr; }.template operator()<virtops::policy::report>());     \
  },                                                                                        \
      [] {                                                                                  \
        return as_status(                                                                   \
            []<class P>() { return expr; }.template operator()<virtops::policy::ignore>()); \
      },                                                                                    \
      [] { return as_status([]<class P>() { return expr; }.template operator()<counting>()); }

// Nonexistent MSR and XCR indices: #GP on hardware (QEMU's TCG returns 0 for
// an unknown MSR: the oracle says which).
constexpr std::uint32_t bad_msr = 0x40001234u, bad_xcr = 0x1234u;

// VMRUN's host save area (VM_HSAVE_PA).
alignas(4096) std::uint8_t host_save[4096];

struct wrapper {
  const char* name;
  insn id;
  seen (*bare)();
  status (*report)();
  status (*ignore)();
  status (*counting)();
};

#define WRAPPER(name, id, text, ecx, call) {#name, insn::id, PROBE(text, ecx), CALLS(call)},
const wrapper wrappers[] = {VIRTOPS_TEST_WRAPPERS(WRAPPER)};
constexpr unsigned count = sizeof wrappers / sizeof wrappers[0];

void check_wrapper(const wrapper& w, const seen& bare) {
  put("   oracle ");
  put(w.name);
  put(bare.faulted ? ": vector " : ": no fault");
  if (bare.faulted) {
    put_hex(bare.vector);
    put(", error code ");
    put_hex(bare.error_code);
  }
  put("\n");
  const status r = w.report();
  if (!bare.faulted) {
    check(r.ok() && w.ignore().ok() && w.counting().ok(), "no fault: success under every policy",
          w.name);
    return;
  }
  const virtops::fault_info f = r.fault();
  check(r.code() == errc::fault && f.instruction == w.id, "policy::report returns the fault",
        w.name);
  check(f.vector == bare.vector && f.error_code == bare.error_code,
        "with the vector and error code the oracle saw", w.name);
  check(virtops::extable::find(f.rip) != nullptr, "at a site", w.name);
  check(w.ignore().ok(), "policy::ignore resumes: success", w.name);
  counting::calls = 0;
  const status c = w.counting();
  check(counting::calls == 1 && counting::last == c.fault() && c.fault().vector == bare.vector,
        "a custom policy sees the fault once, and its record is returned", w.name);
}

void phase(uefi::cpu_arch_protocol* cpu, const char* title) {
  put("== ");
  put(title);
  put("\n");
  seen bare[count];
  for (std::uint8_t v : uefi::handled_vectors)
    check(cpu->register_interrupt_handler(cpu, v, &probe_handler) == uefi::success,
          "probe handler registered", "oracle");
  for (unsigned i = 0; i < count; ++i) bare[i] = wrappers[i].bare();
  for (std::uint8_t v : uefi::handled_vectors)
    (void)cpu->register_interrupt_handler(cpu, v, nullptr);

  check(uefi::install(cpu) == uefi::success, "handlers registered", "install");
  for (unsigned i = 0; i < count; ++i) check_wrapper(wrappers[i], bare[i]);
  uefi::uninstall();
}

}  // namespace

extern "C" char uefi_traps_foreign_ud;  // the ud2 at the end of efi_main

extern "C" uefi::efi_status VIRTOPS_DETAIL_EFIAPI efi_main(void*, uefi::system_table* st) {
  put("virtops uefi_traps\n");
  void* found = nullptr;
  if (st == nullptr ||
      st->boot->locate_protocol(&uefi::cpu_arch_protocol_guid, nullptr, &found) != uefi::success ||
      found == nullptr) {
    put("FAIL no EFI_CPU_ARCH_PROTOCOL\n");
    return uefi::not_found;
  }
  auto* cpu = static_cast<uefi::cpu_arch_protocol*>(found);
  check(uefi::install(static_cast<uefi::system_table*>(nullptr)) == uefi::invalid_parameter,
        "a null system table is refused", "install");
  check(uefi::install(st) == uefi::success, "through LocateProtocol", "install");
  uefi::uninstall();

  phase(cpu, "EFER.SVME clear");
  // EFER (0xC0000080) bit 12: SVME.
  constexpr std::uint32_t efer = 0xc0000080u;
  check(uefi::install(cpu) == uefi::success, "handlers registered", "install");
  const std::uint64_t before = virtops::msr::read(efer).value_or(0);
  check(virtops::msr::write(efer, before | (std::uint64_t{1} << 12)).ok(), "EFER.SVME set",
        "wrmsr");
  check(virtops::msr::write(virtops::vmcb::msr::vm_hsave_pa,
                            reinterpret_cast<std::uintptr_t>(&host_save))
            .ok(),
        "VM_HSAVE_PA set", "wrmsr");
  uefi::uninstall();
  // CR4.OSXSAVE (bit 18), where CPUID.1:ECX.XSAVE (bit 26) allows it: then
  // XSETBV of a nonexistent XCR raises #GP(0) instead of #UD.
  std::uint32_t eax = 1, ebx, ecx = 0, edx;
  asm volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
  std::uint64_t cr4;
  asm volatile("mov %%cr4, %0" : "=r"(cr4));
  if ((ecx & (1u << 26)) != 0) asm volatile("mov %0, %%cr4" : : "r"(cr4 | (1u << 18)));
  phase(cpu, "EFER.SVME and CR4.OSXSAVE set");
  // A VMRUN's #VMEXIT leaves GIF clear: set it again (STGI, SVME still on).
  asm volatile("stgi");
  asm volatile("mov %0, %%cr4" : : "r"(cr4));

  put("== not ours\n");
  check(uefi::install(cpu) == uefi::success, "handlers registered", "install");
  (void)virtops::msr::write(efer, before);
  put_hex(failures);
  put(" failures\n");
  // A #UD away from every site: the adapter steps aside and the firmware
  // reports it (uefi_run.sh reads its report for this address).
  put("not ours: ud2 at ");
  put_hex(reinterpret_cast<std::uintptr_t>(&uefi_traps_foreign_ud));
  put("\n");
  asm volatile(".globl uefi_traps_foreign_ud\nuefi_traps_foreign_ud: ud2");
  put("FAIL the foreign #UD came back\n");
  return uefi::success;
}
