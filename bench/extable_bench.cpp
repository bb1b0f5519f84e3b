// Exception-table lookup as a trap handler does it: virtops::extable::table
// sorted (binary search, what virtops does once sort() ran) and unsorted
// (linear scan), at 10, 1k and 100k synthetic entries, for sites picked at
// random from the table. Two ways to run them:
//  - back to back: lookups are independent, so the CPU overlaps the cache
//    misses of consecutive ones (throughput);
//  - chained: each lookup's probe depends on the previous result, as one
//    lookup per fault does (latency).
// Reference: std::lower_bound over a plain sorted array of addresses, the
// floor of a binary search over that many sites without virtops' 12-byte
// relative entries.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>
#include <virtops/extable.hpp>

namespace {

constexpr std::size_t max_entries = 100'000;
constexpr std::size_t probe_count = 4096;  // a power of two
// Static, so every entry is within 32-bit reach of its "code".
alignas(64) char code[max_entries * 16];
virtops::extable::entry storage[max_entries];

enum class kind { sorted, linear, array };

struct fixture {
  virtops::extable::table table;
  std::vector<std::uintptr_t> array;   // kind::array: the sites, ascending
  std::vector<std::uintptr_t> probes;  // random sites of the table, in random order
};

fixture make(std::size_t n, kind k) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(42);
  std::shuffle(order.begin(), order.end(), rng);  // entries in link order, not address order
  for (std::size_t i = 0; i < n; ++i) {
    const auto site = reinterpret_cast<std::uintptr_t>(&code[order[i] * 16]);
    if (!storage[i].assign(site, site + 8)) std::abort();
  }
  fixture f{virtops::extable::table(storage, storage + n), {}, {}};
  if (k == kind::sorted) f.table.sort();
  if (k == kind::array) {
    for (std::size_t i = 0; i < n; ++i)
      f.array.push_back(reinterpret_cast<std::uintptr_t>(&code[i * 16]));
  }
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  for (std::size_t i = 0; i < probe_count; ++i)
    f.probes.push_back(reinterpret_cast<std::uintptr_t>(&code[pick(rng) * 16]));
  return f;
}

const void* find(const fixture& f, kind k, std::uintptr_t site) {
  if (k != kind::array) return f.table.find(site);
  const auto it = std::lower_bound(f.array.begin(), f.array.end(), site);
  return it != f.array.end() && *it == site ? &*it : nullptr;
}

template <kind K, bool Chained>
void lookup(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const fixture f = make(n, K);
  if (K == kind::sorted && !f.table.sorted()) state.SkipWithError("table not sorted");
  std::size_t i = 0;
  for (auto _ : state) {
    const void* e = find(f, K, f.probes[i]);
    benchmark::DoNotOptimize(e);
    if (e == nullptr) state.SkipWithError("a site was not found");
    // Chained: the next probe's index depends on this result (a user-space
    // pointer's top bit is 0, which the compiler cannot know).
    const std::size_t dependency = Chained ? reinterpret_cast<std::uintptr_t>(e) >> 63 : 0;
    i = (i + 1 + dependency) & (probe_count - 1);
  }
}

#define LOOKUP(k, chained, name) \
  BENCHMARK(lookup<kind::k, chained>)->Name(name)->Arg(10)->Arg(1000)->Arg(100'000)

LOOKUP(sorted, false, "extable/sorted");
LOOKUP(sorted, true, "extable/sorted_chained");
LOOKUP(linear, false, "extable/linear");
LOOKUP(array, false, "extable/array_lower_bound");
LOOKUP(array, true, "extable/array_lower_bound_chained");

}  // namespace

BENCHMARK_MAIN();
