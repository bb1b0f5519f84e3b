// The scaffolds of standin.hpp in the two shapes a hypervisor has: an exit
// handler doing 32 reads of different fields (32 sites), and one site in a
// loop. The fields come through a pointer the optimizer cannot see into.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <utility>

#include "standin.hpp"

namespace {

enum class variant { bare, virtops, jmp_call, setcc, pushf, call };

template <variant V>
[[gnu::always_inline]] inline virtops::result<std::uint64_t> scaffold(std::uint64_t field) noexcept {
  if constexpr (V == variant::virtops) return standin::virtops_goto(field);
  if constexpr (V == variant::jmp_call) return standin::jmp_call(field);
  if constexpr (V == variant::setcc) return standin::setcc(field);
  if constexpr (V == variant::pushf) return standin::pushf(field);
  if constexpr (V == variant::call) return standin::call(field);
}

template <variant V>
[[gnu::always_inline]] inline bool read(std::uint64_t field, std::uint64_t& value) noexcept {
  if constexpr (V == variant::bare) {
    value = standin::bare(field);
    return true;
  } else {
    const virtops::result<std::uint64_t> r = scaffold<V>(field);
    value = r.value();
    return r.has_value();
  }
}

// 32 distinct VMCS encodings an exit handler reads (reason, qualification,
// guest state...): all nonzero, so the stand-in succeeds.
alignas(64) std::uint64_t fields[32] = {
    0x4402, 0x6400, 0x681e, 0x440c, 0x4404, 0x4406, 0x4408, 0x440a, 0x440e, 0x6402, 0x6404,
    0x6406, 0x6408, 0x640a, 0x2400, 0x6800, 0x6802, 0x6804, 0x681c, 0x6820, 0x0802, 0x4802,
    0x6808, 0x480e, 0x4824, 0x4826, 0x2802, 0x2806, 0x6806, 0x4800, 0x0800, 0x6822};

// Like an exit handler filling in the vCPU's exit information: each value is
// stored as it is read, and the first failure ends the handler.
struct exit_info {
  std::uint64_t value[32];
};

template <variant V, std::size_t... I>
[[gnu::noinline]] bool handler(const std::uint64_t* f, exit_info& out, std::index_sequence<I...>) {
  return (read<V>(f[I], out.value[I]) && ...);
}

template <variant V>
void exit_handler(benchmark::State& state) {
  const std::uint64_t* f = fields;
  exit_info out{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(handler<V>(f, out, std::make_index_sequence<32>{}));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 32);
}

template <variant V>
[[gnu::noinline]] std::uint64_t loop(const std::uint64_t* f, std::size_t n) {
  std::uint64_t sum = 0, v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!read<V>(f[i & 31], v)) return ~0ull;
    sum += v;
  }
  return sum;
}

template <variant V>
void single_site(benchmark::State& state) {
  const std::uint64_t* f = fields;
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

#define VARIANT(v)                                                           \
  BENCHMARK(exit_handler<variant::v>)->Name(COMPILER "/handler32/" #v);      \
  BENCHMARK(single_site<variant::v>)->Name(COMPILER "/single_site/" #v)

VARIANT(bare);
VARIANT(virtops);
VARIANT(jmp_call);
VARIANT(setcc);
VARIANT(pushf);
VARIANT(call);

}  // namespace

BENCHMARK_MAIN();
