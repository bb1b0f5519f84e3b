#include "comdat_copy.hpp"

extern "C" std::uint64_t comdat_b();
extern "C" std::uint64_t comdat_a() { return comdat_read_tsc_aux(); }
// Referenced by nothing: /OPT:REF (lld-link) and --gc-sections (ld.lld)
// drop it and its entry.
extern "C" std::uint64_t comdat_unused() { return virtops::msr::read(0x10).value_or(0); }
extern "C" std::uint64_t comdat_start() { return comdat_a() + comdat_b(); }
