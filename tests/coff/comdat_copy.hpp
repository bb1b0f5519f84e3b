// An inline function with a wrapper site, included by two translation units
// (comdat_a.cpp, comdat_b.cpp): at -O0 each object has its own copy, in a
// COMDAT section, and the linker keeps one. The entries of the dropped copy
// must go with it (comdat_check.sh).
#pragma once

#include <virtops/msr.hpp>

inline std::uint64_t comdat_read_tsc_aux() { return virtops::msr::read(0xc0000103u).value_or(0); }
