// The exception table on synthetic tables: lookup before and after sorting,
// several tables, misses that must change nothing.
#include <algorithm>
#include <cstring>
#include <random>
#include <thread>
#include <vector>
#include <virtops/posix.hpp>
#include <virtops/virtops.hpp>

#include "virtops_catch.hpp"

namespace ext = virtops::extable;
using virtops::insn;

namespace {

// Sites and fixups must lie within 2 GiB of the entries: use a static arena.
alignas(16) char arena[1 << 20];
std::uintptr_t at(std::size_t offset) { return reinterpret_cast<std::uintptr_t>(arena) + offset; }

struct spec {
  std::uintptr_t site, fixup;
  std::uint32_t id;
};

// Entries must also lie within 2 GiB of their sites, so they come from a
// static pool next to the arena rather than from the heap.
ext::entry pool[64 * 1024];
std::size_t pool_used = 0;

struct entries {
  ext::entry* first;
  std::size_t count;
  ext::entry* begin() const { return first; }
  ext::entry* end() const { return first + count; }
  ext::entry* data() const { return first; }
  std::size_t size() const { return count; }
};

entries make(const std::vector<spec>& specs) {
  if (pool_used + specs.size() > std::size(pool)) pool_used = 0;
  entries v{pool + pool_used, specs.size()};
  pool_used += specs.size();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    REQUIRE(v.first[i].assign(specs[i].site, specs[i].fixup));
    v.first[i].id = specs[i].id;
  }
  return v;
}

std::vector<spec> random_specs(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::size_t> sites(sizeof(arena) / 8);
  for (std::size_t i = 0; i < sites.size(); ++i) sites[i] = i * 8;
  std::shuffle(sites.begin(), sites.end(), rng);
  std::vector<spec> specs;
  for (std::size_t i = 0; i < n; ++i)
    specs.push_back({at(sites[i]), at(sites[i] + 3), static_cast<std::uint32_t>(rng() % 19)});
  return specs;
}

void check_all_found(const ext::table& t, const std::vector<spec>& specs) {
  for (const spec& s : specs) {
    const ext::entry* e = t.find(s.site);
    REQUIRE(e != nullptr);
    CHECK(e->site() == s.site);
    CHECK(e->fixup() == s.fixup);
    CHECK(e->id == s.id);
  }
}

// Wrapper sites in this binary, so that its own table is not empty.
[[gnu::noinline]] virtops::status some_wrappers(int which) {
  switch (which) {
    case 0: return virtops::vmx::vmxoff();
    case 1: return virtops::svm::stgi();
    default: return virtops::vmx::vmclear(0);
  }
}

}  // namespace

TEST_CASE("an empty table finds nothing, sorted or not") {
  ext::table empty;
  CHECK(empty.size() == 0);
  CHECK(empty.find(at(0)) == nullptr);
  empty.sort();
  CHECK(empty.sorted());
  CHECK(empty.find(at(0)) == nullptr);
  ext::entry none[1];
  ext::table zero_length{none, none};
  CHECK(zero_length.find(at(0)) == nullptr);
}

TEST_CASE("entries are relative to themselves") {
  static ext::entry e{};  // static: within 2 GiB of the arena, unlike the stack
  REQUIRE(e.assign(at(100), at(200)));
  e.id = static_cast<std::uint32_t>(insn::vmwrite);
  CHECK(e.site() == at(100));
  CHECK(e.fixup() == at(200));
  CHECK(e.instruction() == insn::vmwrite);
  // A copy elsewhere points somewhere else: the offsets are relative.
  static ext::entry other_copy;
  std::memcpy(&other_copy, &e, sizeof e);
  CHECK(other_copy.site() - e.site() ==
        reinterpret_cast<std::uintptr_t>(&other_copy) - reinterpret_cast<std::uintptr_t>(&e));
  // The stack is far from the arena: out of 32-bit reach is refused, not truncated.
  ext::entry on_stack{};
  CHECK_FALSE(on_stack.assign(at(100), at(200)));
  CHECK_FALSE(e.assign(at(0) + (std::uintptr_t{1} << 40), at(0)));
}

TEST_CASE("unsorted tables are searched correctly before and after sorting") {
  for (std::size_t n : {1u, 2u, 3u, 10u, 257u, 5000u}) {
    INFO("entries: " << n);
    const auto specs = random_specs(n, static_cast<std::uint32_t>(n));
    auto storage = make(specs);
    ext::table t{storage.data(), storage.data() + storage.size()};
    CHECK_FALSE(t.sorted());
    check_all_found(t, specs);
    t.sort();
    CHECK(t.sorted());
    CHECK(std::is_sorted(
        storage.begin(), storage.end(),
        [](const ext::entry& a, const ext::entry& b) { return a.site() < b.site(); }));
    check_all_found(t, specs);
    // Addresses between and around the sites miss.
    for (const spec& s : specs) {
      CHECK(t.find(s.site + 1) == nullptr);
      CHECK(t.find(s.site - 1) == nullptr);
    }
  }
}

TEST_CASE("a table whose targets some slot cannot reach is left unsorted, not corrupted") {
  // Found by extable_fuzz: heapsort first moves the largest site to slot 0,
  // 24 bytes below the slot of the entry whose site is INT32_MAX bytes past
  // it. Sorting used to drop that entry (and duplicate another).
  static ext::entry e[3] = {{0, 0, 0}, {4, 4, 1}, {INT32_MAX, 0, 2}};
  std::uintptr_t sites[3], fixups[3];
  for (int i = 0; i < 3; ++i) sites[i] = e[i].site(), fixups[i] = e[i].fixup();
  CHECK_FALSE(e[0].reaches(sites[2], fixups[2]));
  CHECK(e[2].reaches(sites[2], fixups[2]));
  ext::entry before[3];
  std::memcpy(before, e, sizeof e);

  ext::table t{e, e + 3};
  CHECK_FALSE(t.sort());
  CHECK_FALSE(t.sorted());
  CHECK(std::memcmp(before, e, sizeof e) == 0);
  CHECK_FALSE(t.sort());  // asked again: the same answer, still untouched
  CHECK(std::memcmp(before, e, sizeof e) == 0);
  for (std::uint32_t i = 0; i < 3; ++i) {
    const ext::entry* found = t.find(sites[i]);
    REQUIRE(found != nullptr);
    CHECK(found->id == i);
    CHECK(found->fixup() == fixups[i]);
  }

  // 24 bytes closer, every slot reaches it: sorted, nothing lost.
  e[2].site_offset = INT32_MAX - 24;
  const std::uintptr_t near_site = e[2].site();
  ext::table u{e, e + 3};
  CHECK(u.sort());
  CHECK(u.sorted());
  REQUIRE(u.find(near_site) != nullptr);
  CHECK(u.find(near_site)->id == 2u);
  CHECK(u.find(sites[0])->id == 0u);
  CHECK(u.find(sites[1])->id == 1u);
}

TEST_CASE("duplicate sites resolve to one of their entries") {
  auto storage = make({{at(64), at(70), 1}, {at(8), at(9), 2}, {at(64), at(70), 1}});
  ext::table t{storage.data(), storage.data() + storage.size()};
  REQUIRE(t.find(at(64)) != nullptr);
  CHECK(t.find(at(64))->fixup() == at(70));
  t.sort();
  REQUIRE(t.find(at(64)) != nullptr);
  CHECK(t.find(at(64))->fixup() == at(70));
  CHECK(t.find(at(8))->id == 2);
}

TEST_CASE("a miss changes neither the table nor the fault slot") {
  auto storage = make(random_specs(100, 7));
  ext::table t{storage.data(), storage.data() + storage.size()};
  REQUIRE(ext::register_table(t));
  const std::vector<ext::entry> before(storage.begin(), storage.end());
  const virtops::fault_info sentinel{insn::clgi, 99, 0x5a5a, 0x1234};
  virtops::detail::fault_slot() = sentinel;
  CHECK(ext::fixup(at(3), virtops::vector::ud, 0) == 0);
  std::uintptr_t rip = at(5);
  CHECK_FALSE(virtops::trap::handle(rip, virtops::vector::gp, 0));
  CHECK(rip == at(5));
  CHECK(virtops::detail::fault_slot() == sentinel);
  CHECK(std::memcmp(before.data(), storage.data(), storage.size() * sizeof(ext::entry)) == 0);
  CHECK(ext::unregister_table(t));
}

TEST_CASE("a hit records the fault and returns the fixup") {
  auto storage = make({{at(16), at(48), static_cast<std::uint32_t>(insn::invept)}});
  ext::table t{storage.data(), storage.data() + 1};
  REQUIRE(ext::register_table(t));
  std::uintptr_t rip = at(16);
  CHECK(virtops::trap::handle(rip, virtops::vector::gp, 0x10));
  CHECK(rip == at(48));
  const virtops::fault_info expected{insn::invept, 13, 0x10, at(16)};
  CHECK(virtops::detail::fault_slot() == expected);
  CHECK(ext::unregister_table(t));
  rip = at(16);
  CHECK_FALSE(virtops::trap::handle(rip, virtops::vector::gp, 0x10));
}

TEST_CASE("several tables are searched, and unregistering removes one") {
  auto a_specs = random_specs(50, 1);
  auto b_specs = random_specs(50, 2);
  // Keep the two tables' sites disjoint.
  for (spec& s : b_specs) s.site += 4, s.fixup += 4;
  auto a = make(a_specs);
  auto b = make(b_specs);
  ext::table ta{a.data(), a.data() + a.size()}, tb{b.data(), b.data() + b.size()};
  REQUIRE(ext::register_table(ta));
  REQUIRE(ext::register_table(tb));
  REQUIRE(ext::register_table(ta));  // twice is a no-op
  tb.sort();
  for (const spec& s : a_specs) CHECK(ext::find(s.site) != nullptr);
  for (const spec& s : b_specs) CHECK(ext::find(s.site) != nullptr);
  CHECK(ext::unregister_table(ta));
  CHECK_FALSE(ext::unregister_table(ta));
  for (const spec& s : a_specs) CHECK(ext::find(s.site) == nullptr);
  for (const spec& s : b_specs) CHECK(ext::find(s.site) != nullptr);
  CHECK(ext::unregister_table(tb));
}

TEST_CASE("the registry refuses a table beyond its capacity") {
  std::vector<ext::table> tables(ext::max_tables + 1);
  std::size_t accepted = 0;
  for (ext::table& t : tables) accepted += ext::register_table(t) ? 1 : 0;
  CHECK(accepted <= ext::max_tables);
  CHECK_FALSE(ext::register_table(tables.back()));
  for (ext::table& t : tables) (void)ext::unregister_table(t);
}

TEST_CASE("concurrent sort() calls sort once and all return a sorted table") {
  const auto specs = random_specs(20000, 3);
  auto storage = make(specs);
  ext::table t{storage.data(), storage.data() + storage.size()};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      t.sort();
      CHECK(t.sorted());
    });
  for (auto& th : threads) th.join();
  check_all_found(t, specs);
}

TEST_CASE("this program's own table holds its wrapper sites") {
  virtops::posix::trap_guard guard;  // sorts this module's table
  for (int which = 0; which < 3; ++which)
    CHECK(some_wrappers(which).code() == virtops::errc::fault);
  ext::table& own = ext::this_module();
  CHECK(own.sorted());
  REQUIRE(own.size() >= 3);
  own.sort();
  for (const ext::entry& e : own) {
    CHECK(e.fixup() != e.site());
    CHECK(static_cast<unsigned>(e.instruction()) < virtops::insn_count);
    CHECK(ext::find(e.site()) == &e);
  }
}

namespace {

// The vector rule, written out from the SDM (Vol. 3C, ch. 31) and the APM
// (Vol. 3) independently of extable.hpp: what each instruction can raise.
// #UD 6, #SS 12, #GP 13, #PF 14; the hypercalls #PF as well (host facts:
// an Intel KVM guest raises #PF(7) for VMMCALL at CPL 3).
std::vector<int> raisable(std::uint32_t id) {
  switch (static_cast<insn>(id)) {
    case insn::vmxon:
    case insn::vmclear:
    case insn::vmptrld:
    case insn::vmptrst:
    case insn::vmread:
    case insn::vmwrite:
    case insn::invept:
    case insn::invvpid: return {6, 12, 13, 14};
    case insn::vmcall:
    case insn::vmmcall: return {6, 13, 14};
    case insn::vmxoff:
    case insn::vmlaunch:
    case insn::vmresume:
    case insn::vmrun:
    case insn::vmload:
    case insn::vmsave:
    case insn::stgi:
    case insn::clgi:
    case insn::invlpga: return {6, 13};
    // SDM Vol. 2: #GP(0) (CPL > 0, reserved MSR/XCR or value), #UD (LOCK;
    // XSETBV: no XSAVE or CR4.OSXSAVE clear); no memory operand.
    case insn::rdmsr:
    case insn::wrmsr:
    case insn::xsetbv: return {6, 13};
  }
  return {6, 12, 13, 14};  // an id no insn: any wrapped instruction
}

bool may_raise(std::uint32_t id, int vector) {
  const std::vector<int> v = raisable(id);
  return std::find(v.begin(), v.end(), vector) != v.end();
}

// trap::handle on a copy of `site`: claimed (RIP at the fixup, the fault
// recorded) or refused (RIP and the fault slot untouched), nothing between.
bool handled(std::uintptr_t site, std::uintptr_t fixup, std::uint32_t id, int vector,
             std::uint32_t error_code) {
  const virtops::fault_info sentinel{insn::clgi, 99, 0x5a5a, 0x1234};
  virtops::detail::fault_slot() = sentinel;
  std::uintptr_t rip = site;
  const bool claimed = virtops::trap::handle(rip, static_cast<std::uint8_t>(vector), error_code);
  if (claimed) {
    CHECK(rip == fixup);
    CHECK(virtops::detail::fault_slot() ==
          (virtops::fault_info{static_cast<insn>(id), static_cast<std::uint8_t>(vector), error_code,
                               site}));
  } else {
    CHECK(rip == site);
    CHECK(virtops::detail::fault_slot() == sentinel);
  }
  // The POSIX adapter's path, extable::fixup, answers the same.
  virtops::detail::fault_slot() = sentinel;
  const std::uintptr_t continuation =
      ext::fixup(site, static_cast<std::uint8_t>(vector), error_code);
  CHECK(continuation == (claimed ? fixup : 0));
  if (!claimed) CHECK(virtops::detail::fault_slot() == sentinel);
  return claimed;
}

}  // namespace

TEST_CASE("trap::handle claims a site only for an exception its instruction can raise") {
  std::vector<spec> specs;
  const std::uint32_t unknown_ids[] = {virtops::insn_count, 0xff, 0xffffffffu};
  for (std::uint32_t id = 0; id < virtops::insn_count + std::size(unknown_ids); ++id)
    specs.push_back({at(4096 + 32 * id), at(4096 + 32 * id + 7),
                     id < virtops::insn_count ? id : unknown_ids[id - virtops::insn_count]});
  auto storage = make(specs);
  ext::table t{storage.data(), storage.data() + storage.size()};
  REQUIRE(ext::register_table(t));
  for (const spec& s : specs) {
    INFO("id " << s.id << " (" << virtops::to_string(static_cast<insn>(s.id)) << ")");
    for (int v = 0; v < 256; ++v) {
      INFO("vector " << v);
      CHECK(handled(s.site, s.fixup, s.id, v, 0) == may_raise(s.id, v));
    }
    // Never an event: NMI, #DB, #BP, #DF, #MC, interrupts, with any error code.
    for (int v : {1, 2, 3, 8, 18, 32, 0x40, 0xef, 0xff})
      for (std::uint32_t err : {0u, 1u, 7u}) CHECK_FALSE(handled(s.site, s.fixup, s.id, v, err));
    // #GP/#SS with EXT (error code bit 0): raised delivering an event at
    // that RIP, not by the instruction (which raises #GP(0)/#SS(0)).
    for (int v : {12, 13}) {
      CHECK_FALSE(handled(s.site, s.fixup, s.id, v, 1));
      CHECK_FALSE(handled(s.site, s.fixup, s.id, v, 0x40 * 16 + 3));  // IDT gate 0x40, EXT
      CHECK(handled(s.site, s.fixup, s.id, v, 0x10) == may_raise(s.id, v));
    }
    // #PF's bit 0 is "present", no EXT: the Intel KVM VMMCALL #PF(7) is claimed.
    CHECK(handled(s.site, s.fixup, s.id, 14, 7) == may_raise(s.id, 14));
  }
  // What the issue checked: an NMI at a site used to be claimed.
  std::uintptr_t rip = specs[0].site;
  CHECK_FALSE(virtops::trap::handle(rip, 2, 0));
  CHECK(rip == specs[0].site);
  CHECK(ext::unregister_table(t));
}

TEST_CASE("no site of this program is claimed for an event") {
  virtops::posix::trap_guard guard;  // sorts this module's table
  for (int which = 0; which < 3; ++which)
    CHECK(some_wrappers(which).code() == virtops::errc::fault);
  ext::table& own = ext::this_module();
  REQUIRE(own.size() >= 3);
  for (const ext::entry& e : own) {
    INFO(virtops::to_string(e.instruction()) << " site");
    for (int v : {0, 1, 2, 3, 8, 18, 32, 0x80, 0xff})
      CHECK_FALSE(handled(e.site(), e.fixup(), e.id, v, 0));
    for (int v : {6, 13}) CHECK(handled(e.site(), e.fixup(), e.id, v, 0));
  }
}

TEST_CASE("an entry that cannot reach an address is left unchanged") {
  static ext::entry e{};
  REQUIRE(e.assign(at(8), at(16)));
  const ext::entry before = e;
  CHECK_FALSE(e.assign(at(24), at(0) + (std::uintptr_t{1} << 40)));  // fixup out of reach
  CHECK(std::memcmp(&before, &e, sizeof e) == 0);
  CHECK(e.site() == at(8));
}
