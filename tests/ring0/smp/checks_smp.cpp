// Ring-0 SMP checks: every CPU in VMX or SVM operation with its own guest, a
// fault storm on all CPUs at once, NMIs inside fault handling and on wrapper
// sites, the first sort of a table racing lookups, Linux's emergency flow
// (NMI shootdown) with and without rebooting(), and the orderly teardown.
#include <virtops/virtops.hpp>
#include <virtops/vocabulary.hpp>

#include "../guest_program.hpp"
#include "baremetal.hpp"
#include "cpu.hpp"
#include "smp.hpp"
#include "smp_platform.hpp"
#include "virt_percpu.hpp"

namespace {

namespace smp = baremetal::smp;
namespace virt = baremetal::virt;
namespace vmx = virtops::vmx;
namespace vmcs = virtops::vmcs;
namespace svm = virtops::svm;
namespace policy = virtops::policy;
namespace ext = virtops::extable;
using virtops::errc;
using virtops::fault_info;
using virtops::status;

constexpr unsigned max_cpus = smp::max_cpus;
constexpr unsigned long spin_limit = 200000000;

// The guests: the suite's register program (VMCALL or VMMCALL, then HLT),
// and one that never exits by itself, so only an NMI takes its CPU back.
extern "C" void smp_vmx_guest();
extern "C" void smp_svm_guest();
extern "C" void smp_spin_guest();
RING0_GUEST_PROGRAM(smp_vmx_guest, "vmcall");
RING0_GUEST_PROGRAM(smp_svm_guest, "vmmcall");
asm(".pushsection .text\n.globl smp_spin_guest\nsmp_spin_guest:\n1: jmp 1b\n.popsection");

bool on_vmx = false;
unsigned ncpus = 1;

std::uint64_t pa(const void* p) { return reinterpret_cast<std::uint64_t>(p); }
template <class T>
T load(const T& v) {
  return __atomic_load_n(&v, __ATOMIC_ACQUIRE);
}
template <class T>
void store(T& v, T x) {
  __atomic_store_n(&v, x, __ATOMIC_RELEASE);
}
void pause() { asm volatile("pause"); }
bool rebooting_flag = false;

// KVM's kvm_rebooting.
struct machine {
  static bool rebooting() noexcept { return load(rebooting_flag); }
};
// Eaten while rebooting, reported otherwise.
using emergency_policy = policy::reboot_aware<machine, policy::report>;

// ---- Work on every CPU ----
void (*work)(unsigned) = nullptr;
unsigned work_generation = 0, work_done = 0;

[[noreturn]] void ap_main(unsigned index) {
  unsigned seen = 0;
  for (;;) {
    unsigned g;
    while ((g = load(work_generation)) == seen) pause();
    seen = g;
    load(work)(index);
    __atomic_add_fetch(&work_done, 1, __ATOMIC_ACQ_REL);
  }
}

// Runs fn(index) on every CPU, the bootstrap processor too; returns when all
// are done (false if one never finished).
bool on_all(void (*fn)(unsigned)) {
  store(work_done, 0u);
  store(work, fn);
  __atomic_add_fetch(&work_generation, 1, __ATOMIC_ACQ_REL);
  fn(0);
  for (unsigned long i = 0; i < spin_limit; ++i)
    if (load(work_done) == ncpus - 1) return true;
  check("smp.every_cpu_finishes_its_work", false, "%u of %u APs done", load(work_done), ncpus - 1);
  return false;
}

// ---- This CPU's guest ----
bool launched[max_cpus];

std::uint64_t guest_entry() {
  return reinterpret_cast<std::uint64_t>(on_vmx ? &smp_vmx_guest : &smp_svm_guest);
}
std::uint64_t exit_first() {
  return on_vmx ? static_cast<std::uint64_t>(vmx::exit_reason::vmcall)
                : static_cast<std::uint64_t>(virtops::vmcb::exit_code::vmmcall);
}
std::uint64_t exit_hlt() {
  return on_vmx ? static_cast<std::uint64_t>(vmx::exit_reason::hlt)
                : static_cast<std::uint64_t>(virtops::vmcb::exit_code::hlt);
}
std::uint64_t exit_nmi() {
  return on_vmx ? static_cast<std::uint64_t>(vmx::exit_reason::exception_or_nmi)
                : static_cast<std::uint64_t>(virtops::vmcb::exit_code::nmi);
}
virtops::vmcb::vmcb& my_vmcb() {
  return *static_cast<virtops::vmcb::vmcb*>(virt::this_state().vmcb);
}

void reset_guest(std::uint64_t rip) {
  const std::uint64_t rsp = pa(virt::this_state().guest_stack) + 4096 - 16;
  if (on_vmx) {
    (void)vmx::vmwrite<vmcs::guest_rip>(rip);
    (void)vmx::vmwrite<vmcs::guest_rsp>(rsp);
  } else {
    my_vmcb().save.rip = rip;
    my_vmcb().save.rsp = rsp;
    my_vmcb().save.rax = guest_input.rax;
  }
}

// Past the VMCALL (length from the VMCS) or VMMCALL (3 bytes: QEMU has no
// NRIP save).
void skip_exit_instruction() {
  if (on_vmx) {
    const std::uint64_t rip = vmx::vmread<vmcs::guest_rip>().value_or(0);
    const std::uint32_t len = vmx::vmread<vmcs::vm_exit_instruction_length>().value_or(0);
    (void)vmx::vmwrite<vmcs::guest_rip>(rip + len);
  } else {
    my_vmcb().save.rip += 3;
  }
}

template <class P = policy::report>
status run(virtops::gprs& g, std::uint64_t& exit) {
  const unsigned i = smp::this_cpu_index();
  const status s = virt::run_guest<P>(g, !launched[i], exit);
  if (s.ok()) launched[i] = true;
  return s;
}

status enter_here() {
  launched[smp::this_cpu_index()] = false;
  return virt::enter(guest_entry());
}

const char* name(const status& s) {
  return s.code() == errc::vmfail_valid ? virtops::to_string(s.vm_error())
                                        : virtops::to_string(s.code());
}

// ---- 1. Every CPU enters and runs its guest, all at once ----
struct enter_result {
  status entered, launched, resumed;
  std::uint64_t exit1 = 0, exit2 = 0;
  bool registers_ok = false;
  std::uint64_t tr_base = 0;
};
enter_result entered[max_cpus];

void work_enter_and_run(unsigned i) {
  enter_result& r = entered[i];
  r.entered = enter_here();
  r.tr_base = cpu::system_segment_base(cpu::str());
  smp::barrier();  // every CPU enters its guest at the same time
  if (!r.entered) return;
  virtops::gprs g = guest_input;
  reset_guest(guest_entry());
  r.launched = run(g, r.exit1);
  skip_exit_instruction();
  r.resumed = run(g, r.exit2);
  const std::uint64_t rax = on_vmx ? g.rax : my_vmcb().save.rax;
  r.registers_ok = guest_output_ok(g, rax);
}

void check_enter_and_run() {
  log("Every CPU enters %s and runs its own guest, all at once:\n", on_vmx ? "VMX" : "SVM");
  on_all(work_enter_and_run);
  unsigned good = 0, distinct_tr = 0;
  for (unsigned i = 0; i < ncpus; ++i) {
    const enter_result& r = entered[i];
    const bool ok = r.entered.ok() && r.launched.ok() && r.resumed.ok() &&
                    r.exit1 == exit_first() && r.exit2 == exit_hlt() && r.registers_ok;
    good += ok;
    bool unique = true;
    for (unsigned k = 0; k < i; ++k) unique = unique && entered[k].tr_base != r.tr_base;
    distinct_tr += unique;
    log("  cpu %u (APIC %u): %s %s; guest exits %s then %s; registers %s; TSS at %#lx\n", i,
        smp::cpu(i).apic_id, on_vmx ? "VMXON+VMPTRLD" : "EFER.SVME+VM_HSAVE_PA", name(r.entered),
        on_vmx ? vmx::to_string(static_cast<vmx::exit_reason>(r.exit1))
               : virtops::vmcb::to_string(static_cast<virtops::vmcb::exit_code>(r.exit1)),
        on_vmx ? vmx::to_string(static_cast<vmx::exit_reason>(r.exit2))
               : virtops::vmcb::to_string(static_cast<virtops::vmcb::exit_code>(r.exit2)),
        r.registers_ok ? "ok" : "WRONG", static_cast<unsigned long>(r.tr_base));
  }
  check("smp.every_cpu_enters_and_runs_its_guest_concurrently", good == ncpus, "%u of %u CPUs",
        good, ncpus);
  check("smp.every_cpu_has_its_own_tss", distinct_tr == ncpus, "%u distinct of %u", distinct_tr,
        ncpus);
}

// ---- 2. The fault storm ----
// Each CPU faults at sites of its own (one function per CPU index), so a
// record read on the wrong CPU names the wrong site.
constexpr std::uint32_t unknown_msr = 0x12345678;  // #GP (Bochs runs with ignore_bad_msrs=0)
constexpr std::uint64_t odd_address = 0x1001;      // VMRUN: #GP, not 4 KiB aligned

unsigned policy_calls[max_cpus];
template <unsigned I>
struct tally {
  static virtops::fault_action on_fault(const fault_info&) noexcept {
    ++policy_calls[I];
    return virtops::fault_action::report;
  }
};

template <unsigned I>
[[gnu::noinline]] status storm_fault() {
  if (on_vmx) return virtops::msr::read<tally<I>>(unknown_msr).error();
  return svm::vmrun<tally<I>>(odd_address);
}
status (*const storm_faults[max_cpus])() = {storm_fault<0>, storm_fault<1>, storm_fault<2>,
                                            storm_fault<3>, storm_fault<4>, storm_fault<5>,
                                            storm_fault<6>, storm_fault<7>};
static_assert(max_cpus == 8);

struct storm_result {
  fault_info expected{};
  unsigned right = 0, wrong = 0, lost = 0, guest_runs = 0, guest_bad = 0;
  fault_info wrong_example{};
};
storm_result storm[max_cpus];
unsigned storm_rounds = 0;
constexpr unsigned faults_per_round = 8;

void work_storm(unsigned i) {
  storm_result& r = storm[i];
  r = {};
  policy_calls[i] = 0;
  // Each CPU learns its own site's record alone, in turn.
  for (unsigned k = 0; k < ncpus; ++k) {
    if (k == i) r.expected = storm_faults[i]().fault();
    smp::barrier();
  }
  policy_calls[i] = 0;
  smp::barrier();
  for (unsigned round = 0; round < storm_rounds; ++round) {
    virtops::gprs g = guest_input;
    std::uint64_t exit = 0;
    reset_guest(guest_entry());
    const status s = run(g, exit);
    ++(s.ok() && exit == exit_first() ? r.guest_runs : r.guest_bad);
    for (unsigned k = 0; k < faults_per_round; ++k) {
      const status f = storm_faults[i]();
      if (f.code() != errc::fault)
        ++r.lost;
      else if (f.fault() == r.expected)
        ++r.right;
      else if (++r.wrong == 1)
        r.wrong_example = f.fault();
    }
  }
}

void check_storm() {
  storm_rounds = running_on("qemu") ? 200 : 25;
  log("A fault storm on every CPU at once, guests running in between (records in per-CPU "
      "slots):\n");
  on_all(work_storm);
  const unsigned want = storm_rounds * faults_per_round;
  unsigned good = 0, distinct = 0;
  for (unsigned i = 0; i < ncpus; ++i) {
    const storm_result& r = storm[i];
    const bool ok = r.right == want && r.wrong == 0 && r.lost == 0 && policy_calls[i] == want &&
                    r.guest_runs == storm_rounds && r.guest_bad == 0 && r.expected.rip != 0;
    good += ok;
    bool unique = r.expected.rip != 0;
    for (unsigned k = 0; k < i; ++k) unique = unique && storm[k].expected.rip != r.expected.rip;
    distinct += unique;
    log("  cpu %u: %u faults at its own site %#lx (%s, vector %u): %u in its slot, %u "
        "misattributed, %u lost, %u policy calls; %u guest runs in between\n",
        i, want, static_cast<unsigned long>(r.expected.rip),
        virtops::to_string(r.expected.instruction), unsigned{r.expected.vector}, r.right, r.wrong,
        r.lost, policy_calls[i], r.guest_runs);
    if (r.wrong)
      log("    the first misattributed record names site %#lx (%s), not this CPU's\n",
          static_cast<unsigned long>(r.wrong_example.rip),
          virtops::to_string(r.wrong_example.instruction));
  }
  check("smp.fault_storm_every_record_in_its_own_cpus_slot", good == ncpus,
        "%u of %u CPUs got exactly their own records", good, ncpus);
  check("smp.fault_storm_sites_differ_per_cpu", distinct == ncpus, "%u distinct of %u", distinct,
        ncpus);
}

// ---- NMIs: what the handler does depends on this CPU's mode ----
enum nmi_mode : int { nmi_none, nmi_nested_outer, nmi_nested_inner, nmi_probe, nmi_emergency };
int mode[max_cpus];

// 3. An NMI inside a wrapper's fault handling: the outer NMI handler makes a
// second self-NMI pending (NMIs are blocked until the next IRET), then runs
// a faulting wrapper; the IRETQ of its #GP handler, which has just written
// the record, unblocks NMIs, so the second NMI arrives at the fixup, before
// the wrapper's fault path reads the record. That NMI's handler runs a
// faulting wrapper of its own, under preserve_fault_record.
struct nested_result {
  status outer, inner;
  std::uintptr_t inner_saved_rip = 0;
  bool inner_ran_before_read = false, inner_ran = false;
};
nested_result nested[max_cpus];

struct observe_outer {
  static virtops::fault_action on_fault(const fault_info&) noexcept {
    const unsigned i = smp::this_cpu_index();
    nested[i].inner_ran_before_read = nested[i].inner_ran;
    return virtops::fault_action::report;
  }
};
[[gnu::noinline]] status outer_wrapper() {
  if (on_vmx) return virtops::msr::read<observe_outer>(unknown_msr + 1).error();
  return svm::vmrun<observe_outer>(odd_address + 2);
}
[[gnu::noinline]] status inner_wrapper() {
  if (on_vmx) return virtops::msr::read(unknown_msr + 2).error();
  return svm::vmrun(odd_address + 4);
}

bool on_nested_nmi(unsigned i, baremetal::trap_frame& f) {
  nested_result& r = nested[i];
  if (mode[i] == nmi_nested_outer) {
    store(mode[i], int{nmi_nested_inner});
    (void)smp::send_nmi_to_self();  // pending: NMIs are blocked in this handler
    r.outer = outer_wrapper();
    store(mode[i], int{nmi_none});
    return true;
  }
  r.inner_saved_rip = f.rip;
  {
    virtops::preserve_fault_record keep;
    r.inner = inner_wrapper();
  }
  r.inner_ran = true;
  return true;
}

void work_nested(unsigned i) {
  nested[i] = {};
  smp::barrier();
  store(mode[i], int{nmi_nested_outer});
  (void)smp::send_nmi_to_self();
  for (unsigned long k = 0; k < spin_limit && load(mode[i]) != nmi_none; ++k) pause();
}

void check_nested_nmi() {
  log("An NMI inside each CPU's fault handling, its handler faulting too "
      "(preserve_fault_record):\n");
  on_all(work_nested);
  unsigned good = 0;
  for (unsigned i = 0; i < ncpus; ++i) {
    const nested_result& r = nested[i];
    const ext::entry* outer_site = ext::find(r.outer.fault().rip);
    const ext::entry* inner_site = ext::find(r.inner.fault().rip);
    const bool at_fixup = outer_site != nullptr && r.inner_saved_rip == outer_site->fixup();
    const bool ok = r.outer.code() == errc::fault && r.inner.code() == errc::fault &&
                    outer_site != nullptr && inner_site != nullptr && outer_site != inner_site &&
                    r.inner_ran_before_read && at_fixup;
    good += ok;
    log("  cpu %u: outer fault at %#lx; the NMI arrived at %#lx (%s), ran its own fault at %#lx "
        "before the outer record was read: %s; the outer wrapper then reported site %#lx (%s)\n",
        i, static_cast<unsigned long>(outer_site ? outer_site->site() : 0),
        static_cast<unsigned long>(r.inner_saved_rip), at_fixup ? "the fixup" : "NOT the fixup",
        static_cast<unsigned long>(r.inner.fault().rip), r.inner_ran_before_read ? "yes" : "no",
        static_cast<unsigned long>(r.outer.fault().rip),
        outer_site != nullptr && outer_site != inner_site ? "its own" : "WRONG");
  }
  check("smp.nmi_inside_fault_handling_keeps_the_interrupted_record", good == ncpus,
        "%u of %u CPUs", good, ncpus);
}

// 4. NMIs from another CPU while this one loops over a wrapper: whenever the
// saved RIP is the wrapper's site, trap::handle must refuse it, and the
// wrapper must never see a fault.
struct probe_result {
  unsigned nmis = 0, on_site = 0, claimed = 0, wrapper_failures = 0, calls = 0;
};
probe_result probe[max_cpus];
unsigned probe_stop = 0;
unsigned probe_nmis_per_round = 20;

bool on_probe_nmi(unsigned i, const baremetal::trap_frame& f) {
  probe_result& r = probe[i];
  std::uintptr_t rip = f.rip;
  if (ext::find(rip) != nullptr) ++r.on_site;
  if (virtops::trap::handle(rip, virtops::vector::nmi, 0) || rip != f.rip) ++r.claimed;
  __atomic_add_fetch(&r.nmis, 1, __ATOMIC_ACQ_REL);
  return true;
}

// VMX: VMREADs, where an NMI lands on any instruction boundary. SVM: CLGI
// and STGI, as around every VMRUN: an NMI that comes while GIF is 0 is held
// and taken right after the STGI, i.e. on the next wrapper's site (and QEMU
// takes interrupts only where a block of translated code ends, as after
// STGI).
[[gnu::noinline]] unsigned probe_wrappers() {
  if (on_vmx) {
    const bool a = vmx::vmread<vmcs::guest_rip>().has_value();
    const bool b = vmx::vmread<vmcs::guest_rsp>().has_value();
    const bool c = vmx::vmread<vmcs::guest_cr3>().has_value();
    const bool d = vmx::vmread<vmcs::guest_rflags>().has_value();
    return !a + !b + !c + !d;
  }
  const bool a = svm::clgi().ok();
  const bool b = svm::stgi().ok();
  const bool c = svm::clgi().ok();
  const bool d = svm::stgi().ok();
  return !a + !b + !c + !d;
}

void work_probe(unsigned i) {
  probe[i] = {};
  for (unsigned round = 0; round < ncpus; ++round) {
    store(probe_stop, 0u);
    store(mode[i], int{round == i ? nmi_none : nmi_probe});
    smp::barrier();
    if (round == i) {
      for (unsigned n = 0; n < probe_nmis_per_round; ++n) {
        unsigned before[max_cpus], failed_before[max_cpus];
        for (unsigned k = 0; k < ncpus; ++k) {
          before[k] = load(probe[k].nmis);
          failed_before[k] = load(probe[k].wrapper_failures);
        }
        (void)smp::send_nmi_to_others();
        // One NMI at a time: a second one sent while the first is pending is
        // lost. Each target acknowledges in its handler, or, if the NMI was
        // taken for a fault, by its wrapper failing.
        for (unsigned long s = 0; s < spin_limit; ++s) {
          bool all = true;
          for (unsigned k = 0; k < ncpus; ++k)
            all = all && (k == i || load(probe[k].nmis) > before[k] ||
                          load(probe[k].wrapper_failures) > failed_before[k]);
          if (all) break;
          pause();
        }
        for (unsigned d = 0; d < 50 * (n % 7); ++d) pause();  // vary the phase
      }
      store(probe_stop, 1u);
    } else {
      probe_result& r = probe[i];
      while (!load(probe_stop)) {
        if (const unsigned failures = probe_wrappers())
          __atomic_add_fetch(&r.wrapper_failures, failures, __ATOMIC_ACQ_REL);
        r.calls += 4;
        // A varying number of instructions per pass: Bochs switches CPUs
        // every few instructions, and a loop of fixed length could put the
        // NMI on the same few instructions, never the site.
        for (unsigned j = r.calls % 7; j > 0; --j) asm volatile("nop");
      }
    }
    smp::barrier();
    store(mode[i], int{nmi_none});
  }
}

void check_probe() {
  probe_nmis_per_round = running_on("qemu") ? 20 : 100;
  log("NMIs from the other CPUs while each loops over wrappers (never taken for a fault):\n");
  on_all(work_probe);
  const unsigned want = probe_nmis_per_round * (ncpus - 1);
  unsigned good = 0, on_site = 0;
  for (unsigned i = 0; i < ncpus; ++i) {
    const probe_result& r = probe[i];
    good += r.nmis == want && r.claimed == 0 && r.wrapper_failures == 0;
    on_site += r.on_site;
    log("  cpu %u: %u NMIs from the others during %u %s calls, %u with the saved RIP on a site; "
        "claimed by trap::handle: %u; wrapper failures: %u\n",
        i, r.nmis, r.calls, on_vmx ? "VMREAD" : "CLGI/STGI", r.on_site, r.claimed,
        r.wrapper_failures);
  }
  check("smp.nmi_on_a_wrapper_site_is_not_a_fault", good == ncpus && on_site > 0,
        "%u of %u CPUs clean, %u NMIs on a site in all", good, ncpus, on_site);
}

// ---- 5. The first sort of a table racing lookups on the other CPUs ----
// A copy of this kernel's table in reverse order, so sorting moves every
// entry while the other CPUs look each site up in it with lookup(), what
// the trap path uses.
ext::entry race_entries[1024];
ext::table race_table;
unsigned race_looking = 0, race_sorted = 0;
struct race_result {
  unsigned lookups = 0, before_sorted = 0, wrong = 0;
};
race_result race[max_cpus];

void work_race(unsigned i) {
  race_result& r = race[i];
  r = {};
  smp::barrier();
  const ext::table& own = ext::this_module();
  if (i == 0) {
    while (load(race_looking) < ncpus - 1) pause();
    for (unsigned d = 0; d < 5000; ++d) pause();  // the others are mid-scan now
    race_table.sort();
    store(race_sorted, 1u);
    return;
  }
  __atomic_add_fetch(&race_looking, 1, __ATOMIC_ACQ_REL);
  for (int pass_after = 0; pass_after < 2;) {
    if (load(race_sorted)) ++pass_after;
    for (const ext::entry& e : own) {
      const bool sorted_before = race_table.sorted();
      ext::table::found got;
      const bool found = race_table.lookup(e.site(), got);
      ++r.lookups;
      r.before_sorted += !sorted_before;
      if (!found || got.site != e.site() || got.fixup != e.fixup() || got.id != e.id) ++r.wrong;
    }
  }
}

void check_sort_race() {
  const ext::table& own = ext::this_module();
  const unsigned n = static_cast<unsigned>(own.size());
  if (n > sizeof race_entries / sizeof race_entries[0]) {
    check("smp.first_sort_races_lookups_safely", false, "table of %u entries too big", n);
    return;
  }
  for (unsigned k = 0; k < n; ++k) {
    const ext::entry& e = own.begin()[n - 1 - k];
    race_entries[k].assign(e.site(), e.fixup());
    race_entries[k].id = e.id;
  }
  race_table = ext::table{race_entries, race_entries + n};
  log("cpu 0 sorts a table (the first sort) while the others look every site up in it:\n");
  on_all(work_race);
  unsigned wrong = 0, before = 0;
  for (unsigned i = 1; i < ncpus; ++i) {
    wrong += race[i].wrong;
    before += race[i].before_sorted;
    log("  cpu %u: %u lookups in the table cpu 0 was sorting, %u begun before it was sorted, %u "
        "wrong\n",
        i, race[i].lookups, race[i].before_sorted, race[i].wrong);
  }
  check("smp.first_sort_races_lookups_safely", race_table.sorted() && wrong == 0 && before > 0,
        "sorted=%d wrong=%u begun_before_sorted=%u", race_table.sorted(), wrong, before);
}

// ---- 6. The emergency flow ----
// CPU 0 "crashes" and NMIs all others (Linux's nmi_shootdown_cpus); every
// CPU runs the emergency disable under reboot_aware. CPU 1 runs its spinning
// guest when the NMI comes; one CPU (2, or 0 itself with two CPUs) had
// VMX/SVM turned off under the hypervisor's feet.
constexpr unsigned crasher = 0, runner = 1;
unsigned already_off() { return ncpus > 2 ? 2 : 0; }

struct emergency_result {
  virt::leave_report left{};
  bool left_in_nmi = false, done = false, ready = false;
  status guest{};
  std::uint64_t guest_exit = 0;
  std::uint32_t interruption = 0;  // VMX: the exit's interruption information
  bool out = false;
  const char* why = "";
  status reentered{};
};
emergency_result emergency[max_cpus];

void emergency_here(bool in_nmi) {
  const unsigned i = smp::this_cpu_index();
  emergency[i].left = virt::emergency_disable<emergency_policy>();
  emergency[i].left_in_nmi = in_nmi;
  store(emergency[i].done, true);
}

bool on_emergency_nmi() {
  emergency_here(true);
  return true;
}

void work_reenter(unsigned i) {
  emergency[i].reentered = virt::this_state().on ? status{} : enter_here();
}

void work_emergency(unsigned i) {
  emergency_result& r = emergency[i];
  r = {};
  store(mode[i], int{i == crasher ? nmi_none : nmi_emergency});
  smp::barrier();
  if (i == already_off()) {
    // Turned off behind the hypervisor's back: its state still says on.
    if (on_vmx) {
      (void)vmx::vmclear(pa(virt::this_state().vmcs));
      (void)vmx::vmxoff();
    } else {
      cpu::wrmsr(virtops::vmcb::msr::efer,
                 cpu::rdmsr(virtops::vmcb::msr::efer) & ~virtops::vmcb::efer::svme);
    }
  }
  if (i == crasher) {
    for (unsigned long s = 0; s < spin_limit; ++s) {
      bool all = true;
      for (unsigned k = 1; k < ncpus; ++k) all = all && load(emergency[k].ready);
      if (all) break;
      pause();
    }
    for (unsigned d = 0; d < 200000; ++d) pause();  // the runner is in its guest by now
    (void)smp::send_nmi_to_others();
    emergency_here(false);  // the crashing CPU leaves too, outside an NMI
    for (unsigned long s = 0; s < spin_limit; ++s) {
      bool all = true;
      for (unsigned k = 1; k < ncpus; ++k) all = all && load(emergency[k].done);
      if (all) break;
      pause();
    }
  } else if (i == runner) {
    virtops::gprs g = guest_input;
    reset_guest(reinterpret_cast<std::uint64_t>(&smp_spin_guest));
    store(r.ready, true);
    r.guest = run<emergency_policy>(g, r.guest_exit);
    if (on_vmx && r.guest.ok()) {
      r.interruption =
          vmx::vmread<vmcs::vm_exit_interruption_information, emergency_policy>().value_or(0);
      // The NMI made the VM exit and was not delivered: the host handles it
      // now, as its NMI handler would, then unblocks NMIs with an IRET.
      if (r.guest_exit == exit_nmi()) {
        emergency_here(false);
        emergency[i].left_in_nmi = true;  // on behalf of the NMI the exit took
        smp::unblock_nmis();
      }
    }
    // SVM: the intercepted NMI stayed pending while GIF was 0 and was taken
    // by the host's handler at run_guest's STGI.
  } else {
    store(r.ready, true);
  }
  for (unsigned long s = 0; s < spin_limit && !load(r.done); ++s) pause();
  store(mode[i], int{nmi_none});
  smp::barrier();
  r.out = virt::prove_out(r.why);
}

void check_emergency(bool rebooting) {
  log("The emergency flow, rebooting() %s: cpu 0 crashes and NMIs all others, each leaves "
      "%s under reboot_aware; cpu %u's %s was turned off under its feet\n",
      rebooting ? "true" : "false", on_vmx ? "VMX" : "SVM", already_off(), on_vmx ? "VMX" : "SVM");
  on_all(work_reenter);
  unsigned reentered = 0;
  for (unsigned i = 0; i < ncpus; ++i) reentered += emergency[i].reentered.ok();
  store(rebooting_flag, rebooting);
  on_all(work_emergency);
  store(rebooting_flag, false);
  const bool stgi_faults_when_off = on_vmx || !((cpu::cpuid(0x80000001).ecx >> 12) & 1);
  const unsigned off_faults = on_vmx ? 2 : (stgi_faults_when_off ? 1 : 0);
  unsigned good = 0, out = 0;
  for (unsigned i = 0; i < ncpus; ++i) {
    const emergency_result& r = emergency[i];
    const virt::leave_report& l = r.left;
    const bool off_cpu = i == already_off();
    const unsigned want_faults = off_cpu ? off_faults : 0;
    // Eaten while rebooting (the wrappers return ok), reported otherwise.
    const errc want = off_cpu && !rebooting ? errc::fault : errc::ok;
    const errc want_second = on_vmx ? want : errc::ok;
    const bool runner_ok =
        i != runner ||
        (r.guest.ok() && r.guest_exit == exit_nmi() &&
         (!on_vmx || ((r.interruption >> 31) == 1 && ((r.interruption >> 8) & 7) == 2 &&
                      (r.interruption & 0xff) == virtops::vector::nmi)));
    const bool ok = l.was_on && r.done && l.faults == want_faults &&
                    (want_faults == 0 || l.first.code() == (rebooting ? errc::ok : errc::fault)) &&
                    (want_faults != 0 || l.first.ok()) &&
                    (!on_vmx || want_faults == 0 || l.second.code() == want_second) &&
                    (!on_vmx || want_faults != 0 || l.second.ok()) &&
                    r.left_in_nmi == (i != crasher) && runner_ok;
    good += ok;
    out += r.out;
    log("  cpu %u: %s%s; %s: %s, %s: %s; %u fault(s)%s; %s\n", i,
        i == crasher  ? "crashed, sent the NMIs, left itself"
        : i == runner ? "was running its guest: "
                      : "NMI in the host",
        i == runner
            ? (r.guest_exit == exit_nmi() ? (on_vmx ? "the NMI made it exit (exception_or_nmi, "
                                                      "NMI), handled by the host, NMIs unblocked"
                                                    : "the NMI made it exit (#VMEXIT nmi), taken "
                                                      "by the host handler at STGI")
                                          : "NO NMI exit")
            : (off_cpu ? (on_vmx ? " (its VMX was already off)" : " (its SVM was already off)")
                       : ""),
        on_vmx ? "VMCLEAR" : "STGI", name(l.first), on_vmx ? "VMXOFF" : "EFER.SVME",
        on_vmx ? name(l.second) : "cleared", l.faults,
        l.faults == 0 ? "" : (rebooting ? " eaten (reboot_aware, rebooting)" : " reported"), r.why);
  }
  check(rebooting ? "smp.emergency.every_cpu_leaves_faults_eaten"
                  : "smp.emergency_not_rebooting.every_cpu_leaves_faults_reported",
        reentered == ncpus && good == ncpus, "%u of %u CPUs (re-entered: %u)", good, ncpus,
        reentered);
  check(rebooting ? "smp.emergency.every_cpu_proves_it_is_out"
                  : "smp.emergency_not_rebooting.every_cpu_proves_it_is_out",
        out == ncpus, "%u of %u CPUs", out, ncpus);
}

// ---- 7. The orderly teardown, twice ----
struct teardown_result {
  virt::leave_report first{}, second{};
  bool out = false;
  const char* why = "";
};
teardown_result teardowns[max_cpus];

void work_teardown(unsigned i) {
  teardown_result& r = teardowns[i];
  smp::barrier();
  r.first = virt::teardown();
  r.second = virt::teardown();
  r.out = virt::prove_out(r.why);
}

void check_teardown() {
  log("The orderly teardown (unload), twice, on every CPU:\n");
  on_all(work_reenter);
  unsigned reentered = 0;
  for (unsigned i = 0; i < ncpus; ++i) reentered += emergency[i].reentered.ok();
  on_all(work_teardown);
  unsigned good_first = 0, good_second = 0, out = 0;
  for (unsigned i = 0; i < ncpus; ++i) {
    const teardown_result& r = teardowns[i];
    good_first +=
        r.first.was_on && r.first.faults == 0 && r.first.first.ok() && r.first.second.ok();
    good_second += !r.second.was_on && r.second.faults == 0;
    out += r.out;
    log("  cpu %u: teardown: %s %s, %s %s, %u faults; again: %s; %s\n", i,
        on_vmx ? "VMCLEAR" : "STGI", name(r.first.first), on_vmx ? "VMXOFF" : "EFER.SVME",
        on_vmx ? name(r.first.second) : "cleared", r.first.faults,
        r.second.was_on ? "LEFT AGAIN" : "nothing to do", r.why);
  }
  check("smp.teardown_every_cpu_leaves", reentered == ncpus && good_first == ncpus,
        "%u of %u CPUs (re-entered: %u)", good_first, ncpus, reentered);
  check("smp.teardown_twice_is_harmless", good_second == ncpus && out == ncpus,
        "%u of %u CPUs, %u out", good_second, ncpus, out);
}

}  // namespace

// The platform's hook for what virtops did not claim: the NMIs of the checks.
bool on_event(baremetal::trap_frame& f) {
  if (f.vector != virtops::vector::nmi) return false;
  const unsigned i = smp::this_cpu_index();
  switch (load(mode[i])) {
    case nmi_nested_outer:
    case nmi_nested_inner: return on_nested_nmi(i, f);
    case nmi_probe: return on_probe_nmi(i, f);
    case nmi_emergency: return on_emergency_nmi();
    default: return false;
  }
}

void run_smp_checks(unsigned cpus) {
  // Before any wrapper can fault on any CPU: the record lives in each CPU's
  // area (the library's freestanding default is one global).
  virtops::set_fault_slot(&smp::fault_slot);
  const virt::kind k = virt::detect();
  check("smp.cpu_offers_vmx_or_svm", k != virt::kind::none, "CPUID shows neither");
  if (k == virt::kind::none) return;
  on_vmx = k == virt::kind::vmx;
  virt::prepare(cpus);
  ncpus = smp::start_aps(cpus, ap_main);
  check("smp.every_cpu_started", ncpus == cpus, "%u of %u CPUs running", ncpus, cpus);
  if (ncpus < 2) return;
  log("%u CPUs, %s\n", ncpus, on_vmx ? "VMX" : "SVM");
  check_enter_and_run();
  check_storm();
  check_nested_nmi();
  check_probe();
  check_sort_race();
  check_emergency(true);
  check_emergency(false);
  check_teardown();
}
