// Exception-table lookup, as a trap handler does it: sorted (binary search,
// what virtops does once sort() ran) against unsorted (linear scan), at 10,
// 1k and 100k entries, for sites that are in the table.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>
#include <virtops/extable.hpp>

namespace {

constexpr std::size_t max_entries = 100'000;
// Static, so every entry is within 32-bit reach of its "code".
alignas(16) char code[max_entries * 16];
virtops::extable::entry storage[2][max_entries];

struct fixture {
  virtops::extable::table table;
  std::vector<std::uintptr_t> probes;  // random sites of the table, in random order
};

fixture make(std::size_t n, bool sorted) {
  virtops::extable::entry* first = storage[sorted ? 1 : 0];
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(42);
  std::shuffle(order.begin(), order.end(), rng);  // entries in link order, not address order
  for (std::size_t i = 0; i < n; ++i) {
    const auto site = reinterpret_cast<std::uintptr_t>(&code[order[i] * 16]);
    if (!first[i].assign(site, site + 8)) std::abort();
  }
  fixture f{virtops::extable::table(first, first + n), {}};
  if (sorted) f.table.sort();
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  for (int i = 0; i < 4096; ++i) f.probes.push_back(reinterpret_cast<std::uintptr_t>(&code[pick(rng) * 16]));
  return f;
}

void lookup(benchmark::State& state, bool sorted) {
  const auto n = static_cast<std::size_t>(state.range(0));
  fixture f = make(n, sorted);
  std::size_t i = 0;
  for (auto _ : state) {
    const virtops::extable::entry* e = f.table.find(f.probes[i++ & 4095]);
    benchmark::DoNotOptimize(e);
    if (e == nullptr) state.SkipWithError("a site was not found");
  }
}

void sorted_lookup(benchmark::State& state) { lookup(state, true); }
void linear_lookup(benchmark::State& state) { lookup(state, false); }

BENCHMARK(sorted_lookup)->Name("extable/sorted")->Arg(10)->Arg(1000)->Arg(100'000);
BENCHMARK(linear_lookup)->Name("extable/linear")->Arg(10)->Arg(1000)->Arg(100'000);

}  // namespace

BENCHMARK_MAIN();
