// The exception table against a trivially correct reference: random tables
// (unsorted, with duplicate sites, empty, several of them, some registered)
// and random lookups. find() must agree with the reference, before and
// after sort(); sort() must only permute; a miss must change nothing; the
// registry and fixup() must see exactly the registered tables.
#include <algorithm>
#include <cstring>
#include <vector>
#include <virtops/extable.hpp>

#include "fuzz_support.hpp"

namespace {

namespace extable = virtops::extable;

// Stand-in code: entries point into it (sites) and at it (fixups), within
// the 32-bit reach the relative entries have.
alignas(16) char code[4096];
constexpr std::size_t max_tables = 4, max_entries = 64;
extable::entry storage[max_tables][max_entries];

struct triple {
  std::uintptr_t site, fixup;
  std::uint32_t id;
  bool operator==(const triple&) const = default;
  bool operator<(const triple& o) const {
    return site != o.site ? site < o.site : fixup != o.fixup ? fixup < o.fixup : id < o.id;
  }
};

std::uintptr_t addr(std::size_t off) {
  return reinterpret_cast<std::uintptr_t>(&code[off % sizeof code]);
}

triple of(const extable::entry& e) { return {e.site(), e.fixup(), e.id}; }

// The reference: every entry with this site, in any order.
std::vector<triple> matching(const std::vector<triple>& ref, std::uintptr_t site) {
  std::vector<triple> out;
  for (const triple& t : ref)
    if (t.site == site) out.push_back(t);
  return out;
}

bool contains(const std::vector<triple>& v, const triple& t) {
  return std::find(v.begin(), v.end(), t) != v.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  input in(data, size);
  const std::size_t ntables = 1 + in.below(max_tables);
  std::vector<extable::table> tables;
  std::vector<std::vector<triple>> refs(ntables);
  for (std::size_t t = 0; t < ntables; ++t) {
    const std::size_t n = in.below(max_entries + 1);  // 0 is an empty table
    // Few distinct sites, so duplicates are common.
    const std::size_t spread = 1 + in.below(sizeof code);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uintptr_t site = addr(in.below(spread));
      const std::uintptr_t fixup = addr(in.take<std::uint16_t>());
      const std::uint32_t id = in.byte();
      storage[t][i].id = id;
      FUZZ_CHECK(storage[t][i].assign(site, fixup));
      FUZZ_CHECK(of(storage[t][i]) == (triple{site, fixup, id}));
      refs[t].push_back({site, fixup, id});
    }
    tables.emplace_back(storage[t], storage[t] + n);
  }

  // A miss changes nothing; a hit finds an entry the reference has.
  const auto check_lookup = [&](std::size_t t, std::uintptr_t site) {
    extable::table& tab = tables[t];
    std::vector<std::uint8_t> before(reinterpret_cast<const std::uint8_t*>(tab.begin()),
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

  // Some lookups before sorting (linear), then sort some tables.
  std::vector<std::uintptr_t> probes;
  for (std::size_t k = in.below(16); k > 0; --k) probes.push_back(addr(in.take<std::uint16_t>()));
  for (std::size_t t = 0; t < ntables; ++t)
    for (std::uintptr_t p : probes) check_lookup(t, p);

  for (std::size_t t = 0; t < ntables; ++t) {
    if (in.byte() & 1) {
      tables[t].sort();
      FUZZ_CHECK(tables[t].sorted());
      std::vector<triple> now, want = refs[t];
      for (const auto& e : tables[t]) now.push_back(of(e));
      FUZZ_CHECK(std::is_sorted(now.begin(), now.end(),
                                [](const triple& a, const triple& b) { return a.site < b.site; }));
      std::sort(now.begin(), now.end());
      std::sort(want.begin(), want.end());
      FUZZ_CHECK(now == want);  // a permutation, nothing lost or made up
      tables[t].sort();         // a second sort is a no-op
      FUZZ_CHECK(tables[t].sorted());
    }
  }
  // Sorted or not, the same answers: every site of the reference and the probes.
  for (std::size_t t = 0; t < ntables; ++t) {
    for (const triple& r : refs[t]) FUZZ_CHECK(check_lookup(t, r.site));
    for (std::uintptr_t p : probes) check_lookup(t, p);
  }

  // The registry: register some tables; the global find() and fixup() see
  // exactly those (this module's own table has no site in `code`).
  std::vector<bool> registered(ntables);
  for (std::size_t t = 0; t < ntables; ++t)
    if (in.byte() & 1) registered[t] = extable::register_table(tables[t]);
  for (std::uintptr_t p : probes) {
    std::vector<triple> want;
    for (std::size_t t = 0; t < ntables; ++t)
      if (registered[t])
        for (const triple& r : matching(refs[t], p)) want.push_back(r);
    auto& slot = virtops::detail::fault_slot();
    const virtops::fault_info marker{virtops::insn::vmxon, 0xee, 0xdead, 0x1234};
    slot = marker;
    const std::uintptr_t continuation = extable::fixup(p, 13, 7);
    if (want.empty()) {
      FUZZ_CHECK(extable::find(p) == nullptr);
      FUZZ_CHECK(continuation == 0);
      FUZZ_CHECK(slot == marker);  // a fault that is not ours leaves no trace
    } else {
      const extable::entry* e = extable::find(p);
      FUZZ_CHECK(e != nullptr && contains(want, of(*e)));
      FUZZ_CHECK(continuation == e->fixup());
      FUZZ_CHECK(slot.rip == p && slot.vector == 13 && slot.error_code == 7 &&
                 slot.instruction == e->instruction());
    }
  }
  for (std::size_t t = 0; t < ntables; ++t)
    if (registered[t]) FUZZ_CHECK(extable::unregister_table(tables[t]));
  for (std::uintptr_t p : probes) FUZZ_CHECK(extable::find(p) == nullptr);
  return 0;
}
