// The reference for the codegen table (scripts/codegen_table.sh): the
// 32-read handler of sites.cpp with bare VMREADs, no check and no table
// entry, what an unguarded hypervisor writes. Never run.
#include <cstddef>
#include <cstdint>
#include <utility>

[[gnu::always_inline]] inline void bare_read(std::uint64_t field, std::uint64_t& out) {
  asm volatile("vmread %1, %0" : "=r"(out) : "r"(field) : "cc");
}
template <std::size_t... I>
[[gnu::always_inline]] inline void bare_all(const std::uint64_t* fields, std::uint64_t* out,
                                            std::index_sequence<I...>) {
  (bare_read(fields[I], out[I]), ...);
}
extern "C" __attribute__((noinline)) bool cg_bare_handler32(const std::uint64_t* fields,
                                                           std::uint64_t* out) {
  bare_all(fields, out, std::make_index_sequence<32>{});
  return true;
}

int main() { return 0; }
