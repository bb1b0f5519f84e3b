// Times the scaffolds of standin.hpp in the workloads of workload.hpp. The
// fields come through a pointer the optimizer cannot see into.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "workload.hpp"

namespace {

using workload::variant;

// Each timed function starts on a 64-byte boundary, so that no variant gains
// or loses by where the linker puts it (fetch and op-cache boundaries).
template <variant V>
[[gnu::noinline, gnu::aligned(64)]] bool handler(const std::uint64_t* f, workload::exit_info& out) {
  return workload::handler32<V>(f, out);
}

template <variant V>
[[gnu::noinline, gnu::aligned(64)]] std::uint64_t loop(const std::uint64_t* f, std::size_t n) {
  return workload::single_site<V>(f, n);
}

template <variant V>
void handler32(benchmark::State& state) {
  const std::uint64_t* f = workload::fields;
  workload::exit_info out{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(f);
    if (!handler<V>(f, out)) state.SkipWithError("a read failed");
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 32);
}

template <variant V>
void single_site(benchmark::State& state) {
  const std::uint64_t* f = workload::fields;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(loop<V>(f, 1024));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 1024);
}

#if defined(__clang__)
#define COMPILER "clang"
#else
#define COMPILER "gcc"
#endif

#define VARIANT(v)                                                   \
  BENCHMARK(handler32<variant::v>)->Name(COMPILER "/handler32/" #v); \
  BENCHMARK(single_site<variant::v>)->Name(COMPILER "/single_site/" #v)

VARIANT(bare);
VARIANT(virtops);
VARIANT(jmp_call);
VARIANT(setcc);
VARIANT(pushf);
VARIANT(call);

}  // namespace

BENCHMARK_MAIN();
