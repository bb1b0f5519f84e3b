// The exception table against a trivially correct reference (a list of
// (site, fixup, id) triples): random tables (unsorted as a linker leaves
// them, with duplicate sites, empty, several of them, some registered) and
// random lookups. find() must agree with the reference before and after
// sort(); sort() must only permute, and refuse exactly the tables whose
// targets some slot cannot reach; a lookup changes nothing; the registry
// and fixup() must see exactly the registered tables; assign() must succeed
// exactly when both targets are within 32-bit reach.
//
// fixup() claims a site only for an exception its instruction can raise;
// the reference writes that rule out from the SDM/APM exception lists by
// instruction name, apart from extable.hpp's table (see reference_claims).
//
// Duplicate sites: find() promises "the entry for the instruction at site"
// (extable.hpp), and the verifier rejects a table with two entries for one
// site, so for duplicates any entry with that site is a right answer; the
// reference accepts exactly those.
#include <algorithm>
#include <climits>
#include <cstring>
#include <iterator>
#include <string_view>
#include <vector>
#include <virtops/extable.hpp>

#include "fuzz_support.hpp"

namespace {

namespace extable = virtops::extable;

// Stand-in code: entries of "code" tables point into it (sites) and at it
// (fixups); nothing is ever executed or read there.
alignas(16) char code[4096];
constexpr std::size_t max_tables = 4, max_entries = 64;
extable::entry storage[max_tables][max_entries];
// Enough tables to fill the registry, for its capacity rules.
extable::table spare[extable::max_tables + 2];

struct triple {
  std::uintptr_t site, fixup;
  std::uint32_t id;
  bool operator==(const triple&) const = default;
  bool operator<(const triple& o) const {
    return site != o.site ? site < o.site : fixup != o.fixup ? fixup < o.fixup : id < o.id;
  }
};

std::uintptr_t in_code(std::size_t off) {
  return reinterpret_cast<std::uintptr_t>(&code[off % sizeof code]);
}
std::uintptr_t address_of(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

triple of(const extable::entry& e) { return {e.site(), e.fixup(), e.id}; }

std::vector<triple> matching(const std::vector<triple>& ref, std::uintptr_t site) {
  std::vector<triple> out;
  for (const triple& t : ref)
    if (t.site == site) out.push_back(t);
  return out;
}

// The vector rule: #UD (6) and #GP (13) for every instruction, #SS (12) and
// #PF (14) as well for those with a memory operand, #PF for the hypercalls;
// an id that names no instruction may be any of them. Nothing else, ever
// (no NMI, #DB, #BP, #DF, #MC, interrupt); no #GP or #SS with EXT (error
// code bit 0) set, raised delivering an event rather than by the instruction.
bool reference_claims(std::uint32_t id, std::uint8_t vector, std::uint32_t error_code) {
  static const char* const with_memory_operand[] = {"vmxon",  "vmclear", "vmptrld", "vmptrst",
                                                    "vmread", "vmwrite", "invept",  "invvpid"};
  static const char* const hypercalls[] = {"vmcall", "vmmcall"};
  const auto named = [id](const auto& names) {
    if (id >= virtops::insn_count) return false;
    const std::string_view name = virtops::to_string(static_cast<virtops::insn>(id));
    return std::find(std::begin(names), std::end(names), name) != std::end(names);
  };
  const bool unknown = id >= virtops::insn_count;
  bool raises = false;
  switch (vector) {
    case 6:
    case 13: raises = true; break;
    case 12: raises = unknown || named(with_memory_operand); break;
    case 14: raises = unknown || named(with_memory_operand) || named(hypercalls); break;
    default: break;
  }
  if ((vector == 12 || vector == 13) && (error_code & 1) != 0) raises = false;
  return raises;
}

// Lookups' vectors: a quarter any exception vector, a third the four that
// some instruction raises, the rest interrupts.
std::uint8_t pick_vector(std::uint8_t b) {
  static constexpr std::uint8_t raisable[] = {6, 12, 13, 14};
  if (b < 64) return static_cast<std::uint8_t>(b % 32);
  return b < 160 ? raisable[b % 4] : b;
}

bool contains(const std::vector<triple>& v, const triple& t) {
  return std::find(v.begin(), v.end(), t) != v.end();
}

// A target for the field at offset `field` (0: site, 4: fixup) of every slot
// of a table of n entries at `first`: in reach of all of them, so sort(),
// which moves entries through any slot, must sort the table. Biased to the
// edges of that interval.
std::uintptr_t reachable(input& in, const extable::entry* first, std::size_t n, std::size_t field,
                         const std::vector<triple>& earlier) {
  const std::uintptr_t lo = address_of(first + (n - 1)) + field - std::uintptr_t{1u << 31};
  const std::uintptr_t hi = address_of(first) + field + INT32_MAX;
  switch (in.byte() % 5) {
    case 0: return lo + in.byte();
    case 1: return hi - in.byte();
    case 2: return lo + in.take<std::uint32_t>() % (hi - lo + 1);
    case 3:  // a duplicate site, unless it is a stray table's stray one
      if (field == 0 && !earlier.empty()) {
        const std::uintptr_t dup = earlier[in.below(earlier.size())].site;
        if (dup - lo <= hi - lo) return dup;
      }
      [[fallthrough]];
    default: return address_of(first) + field + static_cast<std::uintptr_t>(in.byte());
  }
}

// A target in reach of one field only (this entry's own slot), biased to the
// edges of its reach: such a table may be one that sort() must refuse.
std::uintptr_t stray(input& in, const std::int32_t& field) {
  std::int64_t delta;
  switch (in.byte() % 3) {
    case 0: delta = std::int64_t{INT32_MAX} - in.byte(); break;
    case 1: delta = std::int64_t{INT32_MIN} + in.byte(); break;
    default: delta = static_cast<std::int32_t>(in.take<std::uint32_t>()); break;
  }
  return address_of(&field) + static_cast<std::uintptr_t>(delta);
}

// The reference's verdict on sorting: every target in 32-bit reach of the
// same field of every slot, checked slot by slot.
bool every_slot_reaches(const extable::entry* first, const std::vector<triple>& ref) {
  const auto fits = [](std::uintptr_t field, std::uintptr_t target) {
    const auto d = static_cast<std::int64_t>(target - field);
    return d >= INT32_MIN && d <= INT32_MAX;
  };
  for (std::size_t j = 0; j < ref.size(); ++j)
    for (const triple& r : ref)
      if (!fits(address_of(&first[j].site_offset), r.site) ||
          !fits(address_of(&first[j].fixup_offset), r.fixup))
        return false;
  return true;
}

// assign() on a scratch entry: true exactly when both deltas fit in 32 bits,
// and then the entry resolves to the targets; false leaves it unchanged.
void check_assign(input& in) {
  extable::entry e{static_cast<std::int32_t>(in.take<std::uint32_t>()),
                   static_cast<std::int32_t>(in.take<std::uint32_t>()), in.byte()};
  const auto delta = [&in]() -> std::int64_t {
    const auto edge = static_cast<std::int64_t>(static_cast<std::int8_t>(in.byte()));
    switch (in.byte() % 4) {
      case 0: return std::int64_t{INT32_MAX} + edge;
      case 1: return std::int64_t{INT32_MIN} + edge;
      case 2: return static_cast<std::int64_t>(in.take<std::uint64_t>());
      default: return static_cast<std::int32_t>(in.take<std::uint32_t>());
    }
  };
  const std::int64_t ds = delta(), df = delta();
  const auto fits = [](std::int64_t d) { return d >= INT32_MIN && d <= INT32_MAX; };
  const std::uintptr_t site = address_of(&e.site_offset) + static_cast<std::uintptr_t>(ds);
  const std::uintptr_t fixup = address_of(&e.fixup_offset) + static_cast<std::uintptr_t>(df);
  const extable::entry before = e;
  const bool ok = e.assign(site, fixup);
  FUZZ_CHECK(ok == (fits(ds) && fits(df)));
  if (ok)
    FUZZ_CHECK(e.site() == site && e.fixup() == fixup && e.id == before.id);
  else
    FUZZ_CHECK(std::memcmp(&e, &before, sizeof e) == 0);
}

// Register up to more tables than there are slots: exactly the free slots
// are taken, a second registration is a no-op even when full, and each
// unregisters exactly once.
void check_registry_capacity(std::size_t used) {
  std::size_t taken = 0;
  for (extable::table& t : spare) taken += extable::register_table(t) ? 1 : 0;
  FUZZ_CHECK(taken == extable::max_tables - used);
  for (std::size_t i = 0; i < taken; ++i) FUZZ_CHECK(extable::register_table(spare[i]));
  for (std::size_t i = 0; i < std::size(spare); ++i)
    FUZZ_CHECK(extable::unregister_table(spare[i]) == (i < taken));
  for (extable::table& t : spare) FUZZ_CHECK(!extable::unregister_table(t));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  input in(data, size);
  // Every input starts from an empty registry (the last one cleaned up).
  for (const extable::table* t : extable::detail::registry) FUZZ_CHECK(t == nullptr);

  const std::size_t ntables = 1 + in.below(max_tables);
  std::vector<extable::table> tables;
  std::vector<std::vector<triple>> refs(ntables);
  for (std::size_t t = 0; t < ntables; ++t) {
    const std::size_t n = in.below(max_entries + 1);  // 0 is an empty table
    const std::uint8_t kind = in.byte();
    const bool code_table = (kind & 1) != 0, stray_table = !code_table && (kind & 2) != 0;
    // Code tables: few distinct sites, so duplicates are common. Far tables:
    // anywhere in reach of every slot, as a module or JIT buffer far away
    // would be. Stray tables: some targets (or none) only in reach of their
    // own slot, which sort() must detect and refuse.
    const std::size_t spread = 1 + in.below(sizeof code);
    extable::entry* first = storage[t];
    for (std::size_t i = 0; i < n; ++i) {
      const bool strays = stray_table && (in.byte() & 1) != 0;
      const std::uintptr_t site = code_table ? in_code(in.below(spread))
                                  : strays   ? stray(in, first[i].site_offset)
                                             : reachable(in, first, n, 0, refs[t]);
      const std::uintptr_t fixup = code_table ? in_code(in.take<std::uint16_t>())
                                   : strays   ? stray(in, first[i].fixup_offset)
                                              : reachable(in, first, n, 4, refs[t]);
      const std::uint8_t id_byte = in.byte();  // mostly an insn, else no insn
      const std::uint32_t id = id_byte < 192 ? id_byte % virtops::insn_count : id_byte;
      first[i].id = id;
      FUZZ_CHECK(first[i].assign(site, fixup));
      FUZZ_CHECK(of(first[i]) == (triple{site, fixup, id}));
      refs[t].push_back({site, fixup, id});
    }
    tables.emplace_back(first, first + n);
  }

  // Every lookup: nullptr exactly when the reference has no entry for the
  // site, else one of the reference's entries for it; no byte and not the
  // sorted state changes, hit or miss.
  const auto check_lookup = [&](std::size_t t, std::uintptr_t site) {
    extable::table& tab = tables[t];
    const std::vector<std::uint8_t> before(reinterpret_cast<const std::uint8_t*>(tab.begin()),
                                           reinterpret_cast<const std::uint8_t*>(tab.end()));
    const bool was_sorted = tab.sorted();
    const extable::entry* e = tab.find(site);
    const std::vector<triple> want = matching(refs[t], site);
    if (want.empty()) {
      FUZZ_CHECK(e == nullptr);
    } else {
      FUZZ_CHECK(e != nullptr && e >= tab.begin() && e < tab.end());
      FUZZ_CHECK(contains(want, of(*e)));
    }
    FUZZ_CHECK(tab.sorted() == was_sorted);
    FUZZ_CHECK(before.empty() || std::memcmp(before.data(), tab.begin(), before.size()) == 0);
    return e != nullptr;
  };

  // Probes: sites of the tables and their neighbours, code addresses, and
  // any 64-bit value.
  std::vector<std::uintptr_t> probes;
  for (std::size_t k = in.below(16); k > 0; --k) {
    const std::vector<triple>& ref = refs[in.below(ntables)];
    switch (in.byte() % 4) {
      case 0:
        if (!ref.empty()) {
          probes.push_back(
              ref[in.below(ref.size())].site +
              static_cast<std::uintptr_t>(static_cast<std::int8_t>(in.byte() % 3 - 1)));
          break;
        }
        [[fallthrough]];
      case 1: probes.push_back(in_code(in.take<std::uint16_t>())); break;
      case 2: probes.push_back(in.take<std::uint64_t>()); break;
      default: probes.push_back(address_of(storage[0]) + in.take<std::uint32_t>()); break;
    }
  }
  // Linear lookups first, then sort some tables and look again.
  for (std::size_t t = 0; t < ntables; ++t)
    for (std::uintptr_t p : probes) check_lookup(t, p);

  for (std::size_t t = 0; t < ntables; ++t) {
    if (in.byte() & 1) {
      const std::vector<std::uint8_t> before(
          reinterpret_cast<const std::uint8_t*>(tables[t].begin()),
          reinterpret_cast<const std::uint8_t*>(tables[t].end()));
      const bool sortable = every_slot_reaches(tables[t].begin(), refs[t]);
      FUZZ_CHECK(tables[t].sort() == sortable);
      FUZZ_CHECK(tables[t].sorted() == sortable);
      if (!sortable) {  // refused: not a byte changed, and the same answer again
        FUZZ_CHECK(std::memcmp(before.data(), tables[t].begin(), before.size()) == 0);
        FUZZ_CHECK(!tables[t].sort() && !tables[t].sorted());
        FUZZ_CHECK(std::memcmp(before.data(), tables[t].begin(), before.size()) == 0);
        continue;
      }
      std::vector<triple> now, want = refs[t];
      for (const auto& e : tables[t]) now.push_back(of(e));
      FUZZ_CHECK(std::is_sorted(now.begin(), now.end(),
                                [](const triple& a, const triple& b) { return a.site < b.site; }));
      std::sort(now.begin(), now.end());
      std::sort(want.begin(), want.end());
      FUZZ_CHECK(now == want);  // a permutation: nothing lost, nothing made up
      const std::vector<std::uint8_t> once(reinterpret_cast<const std::uint8_t*>(tables[t].begin()),
                                           reinterpret_cast<const std::uint8_t*>(tables[t].end()));
      FUZZ_CHECK(tables[t].sort());  // a second sort is a no-op
      FUZZ_CHECK(tables[t].sorted());
      FUZZ_CHECK(once.empty() || std::memcmp(once.data(), tables[t].begin(), once.size()) == 0);
    }
  }
  for (std::size_t t = 0; t < ntables; ++t) {
    for (const triple& r : refs[t]) FUZZ_CHECK(check_lookup(t, r.site));
    for (std::uintptr_t p : probes) check_lookup(t, p);
  }

  // The registry: the global find() and fixup() see exactly the registered
  // tables (this module's own table is empty: no wrapper is compiled here),
  // and fixup() claims what the vector rule claims.
  FUZZ_CHECK(extable::this_module().size() == 0);
  std::vector<bool> registered(ntables);
  std::size_t used = 0;
  for (std::size_t t = 0; t < ntables; ++t)
    if (in.byte() & 1) {
      registered[t] = extable::register_table(tables[t]);
      FUZZ_CHECK(registered[t] && extable::register_table(tables[t]));  // twice: one slot
      ++used;
    }
  std::vector<std::uintptr_t> sites = probes;
  for (std::size_t t = 0; t < ntables; ++t)
    for (const triple& r : refs[t]) sites.push_back(r.site);
  for (std::uintptr_t p : sites) {
    std::vector<triple> want;
    for (std::size_t t = 0; t < ntables; ++t)
      if (registered[t])
        for (const triple& r : matching(refs[t], p)) want.push_back(r);
    auto& slot = virtops::detail::fault_slot();
    const virtops::fault_info marker{virtops::insn::vmxon, 0xee, 0xdead, 0x1234};
    slot = marker;
    const std::uint8_t vector = pick_vector(in.byte());
    const std::uint32_t error_code = in.take<std::uint32_t>();
    const std::uintptr_t continuation = extable::fixup(p, vector, error_code);
    const extable::entry* e = extable::find(p);
    if (want.empty()) {
      FUZZ_CHECK(e == nullptr && continuation == 0);
      FUZZ_CHECK(slot == marker);  // a fault that is not ours leaves no trace
    } else {
      FUZZ_CHECK(e != nullptr && contains(want, of(*e)));
      if (reference_claims(e->id, vector, error_code)) {
        FUZZ_CHECK(continuation == e->fixup());
        FUZZ_CHECK(slot == (virtops::fault_info{e->instruction(), vector, error_code, p}));
      } else {  // an event, or an exception the instruction cannot raise
        FUZZ_CHECK(continuation == 0);
        FUZZ_CHECK(slot == marker);
      }
    }
  }
  if (in.byte() & 1) check_registry_capacity(used);
  for (std::size_t t = 0; t < ntables; ++t)
    if (registered[t]) FUZZ_CHECK(extable::unregister_table(tables[t]));
  for (std::size_t t = 0; t < ntables; ++t) FUZZ_CHECK(!extable::unregister_table(tables[t]));
  for (std::uintptr_t p : sites) FUZZ_CHECK(extable::find(p) == nullptr);

  for (std::size_t k = in.below(4); k > 0; --k) check_assign(in);
  return 0;
}
