/// \file
/// virtops: what the MSR and I/O permission bitmaps (msr_bitmap.hpp,
/// io_bitmap.hpp) share: the error and the position of a bit.
#pragma once

#include "std.hpp"

namespace virtops {

/// Why a bitmap helper refused.
enum class bitmap_error : std::uint8_t {
  none,
  msr_out_of_range,  ///< the MSR is in none of the bitmap's ranges: it always exits
  bad_access_size,   ///< an I/O access size other than 1, 2 or 4
};

constexpr const char* to_string(bitmap_error e) noexcept {
  switch (e) {
    case bitmap_error::none: return "none";
    case bitmap_error::msr_out_of_range: return "msr_out_of_range";
    case bitmap_error::bad_access_size: return "bad_access_size";
  }
  return "unknown";
}

/// A bit in a bitmap: byte offset from its start, and bit in that byte.
struct bitmap_position {
  std::uint32_t byte;
  std::uint8_t bit;
  friend constexpr bool operator==(const bitmap_position&, const bitmap_position&) = default;
};

}  // namespace virtops
