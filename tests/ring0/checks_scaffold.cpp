// Ring-0 test kernel: the platform proves itself before any VMX/SVM check
// trusts it. Long mode, GDT/TSS and the 1 GiB identity map are as boot.S set
// them up; raw #UD, #GP and #PF travel IDT stub -> ring0_trap ->
// virtops::trap::handle -> rewritten RIP -> IRETQ with the right vector, error
// code and RIP, and come back with every GPR and RSP intact; CPUID shows the
// virtualization extension the command line's CPU model is known to have.
#include <virtops/virtops.hpp>
#include <virtops/vocabulary.hpp>

#include "baremetal.hpp"
#include "cpu.hpp"
#include "platform.hpp"

// Probes: each runs one faulting instruction at `<probe>_site` and returns 1
// from `<probe>_fixup` if the fault came back through the IDT, 0 if the
// instruction did not fault. Their sites go into a table of their own (not
// this_module(), whose entries must all be VMX/SVM opcodes), registered with
// virtops like a kernel module's; id 0xff is no virtops::insn, which the
// vector rule lets fault with #UD, #GP, #PF or #SS (what the probes raise).
asm(R"(
  .pushsection .text
  /* In no table: an exception nobody owns (unexpected_exception.sh). */
  .globl ring0_unowned_ud2, ring0_unowned_ud2_site
ring0_unowned_ud2:
ring0_unowned_ud2_site:
  ud2
  ret

  .globl ring0_probe_ud2, ring0_probe_ud2_site
ring0_probe_ud2:
ring0_probe_ud2_site:
  ud2
  xor %eax, %eax
  ret
ring0_probe_ud2_fixup:
  mov $1, %eax
  ret

  /* ring0_probe_load_ds(selector): MOV to DS of a selector beyond the GDT limit. */
  .globl ring0_probe_load_ds, ring0_probe_load_ds_site
ring0_probe_load_ds:
  mov %ds, %ecx
ring0_probe_load_ds_site:
  mov %edi, %ds
  mov %ecx, %ds
  xor %eax, %eax
  ret
ring0_probe_load_ds_fixup:
  mov $1, %eax
  ret

  /* ring0_probe_load(address): a 64-bit load (non-canonical: #GP, unmapped: #PF). */
  .globl ring0_probe_load, ring0_probe_load_site
ring0_probe_load:
ring0_probe_load_site:
  mov (%rdi), %rax
  xor %eax, %eax
  ret
ring0_probe_load_fixup:
  mov $1, %eax
  ret

  /* ring0_probe_gprs(): fills every GPR with ring0_gpr_pattern(i), UD2s, and
   * stores what the registers hold after the round trip (and RSP before and
   * after) to ring0_gprs_after[] without touching a register. */
  .globl ring0_probe_gprs, ring0_probe_gprs_site
ring0_probe_gprs:
  push %rbx
  push %rbp
  push %r12
  push %r13
  push %r14
  push %r15
  mov %rsp, ring0_rsp_before(%rip)
  movabs $0xfeed000100000001, %rax
  movabs $0xfeed000200000002, %rbx
  movabs $0xfeed000300000003, %rcx
  movabs $0xfeed000400000004, %rdx
  movabs $0xfeed000500000005, %rsi
  movabs $0xfeed000600000006, %rdi
  movabs $0xfeed000700000007, %rbp
  movabs $0xfeed000800000008, %r8
  movabs $0xfeed000900000009, %r9
  movabs $0xfeed000a0000000a, %r10
  movabs $0xfeed000b0000000b, %r11
  movabs $0xfeed000c0000000c, %r12
  movabs $0xfeed000d0000000d, %r13
  movabs $0xfeed000e0000000e, %r14
  movabs $0xfeed000f0000000f, %r15
ring0_probe_gprs_site:
  ud2
ring0_probe_gprs_fixup:
  mov %rax, ring0_gprs_after+0(%rip)
  mov %rbx, ring0_gprs_after+8(%rip)
  mov %rcx, ring0_gprs_after+16(%rip)
  mov %rdx, ring0_gprs_after+24(%rip)
  mov %rsi, ring0_gprs_after+32(%rip)
  mov %rdi, ring0_gprs_after+40(%rip)
  mov %rbp, ring0_gprs_after+48(%rip)
  mov %r8, ring0_gprs_after+56(%rip)
  mov %r9, ring0_gprs_after+64(%rip)
  mov %r10, ring0_gprs_after+72(%rip)
  mov %r11, ring0_gprs_after+80(%rip)
  mov %r12, ring0_gprs_after+88(%rip)
  mov %r13, ring0_gprs_after+96(%rip)
  mov %r14, ring0_gprs_after+104(%rip)
  mov %r15, ring0_gprs_after+112(%rip)
  mov %rsp, ring0_rsp_after(%rip)
  pop %r15
  pop %r14
  pop %r13
  pop %r12
  pop %rbp
  pop %rbx
  ret
  .popsection

  .pushsection .bss
  .balign 8
  .globl ring0_gprs_after, ring0_rsp_before, ring0_rsp_after
ring0_gprs_after: .skip 15 * 8
ring0_rsp_before: .skip 8
ring0_rsp_after: .skip 8
  .popsection

  /* Writable: a table may be sorted in place. */
  .pushsection .data
  .balign 4
  .globl ring0_probe_table_begin, ring0_probe_table_end
ring0_probe_table_begin:
  .irp probe, ud2, load_ds, load, gprs
  .long ring0_probe_\probe\()_site - .
  .long ring0_probe_\probe\()_fixup - .
  .long 0xff
  .endr
ring0_probe_table_end:
  .popsection
)");

extern "C" {
void ring0_unowned_ud2();
int ring0_probe_ud2();
int ring0_probe_load_ds(std::uint32_t selector);
int ring0_probe_load(std::uintptr_t address);
void ring0_probe_gprs();
extern const char ring0_unowned_ud2_site[], ring0_probe_ud2_site[], ring0_probe_load_ds_site[],
    ring0_probe_load_site[], ring0_probe_gprs_site[];
extern virtops::extable::entry ring0_probe_table_begin[], ring0_probe_table_end[];
extern std::uint64_t ring0_gprs_after[15], ring0_rsp_before, ring0_rsp_after;
}

namespace {

constexpr std::uint16_t code_selector = 0x08, data_selector = 0x10, tss_selector = 0x18;

virtops::extable::table probe_table{ring0_probe_table_begin, ring0_probe_table_end};

// The probes' faults are recorded here, not in the slot the wrappers use.
virtops::fault_info probe_fault{};
virtops::fault_info& probe_slot() noexcept { return probe_fault; }

std::uintptr_t addr(const char* site) { return reinterpret_cast<std::uintptr_t>(site); }

std::uint64_t read_cr2() {
  std::uint64_t v;
  asm volatile("mov %%cr2, %0" : "=r"(v));
  return v;
}

// A fault at `site` with `vector` and `error_code` came back through the IDT.
void check_trap(const char* name, int faulted, const char* site, std::uint8_t vector,
                std::uint32_t error_code) {
  const virtops::fault_info& f = probe_fault;
  check(name,
        faulted == 1 && f.vector == vector && f.error_code == error_code && f.rip == addr(site),
        "faulted=%d vector=%u err=%#x rip=%#lx (want vector=%u err=%#x rip=%#lx)", faulted,
        unsigned{f.vector}, f.error_code, static_cast<unsigned long>(f.rip), unsigned{vector},
        error_code, static_cast<unsigned long>(addr(site)));
  probe_fault = {};
}

void check_long_mode_and_descriptors() {
  const std::uint64_t efer = cpu::rdmsr(cpu::ia32_efer), cr0 = cpu::read_cr0(),
                      cr4 = cpu::read_cr4();
  check("scaffold.long_mode",
        (efer >> 10 & 1) && (cr0 & 0x80000021) == 0x80000021 && (cr4 >> 5 & 1),
        "efer=%#lx cr0=%#lx cr4=%#lx (want EFER.LMA, CR0.PG|NE|PE, CR4.PAE)",
        static_cast<unsigned long>(efer), static_cast<unsigned long>(cr0),
        static_cast<unsigned long>(cr4));
  const std::uint16_t cs = cpu::read_cs(), ss = cpu::read_ss(), ds = cpu::read_ds(),
                      tr = cpu::str();
  check("scaffold.gdt_selectors",
        cs == code_selector && ss == data_selector && ds == data_selector && tr == tss_selector,
        "cs=%#x ss=%#x ds=%#x tr=%#x", unsigned{cs}, unsigned{ss}, unsigned{ds}, unsigned{tr});
  // VMX needs a usable 64-bit TSS behind TR: base and limit from the GDT.
  const std::uint64_t tss_base = cpu::system_segment_base(tr);
  const std::uint32_t tss_limit = cpu::segment_limit(tr);
  check("scaffold.tss_loaded", tss_base != 0 && tss_limit >= 0x67, "base=%#lx limit=%#x",
        static_cast<unsigned long>(tss_base), tss_limit);
}

void check_traps() {
  namespace ext = virtops::extable;
  const bool registered = ext::register_table(probe_table);
  check("scaffold.probe_table_registered", registered && probe_table.size() == 4, "size=%lu",
        static_cast<unsigned long>(probe_table.size()));
  if (!registered) return;
  const virtops::fault_slot_fn previous = virtops::set_fault_slot(&probe_slot);

  check_trap("scaffold.trap_ud", ring0_probe_ud2(), ring0_probe_ud2_site, virtops::vector::ud, 0);

  // A selector just past the GDT limit: #GP whose error code is the selector.
  const auto beyond_gdt = static_cast<std::uint32_t>((cpu::sgdt().limit + 1u) & ~7u);
  check_trap("scaffold.trap_gp_selector_error_code", ring0_probe_load_ds(beyond_gdt),
             ring0_probe_load_ds_site, virtops::vector::gp, beyond_gdt);
  check("scaffold.trap_gp_left_ds_alone", cpu::read_ds() == data_selector, "ds=%#x",
        unsigned{cpu::read_ds()});

  check_trap("scaffold.trap_gp_noncanonical", ring0_probe_load(0x8000000000000000ull),
             ring0_probe_load_site, virtops::vector::gp, 0);

  // The identity map ends at 1 GiB: the last qword below it reads, the first
  // one above it is a not-present supervisor read (#PF error code 0).
  constexpr std::uintptr_t one_gib = 1ull << 30;
  check("scaffold.identity_map_reaches_1gib", ring0_probe_load(one_gib - 8) == 0,
        "load of %#lx faulted", static_cast<unsigned long>(one_gib - 8));
  probe_fault = {};
  const int pf = ring0_probe_load(one_gib);
  const std::uint64_t cr2 = read_cr2();
  check_trap("scaffold.trap_pf_beyond_identity_map", pf, ring0_probe_load_site, virtops::vector::pf,
             0);
  check("scaffold.trap_pf_cr2", cr2 == one_gib, "cr2=%#lx", static_cast<unsigned long>(cr2));

  // The stubs restore every GPR and IRETQ restores RSP.
  ring0_probe_gprs();
  unsigned bad = 0, first_bad = 0;
  for (unsigned i = 0; i < 15; ++i) {
    const std::uint64_t want = 0xfeed000000000000ull | (std::uint64_t{i + 1} << 32) | (i + 1);
    if (ring0_gprs_after[i] != want && bad++ == 0) first_bad = i;
  }
  check_trap("scaffold.trap_gprs_round_trip", 1, ring0_probe_gprs_site, virtops::vector::ud, 0);
  check("scaffold.trap_preserves_gprs", bad == 0,
        "%u registers changed, first rax..r15 index %u = %#lx", bad, first_bad,
        static_cast<unsigned long>(ring0_gprs_after[first_bad]));
  check("scaffold.trap_preserves_rsp", ring0_rsp_after == ring0_rsp_before,
        "rsp before=%#lx after=%#lx", static_cast<unsigned long>(ring0_rsp_before),
        static_cast<unsigned long>(ring0_rsp_after));

  virtops::set_fault_slot(previous);
  ext::unregister_table(probe_table);
}

// What CPUID must show for the CPU models the runners use. A prefix entry
// ends in '*'. Unknown models are skipped, not guessed.
struct model_facts {
  const char* name;
  const char* vendor;
  bool vmx, svm;
};
constexpr model_facts known_models[] = {
    {"qemu64,+svm", "AuthenticAMD", false, true},   {"qemu64", "AuthenticAMD", false, false},
    {"EPYC*", "AuthenticAMD", false, true},         {"corei7_*", "GenuineIntel", true, false},
    {"broadwell_ult", "GenuineIntel", true, false}, {"corei3_cnl", "GenuineIntel", true, false},
    {"tigerlake", "GenuineIntel", true, false},     {"ryzen", "AuthenticAMD", false, true},
    {"zambezi", "AuthenticAMD", false, true},       {"trinity_apu", "AuthenticAMD", false, true},
};

bool model_matches(const char* pattern, const char* model) {
  for (; *pattern && *pattern != '*'; ++pattern, ++model)
    if (*pattern != *model) return false;
  return *pattern == '*' || *model == 0;
}

void check_cpuid_matches_model() {
  const char* model = baremetal::arg("cpu", "");
  const model_facts* facts = nullptr;
  for (const model_facts& m : known_models)
    if (model_matches(m.name, model)) {
      facts = &m;
      break;
    }
  if (facts == nullptr) {
    skip("scaffold.cpuid_matches_model", "CPU model not in the scaffold's table");
    return;
  }
  const cpu::cpuid_regs leaf0 = cpu::cpuid(0);
  char vendor[13];
  const std::uint32_t words[3] = {leaf0.ebx, leaf0.edx, leaf0.ecx};
  for (unsigned i = 0; i < 12; ++i) vendor[i] = static_cast<char>(words[i / 4] >> (i % 4 * 8));
  vendor[12] = 0;
  check("scaffold.cpuid_vendor_matches_model", baremetal::equals(vendor, facts->vendor),
        "vendor=%s want %s for cpu=%s", vendor, facts->vendor, model);
  const bool vmx =
      (cpu::cpuid(virtops::vmx::cpuid::feature_leaf).ecx & virtops::vmx::cpuid::vmx_bit) != 0;
  const bool svm = (cpu::cpuid(virtops::svm::cpuid::extended_features_leaf).ecx &
                    virtops::svm::cpuid::svm_bit) != 0;
  check("scaffold.cpuid_matches_model", vmx == facts->vmx && svm == facts->svm,
        "vmx=%d svm=%d want vmx=%d svm=%d for cpu=%s", vmx, svm, facts->vmx, facts->svm, model);
}

}  // namespace

void run_scaffold_checks() {
  // `scaffold=unexpected_ud2` on the command line: an exception nobody owns
  // must end the run with FAIL unexpected_exception (unexpected_exception.sh).
  if (baremetal::equals(baremetal::arg("scaffold", ""), "unexpected_ud2")) {
    log("scaffold: unowned ud2 at rip=%#lx\n",
        static_cast<unsigned long>(addr(ring0_unowned_ud2_site)));
    ring0_unowned_ud2();
  }
  check_long_mode_and_descriptors();
  check_traps();
  check_cpuid_matches_model();
}
