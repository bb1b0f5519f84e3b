#include "comdat_copy.hpp"

extern "C" std::uint64_t comdat_b() { return comdat_read_tsc_aux() + 1; }
