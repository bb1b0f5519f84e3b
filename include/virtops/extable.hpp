/// \file
/// virtops: the exception table.
///
/// Every wrapper emits one entry per instruction site into the section
/// `virtops_extable`. Like Linux's _ASM_EXTABLE, offsets are 32-bit and
/// relative to the field that holds them: position independent, no
/// relocations left after the link.
///
/// - ELF: one section `virtops_extable` (a C identifier, so the linker
///   defines `__start_`/`__stop_`), each entry in the COMDAT group of its
///   function.
/// - PE/COFF: each entry in a section `virtops_extable$m` associative to its
///   function's section (kept or dropped with it), and the bounds
///   `__start_virtops_extable`/`__stop_virtops_extable` in empty
///   `virtops_extable$a`/`$z` sections: the linker merges the grouped sections
///   into one `virtops_extable` in the order of the text after the `$`
///   (lld-link shortens the name to `virtops_` in an image).
#pragma once

#include "config.hpp"
#include "detail/std.hpp"
#include "fault.hpp"
#include "insn.hpp"

/// Emits the entry for the instruction at local label `site` (e.g. "1b") whose
/// fault continues at `fixup` (e.g. "%l[fault]"); `id` is an operand printing
/// the virtops::insn value (e.g. "%c[id]" with [id] "i"(...)). The entry goes
/// with the function it is emitted from: a discarded inline-function copy
/// takes its entries along. On ELF the "?" flag puts it in that function's
/// COMDAT group. On PE/COFF its section is made associative to a label the
/// macro defines here, in the function's section (once per asm statement:
/// `%=`, so the macro belongs in an extended asm statement there).
#if !VIRTOPS_DETAIL_COFF
// clang-format off
#define VIRTOPS_EXTABLE_ENTRY(site, fixup, id)           \
  ".pushsection virtops_extable, \"aw?\", @progbits\n\t" \
  ".balign 4\n\t"                                        \
  ".long " site " - .\n\t"                               \
  ".long " fixup " - .\n\t"                              \
  ".long " id "\n\t"                                     \
  ".popsection\n\t"
// clang-format on

// Emits the asm `text` out of line, after the body of the function it is
// emitted from (ELF subsection 1), where a wrapper keeps its stubs: the
// VMfail dispatch and the fault unwinding. With VIRTOPS_EXTABLE_ENTRY the
// only object-format directive in any wrapper's asm, so a new object format
// changes these two macros (and the table's bounds below).
#define VIRTOPS_DETAIL_OUT_OF_LINE(text) ".subsection 1\n" text ".subsection 0\n\t"

/// Makes the section exist in every program that includes this header, so the
/// linker defines __start_/__stop_ even when there is no entry at all.
asm(".pushsection virtops_extable, \"aw\", @progbits\n\t.popsection");
#else
// The label an entry's and a stub's sections are associative to, defined in
// the function's own section, once per asm statement (%=; the .ifndef lets
// several entries and stubs of one statement share it).
#define VIRTOPS_DETAIL_COFF_OWNER \
  ".ifndef .Lvirtops_extable_owner%=\n.Lvirtops_extable_owner%=:\n.endif\n\t"

// clang-format off
#define VIRTOPS_EXTABLE_ENTRY(site, fixup, id)                                          \
  VIRTOPS_DETAIL_COFF_OWNER                                                             \
  ".pushsection virtops_extable$m, \"dw\", associative, .Lvirtops_extable_owner%=\n\t" \
  ".balign 4\n\t"                                                                      \
  ".long " site " - .\n\t"                                                             \
  ".long " fixup " - .\n\t"                                                            \
  ".long " id "\n\t"                                                                   \
  ".popsection\n\t"

// COFF has no subsections: the stubs go to a .text$virtops section associative
// to the function's (dropped with a discarded copy), which the linker places
// after the plain .text sections.
#define VIRTOPS_DETAIL_OUT_OF_LINE(text)                                           \
  VIRTOPS_DETAIL_COFF_OWNER                                                        \
  ".pushsection .text$virtops, \"xr\", associative, .Lvirtops_extable_owner%=\n" \
  text ".popsection\n\t"
// clang-format on

/// The bounds, one copy per module whatever the number of translation units
/// (select-any COMDATs), 4-aligned like the entries between them.
asm(".pushsection virtops_extable$a, \"dw\", discard, __start_virtops_extable\n\t"
    ".balign 4\n\t"
    ".globl __start_virtops_extable\n"
    "__start_virtops_extable:\n\t"
    ".popsection\n\t"
    ".pushsection virtops_extable$z, \"dw\", discard, __stop_virtops_extable\n\t"
    ".balign 4\n\t"
    ".globl __stop_virtops_extable\n"
    "__stop_virtops_extable:\n\t"
    ".popsection");
#endif

namespace virtops::extable {

struct entry {
  std::int32_t site_offset;   ///< instruction - &site_offset
  std::int32_t fixup_offset;  ///< fault continuation - &fixup_offset
  std::uint32_t id;           ///< virtops::insn of the site

  std::uintptr_t site() const noexcept { return resolve(&site_offset); }
  std::uintptr_t fixup() const noexcept { return resolve(&fixup_offset); }
  insn instruction() const noexcept { return static_cast<insn>(id); }

  /// Points the entry, wherever it now lives, at absolute addresses (sorting
  /// moves entries). False, and the entry unchanged, if an address is out of
  /// 32-bit reach.
  bool assign(std::uintptr_t site_addr, std::uintptr_t fixup_addr) noexcept {
    if (!reaches(site_addr, fixup_addr)) return false;
    site_offset = delta(site_offset, site_addr);
    fixup_offset = delta(fixup_offset, fixup_addr);
    return true;
  }

  /// Whether this slot's offsets can point at these addresses (assign()
  /// would succeed).
  bool reaches(std::uintptr_t site_addr, std::uintptr_t fixup_addr) const noexcept {
    return fits(site_offset, site_addr) && fits(fixup_offset, fixup_addr);
  }

 private:
  static std::uintptr_t resolve(const std::int32_t* field) noexcept {
    return reinterpret_cast<std::uintptr_t>(field) +
           static_cast<std::uintptr_t>(static_cast<std::intptr_t>(*field));
  }
  static std::intptr_t distance(const std::int32_t& field, std::uintptr_t target) noexcept {
    return static_cast<std::intptr_t>(target - reinterpret_cast<std::uintptr_t>(&field));
  }
  static bool fits(const std::int32_t& field, std::uintptr_t target) noexcept {
    const std::intptr_t d = distance(field, target);
    return d >= INT32_MIN && d <= INT32_MAX;
  }
  static std::int32_t delta(const std::int32_t& field, std::uintptr_t target) noexcept {
    return static_cast<std::int32_t>(distance(field, target));
  }
};
static_assert(sizeof(entry) == 12 && alignof(entry) == 4);

/// A contiguous run of entries: one program's, one module's, or a test's.
/// find() is linear until sort() has sorted it and binary search after.
class table {
 public:
  constexpr table() noexcept = default;
  constexpr table(entry* first, entry* last) noexcept : first_(first), last_(last) {}

  entry* begin() const noexcept { return first_; }
  entry* end() const noexcept { return last_; }
  std::size_t size() const noexcept { return static_cast<std::size_t>(last_ - first_); }
  bool sorted() const noexcept { return __atomic_load_n(&state_, __ATOMIC_ACQUIRE) == k_sorted; }

  /// The entry for the instruction at `site`, or nullptr. Never changes state.
  /// Once the table is sorted the pointer stays valid; before that, a first
  /// sort() beginning on another CPU moves entries under it: a caller that
  /// may race with one uses lookup(), which resolves the entry first.
  const entry* find(std::uintptr_t site) const noexcept {
    found f;
    const entry* e = nullptr;
    scan(site, f, e);
    return e;
  }

  /// An entry's targets, resolved while it cannot move.
  struct found {
    std::uintptr_t site = 0, fixup = 0;
    std::uint32_t id = 0;
  };

  /// find() for a trap path that may race with the first sort() on another
  /// CPU: false if `site` has no entry; otherwise `out` holds the entry's
  /// site, fixup and id as they were, read while no sort could move it.
  bool lookup(std::uintptr_t site, found& out) const noexcept {
    const entry* e = nullptr;
    return scan(site, out, e);
  }

  /// Sorts in place (heapsort: no allocation, no recursion), once; later
  /// calls return at once, concurrent ones wait for the first. The section
  /// must be writable, which the entries' "aw" flags ensure. Call it before
  /// traps can reach this table, or with traps (signals, interrupts) blocked
  /// on this CPU. NMIs cannot be blocked: an NMI handler whose wrapper faults
  /// on this CPU while the entries move would wait for this sort for ever,
  /// so sort at start-up (as the examples do), before such handlers run.
  ///
  /// Returns sorted(). An entry moves through other slots while sorting, and
  /// its 32-bit offsets must reach its targets from each of them: a table
  /// with a target out of reach of its first or last slot (never a linked
  /// image's, which is far smaller than 2 GiB; possibly a registered table
  /// built by hand) is left as it is, unsorted, and find() stays linear;
  /// each later call checks again.
  bool sort() noexcept {
    int expected = k_unsorted;
    if (!__atomic_compare_exchange_n(&state_, &expected, k_draining, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_ACQUIRE)) {
      while ((expected = __atomic_load_n(&state_, __ATOMIC_ACQUIRE)) == k_sorting ||
             expected == k_draining)
        __builtin_ia32_pause();
      return expected == k_sorted;
    }
    // Linear scans that began before the sort finish first (lookup()). While
    // draining, nothing has moved and new scans still run linearly: a scan
    // nested in one that is in progress (an NMI handler's wrapper faulting
    // on a CPU that was already scanning) must not wait for this sort, which
    // waits for the outer scan. The scans and these stores are sequentially
    // consistent, so a scan either sees k_sorting and waits, or is counted
    // by the second wait.
    while (__atomic_load_n(&scanning_, __ATOMIC_SEQ_CST) != 0) __builtin_ia32_pause();
    __atomic_store_n(&state_, k_sorting, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&scanning_, __ATOMIC_SEQ_CST) != 0) __builtin_ia32_pause();
    const bool movable = every_slot_reaches_every_target();
    if (movable) heapsort();
    __atomic_store_n(&state_, movable ? k_sorted : k_unsorted, __ATOMIC_RELEASE);
    return movable;
  }

 private:
  static constexpr int k_unsorted = 0, k_sorting = 1, k_sorted = 2, k_draining = 3;

  // A sort in progress on another CPU finishes in bounded time; sort()
  // callers keep traps off their own CPU while it runs (see sort()). An
  // unsorted table is scanned with scanning_ raised, so that a sort which
  // begins meanwhile waits for the scan (and the copy into `out`) to end.
  bool scan(std::uintptr_t site, found& out, const entry*& e) const noexcept {
    for (;;) {
      int s;
      while ((s = __atomic_load_n(&state_, __ATOMIC_ACQUIRE)) == k_sorting) __builtin_ia32_pause();
      if (s == k_sorted) {
        e = bsearch(site);
        break;
      }
      __atomic_add_fetch(&scanning_, 1, __ATOMIC_SEQ_CST);
      const int now = __atomic_load_n(&state_, __ATOMIC_SEQ_CST);
      if (now != k_unsorted && now != k_draining) {
        __atomic_sub_fetch(&scanning_, 1, __ATOMIC_RELEASE);
        continue;
      }
      e = linear(site);
      if (e != nullptr) out = {e->site(), e->fixup(), e->id};
      __atomic_sub_fetch(&scanning_, 1, __ATOMIC_RELEASE);
      return e != nullptr;
    }
    if (e != nullptr) out = {e->site(), e->fixup(), e->id};
    return e != nullptr;
  }

  const entry* linear(std::uintptr_t site) const noexcept {
    for (const entry* e = first_; e != last_; ++e)
      if (e->site() == site) return e;
    return nullptr;
  }

  const entry* bsearch(std::uintptr_t site) const noexcept {
    std::size_t lo = 0, hi = size();  // first entry with site() >= site
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (first_[mid].site() < site)
        lo = mid + 1;
      else
        hi = mid;
    }
    return lo < size() && first_[lo].site() == site ? first_ + lo : nullptr;
  }

  // Reach is an interval of field addresses, so a target that the first and
  // the last slot reach is reached from every slot in between.
  bool every_slot_reaches_every_target() const noexcept {
    for (const entry* e = first_; e != last_; ++e) {
      const std::uintptr_t s = e->site(), f = e->fixup();
      if (!first_->reaches(s, f) || !(last_ - 1)->reaches(s, f)) return false;
    }
    return true;
  }

  void swap(std::size_t a, std::size_t b) noexcept {
    entry& x = first_[a];
    entry& y = first_[b];
    const std::uintptr_t xs = x.site(), xf = x.fixup(), ys = y.site(), yf = y.fixup();
    const std::uint32_t xid = x.id;
    // sort() checked that every slot reaches every target, so both fit.
    x.assign(ys, yf);
    x.id = y.id;
    y.assign(xs, xf);
    y.id = xid;
  }

  void sift_down(std::size_t root, std::size_t n) noexcept {
    for (;;) {
      std::size_t child = 2 * root + 1;
      if (child >= n) return;
      if (child + 1 < n && first_[child].site() < first_[child + 1].site()) ++child;
      if (!(first_[root].site() < first_[child].site())) return;
      swap(root, child);
      root = child;
    }
  }

  void heapsort() noexcept {
    const std::size_t n = size();
    for (std::size_t i = n / 2; i-- > 0;) sift_down(i, n);
    for (std::size_t end = n; end-- > 1;) {
      swap(0, end);
      sift_down(0, end);
    }
  }

  entry* first_ = nullptr;
  entry* last_ = nullptr;
  mutable int state_ = k_unsorted;
  mutable unsigned scanning_ = 0;  // linear scans in progress
};

}  // namespace virtops::extable

// The bounds of the module (executable, kernel, shared object, driver) being
// linked. ELF: defined by the linker, hidden so that each module binds to its
// own section. PE/COFF: defined above, and never exported.
/// \cond INTERNAL
extern "C" {
#if !VIRTOPS_DETAIL_COFF
extern virtops::extable::entry __start_virtops_extable[] __attribute__((visibility("hidden")));
extern virtops::extable::entry __stop_virtops_extable[] __attribute__((visibility("hidden")));
#else
extern virtops::extable::entry __start_virtops_extable[];
extern virtops::extable::entry __stop_virtops_extable[];
#endif
}
/// \endcond

namespace virtops::extable {

/// The table of the module this code is linked into.
[[gnu::visibility("hidden")]] inline table& this_module() noexcept {
  static constinit table t{__start_virtops_extable, __stop_virtops_extable};
  return t;
}

/// Further tables (kernel modules, shared objects, JIT buffers) searched after
/// this_module(). Registration is lock-free and safe against a concurrent
/// lookup; a table must stay alive until it is unregistered.
inline constexpr std::size_t max_tables = 16;

namespace detail {
inline constinit table* registry[max_tables] = {};
}

/// False if the registry is full. Registering a table twice is a no-op.
inline bool register_table(table& t) noexcept {
  for (table*& slot : detail::registry)
    if (__atomic_load_n(&slot, __ATOMIC_ACQUIRE) == &t) return true;
  for (table*& slot : detail::registry) {
    table* expected = nullptr;
    if (__atomic_compare_exchange_n(&slot, &expected, &t, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
      return true;
  }
  return false;
}

inline bool unregister_table(table& t) noexcept {
  for (table*& slot : detail::registry) {
    table* expected = &t;
    if (__atomic_compare_exchange_n(&slot, &expected, nullptr, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
      return true;
  }
  return false;
}

/// table::lookup() over this module's table and every registered one.
inline bool lookup(std::uintptr_t site, table::found& out) noexcept {
  table& own = this_module();
  if (own.lookup(site, out)) return true;
  for (table*& slot : detail::registry) {
    const table* t = __atomic_load_n(&slot, __ATOMIC_ACQUIRE);
    if (t == nullptr || t == &own) continue;
    if (t->lookup(site, out)) return true;
  }
  return false;
}

/// The entry for `site` in this module's table or any registered one.
inline const entry* find(std::uintptr_t site) noexcept {
  table& own = this_module();
  if (const entry* e = own.find(site)) return e;
  for (table*& slot : detail::registry) {
    const table* t = __atomic_load_n(&slot, __ATOMIC_ACQUIRE);
    if (t == nullptr || t == &own) continue;
    if (const entry* e = t->find(site)) return e;
  }
  return nullptr;
}

/// The vector rule: a site is claimed only for an exception its instruction
/// can raise, by the "Protected Mode Exceptions" and "64-Bit Mode
/// Exceptions" of each instruction in the SDM (Vol. 3C, ch. 31) and the
/// "Exceptions" table of each in the APM (Vol. 3). Bit v of `vectors` is
/// vector v. No row has NMI (2), `#DB` (1), `#BP` (3), `#DF` (8), `#MC` (18)
/// or any vector >= 32: those are events that arrived while RIP was at the
/// site (an NMI shootdown, a timer interrupt, a debugger's single step or
/// breakpoint, a machine check), never a fault of an instruction that has
/// not run, and a handler that gives them to trap::handle gets them back.
///
/// - `#UD`, `#GP`: every instruction (VMX/SVM off or absent; CPL > 0; bad
///   operands).
/// - `#PF`, `#SS`: the VMX instructions with a memory operand: VMXON,
///   VMCLEAR, VMPTRLD, VMPTRST (the pointer), INVEPT, INVVPID (the
///   descriptor), and VMREAD and VMWRITE, whose lists include their memory
///   forms (the VMREAD without asm-goto outputs uses one).
/// - no `#AC`: the SDM lists it for no VMX instruction (each raises `#GP(0)`
///   at CPL > 0 before it touches memory, and `#AC` needs CPL 3), the APM for
///   no SVM one; the SVM instructions take a physical address in rAX, so no
///   `#PF` or `#SS` either.
/// - VMLAUNCH, VMRESUME: `#UD`, `#GP`. Their wrappers' two other sites, the
///   register-form VMWRITEs of HOST_RSP and HOST_RIP, raise no more.
/// - VMCALL, VMMCALL: `#UD` and `#GP`, and `#PF`: under a hypervisor a
///   hypercall instruction raises what the hypervisor makes of it (an Intel
///   KVM guest gets `#PF` with error code 7 for VMMCALL at CPL 3, an AMD one
///   `#GP` for VMCALL). Never `#VC` (29): in an SEV-ES guest VMMCALL raises
///   `#VC`, whose handler performs the hypercall.
/// - RDMSR, WRMSR, XSETBV: `#GP` and `#UD`, by their "Protected Mode" and
///   "64-Bit Mode Exceptions" in the SDM (Vol. 2): `#GP(0)` at CPL > 0, for
///   a reserved or unimplemented MSR or XCR, and for a value with reserved
///   bits set (WRMSR: also a non-canonical address in an MSR that holds one;
///   XSETBV: XCR0 with bit 0 clear or an invalid AVX state combination);
///   `#UD` for a LOCK prefix (all three) and, for XSETBV, when CPUID.1:ECX
///   .XSAVE or CR4.OSXSAVE is 0. No memory operand, so no `#PF`, `#SS`, `#AC`.
struct vector_rule {
  insn instruction;
  std::uint32_t vectors;
};

namespace detail {
constexpr std::uint32_t bit(std::uint8_t v) noexcept { return std::uint32_t{1} << v; }
inline constexpr std::uint32_t any_insn = bit(vector::ud) | bit(vector::gp);
inline constexpr std::uint32_t memory_operand = any_insn | bit(vector::pf) | bit(vector::ss);
inline constexpr std::uint32_t hypercall = any_insn | bit(vector::pf);
}  // namespace detail

/// One row per virtops::insn, in its order.
inline constexpr vector_rule vector_rules[] = {
    {insn::vmxon, detail::memory_operand},   {insn::vmxoff, detail::any_insn},
    {insn::vmclear, detail::memory_operand}, {insn::vmptrld, detail::memory_operand},
    {insn::vmptrst, detail::memory_operand}, {insn::vmread, detail::memory_operand},
    {insn::vmwrite, detail::memory_operand}, {insn::invept, detail::memory_operand},
    {insn::invvpid, detail::memory_operand}, {insn::vmlaunch, detail::any_insn},
    {insn::vmresume, detail::any_insn},      {insn::vmcall, detail::hypercall},
    {insn::vmrun, detail::any_insn},         {insn::vmload, detail::any_insn},
    {insn::vmsave, detail::any_insn},        {insn::stgi, detail::any_insn},
    {insn::clgi, detail::any_insn},          {insn::invlpga, detail::any_insn},
    {insn::vmmcall, detail::hypercall},      {insn::rdmsr, detail::any_insn},
    {insn::wrmsr, detail::any_insn},         {insn::xsetbv, detail::any_insn},
};

namespace detail {
constexpr bool rules_in_insn_order() noexcept {
  if (sizeof vector_rules / sizeof vector_rules[0] != insn_count) return false;
  for (unsigned i = 0; i < insn_count; ++i)
    if (static_cast<unsigned>(vector_rules[i].instruction) != i) return false;
  return true;
}
static_assert(rules_in_insn_order(), "vector_rules: one row per virtops::insn, in its order");

constexpr std::uint32_t any_rule() noexcept {
  std::uint32_t all = 0;
  for (const vector_rule& r : vector_rules) all |= r.vectors;
  return all;
}
}  // namespace detail

/// The vectors a site of entry id `id` is claimed for. An id that is no
/// virtops::insn this header knows (a newer module's, ids being append-only,
/// or a hand-built table's) may be any wrapped instruction: the union of
/// the rows, still no event.
constexpr std::uint32_t vectors_raised_by(std::uint32_t id) noexcept {
  return id < insn_count ? vector_rules[id].vectors : detail::any_rule();
}

/// Whether an exception `vector` with `error_code` at a site of entry id
/// `id` is the site's fault. Besides the rows: a `#GP` or `#SS` whose error
/// code has EXT (bit 0) set happened while the CPU delivered an event at
/// that RIP (SDM Vol. 3A, 6.13: a bad IDT gate, TSS or stack for an
/// interrupt), not in the instruction, which raises only `#GP(0)`/`#SS(0)`.
/// A `#PF` in such a delivery cannot be told apart (its error code has no
/// EXT bit) and is claimed.
constexpr bool claims(std::uint32_t id, std::uint8_t vector, std::uint32_t error_code) noexcept {
  namespace v = virtops::vector;
  if (vector >= v::first_interrupt || (vectors_raised_by(id) & detail::bit(vector)) == 0)
    return false;
  return !((vector == v::gp || vector == v::ss) && (error_code & 1) != 0);
}

namespace detail {
/// fixup() judging the exception `judged` by the rule but recording
/// `recorded`: for the POSIX adapter, whose vector may be missing (posix.hpp).
inline std::uintptr_t fixup(std::uintptr_t rip, std::uint8_t judged, std::uint8_t recorded,
                            std::uint32_t error_code) noexcept {
  // Resolved, not a pointer: the first sort may begin on another CPU.
  // An event no wrapped instruction raises (an NMI, a #MC, an interrupt)
  // never reaches the table: no lookup from inside any handler of it.
  if (judged >= virtops::vector::first_interrupt || (any_rule() & bit(judged)) == 0) return 0;
  table::found e;
  if (!lookup(rip, e) || !claims(e.id, judged, error_code)) return 0;
  virtops::detail::fault_slot() = fault_info{static_cast<insn>(e.id), recorded, error_code, rip};
  return e.fixup;
}
}  // namespace detail

/// What every trap handler calls. If `rip` is a registered site and the
/// exception one its instruction can raise (claims()), records the fault in
/// the fault slot and returns where execution must continue; otherwise
/// returns 0 and changes nothing: the fault, or the event, is not virtops'.
inline std::uintptr_t fixup(std::uintptr_t rip, std::uint8_t vector,
                            std::uint32_t error_code) noexcept {
  return detail::fixup(rip, vector, vector, error_code);
}

}  // namespace virtops::extable
