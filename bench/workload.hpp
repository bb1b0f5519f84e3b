// The two shapes of VMREAD use a hypervisor has, for every scaffold of
// standin.hpp: an exit handler reading 32 different fields (32 call sites),
// and one call site in a loop. handler_bench.cpp times them, codesize.cpp
// compiles the same bodies for the code-size report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "standin.hpp"

namespace workload {

enum class variant { bare, virtops, jmp_call, setcc, pushf, call };

template <variant V>
[[gnu::always_inline]] inline virtops::result<std::uint64_t> scaffold(
    std::uint64_t field) noexcept {
  if constexpr (V == variant::virtops) return standin::virtops_goto(field);
  if constexpr (V == variant::jmp_call) return standin::jmp_call(field);
  if constexpr (V == variant::setcc) return standin::setcc(field);
  if constexpr (V == variant::pushf) return standin::pushf(field);
  if constexpr (V == variant::call) return standin::call(field);
}

// One read as hypervisor code writes it (`const auto r`, as
// tests/codegen/sites.cpp does); bare has no failure to report.
template <variant V>
[[gnu::always_inline]] inline bool read(std::uint64_t field, std::uint64_t& value) noexcept {
  if constexpr (V == variant::bare) {
    value = standin::bare(field);
    return true;
  } else {
    const auto r = scaffold<V>(field);
    if (!r) return false;
    value = r.value();
    return true;
  }
}

// 32 distinct VMCS encodings an exit handler reads (reason, qualification,
// guest state...): all nonzero, so the stand-in succeeds.
alignas(64) inline std::uint64_t fields[32] = {
    0x4402, 0x6400, 0x681e, 0x440c, 0x4404, 0x4406, 0x4408, 0x440a, 0x440e, 0x6402, 0x6404,
    0x6406, 0x6408, 0x640a, 0x2400, 0x6800, 0x6802, 0x6804, 0x681c, 0x6820, 0x0802, 0x4802,
    0x6808, 0x480e, 0x4824, 0x4826, 0x2802, 0x2806, 0x6806, 0x4800, 0x0800, 0x6822};

// Like an exit handler filling in the vCPU's exit information: each value is
// stored as it is read, and the first failure ends the handler.
struct exit_info {
  std::uint64_t value[32];
};

template <variant V, std::size_t... I>
[[gnu::always_inline]] inline bool read_all(const std::uint64_t* f, exit_info& out,
                                            std::index_sequence<I...>) noexcept {
  return (read<V>(f[I], out.value[I]) && ...);
}

template <variant V>
[[gnu::always_inline]] inline bool handler32(const std::uint64_t* f, exit_info& out) noexcept {
  return read_all<V>(f, out, std::make_index_sequence<32>{});
}

template <variant V>
[[gnu::always_inline]] inline std::uint64_t single_site(const std::uint64_t* f,
                                                        std::size_t n) noexcept {
  std::uint64_t sum = 0, v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!read<V>(f[i & 31], v)) return ~0ull;
    sum += v;
  }
  return sum;
}

}  // namespace workload
