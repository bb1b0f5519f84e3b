/// \file
/// virtops: MSR permission bitmaps, which say which RDMSR/WRMSR a guest may
/// execute without an exit: VMX's MSR bitmap (Intel SDM Vol. 3C, 25.6.9)
/// and SVM's MSR permission map, MSRPM (AMD APM Vol. 2, 15.11). Layout
/// constants and helpers over storage the caller owns (no allocation). An
/// MSR outside every range the bitmap covers always exits: changing its
/// bits is refused with bitmap_error::msr_out_of_range, never written past
/// the map.
#pragma once

#include "checked.hpp"
#include "detail/bitmap.hpp"
#include "detail/std.hpp"

namespace virtops {

/// Which accesses to an MSR a helper sets or clears.
enum class msr_access : std::uint8_t { read = 1, write = 2, read_write = 3 };

namespace detail {
template <class Map>
constexpr bitmap_error change_msr(Map& map, std::uint32_t msr, msr_access a, bool set) noexcept {
  constexpr msr_access each[] = {msr_access::read, msr_access::write};
  for (const msr_access one : each) {
    if ((static_cast<unsigned>(a) & static_cast<unsigned>(one)) == 0) continue;
    const auto p = Map::position(msr, one);
    if (!p) return p.error();
    const auto mask = static_cast<std::uint8_t>(1u << p.value().bit);
    std::uint8_t& byte = map.bytes[p.value().byte];
    byte = static_cast<std::uint8_t>(set ? byte | mask : byte & ~mask);
  }
  return bitmap_error::none;
}
template <class Map>
constexpr bool msr_exits(const Map& map, std::uint32_t msr, msr_access a) noexcept {
  constexpr msr_access each[] = {msr_access::read, msr_access::write};
  for (const msr_access one : each) {
    if ((static_cast<unsigned>(a) & static_cast<unsigned>(one)) == 0) continue;
    const auto p = Map::position(msr, one);
    if (!p || ((map.bytes[p.value().byte] >> p.value().bit) & 1u)) return true;
  }
  return false;
}
}  // namespace detail

namespace vmx {

/// The VMX MSR bitmap (the VMCS's msr_bitmap address, with the "use MSR
/// bitmaps" processor-based control): one 4 KiB page, four 1 KiB bitmaps
/// with one bit per MSR; a set bit makes the access exit.
struct alignas(4096) msr_bitmap {
  static constexpr std::size_t size = 4096;
  static constexpr std::size_t alignment = 4096;
  static constexpr std::uint32_t read_low_offset = 0;      ///< reads of 0x0000_0000-0x0000_1FFF
  static constexpr std::uint32_t read_high_offset = 1024;  ///< reads of 0xC000_0000-0xC000_1FFF
  static constexpr std::uint32_t write_low_offset = 2048;
  static constexpr std::uint32_t write_high_offset = 3072;
  static constexpr std::uint32_t low_first = 0x00000000, low_last = 0x00001FFF;
  static constexpr std::uint32_t high_first = 0xC0000000, high_last = 0xC0001FFF;

  std::uint8_t bytes[size] = {};

  /// Where the bit of `msr` for `a` (read or write, not both) is.
  static constexpr virtops::checked<bitmap_position, bitmap_error> position(std::uint32_t msr,
                                                                            msr_access a) noexcept {
    const bool write = a == msr_access::write;
    std::uint32_t base, index;
    if (msr <= low_last) {
      base = write ? write_low_offset : read_low_offset;
      index = msr - low_first;
    } else if (msr >= high_first && msr <= high_last) {
      base = write ? write_high_offset : read_high_offset;
      index = msr - high_first;
    } else {
      return bitmap_error::msr_out_of_range;
    }
    return bitmap_position{base + index / 8, static_cast<std::uint8_t>(index % 8)};
  }

  /// Makes `a` to `msr` exit.
  [[nodiscard]] constexpr bitmap_error intercept(std::uint32_t msr, msr_access a) noexcept {
    return detail::change_msr(*this, msr, a, true);
  }
  /// Lets the guest do `a` to `msr` without an exit.
  [[nodiscard]] constexpr bitmap_error pass_through(std::uint32_t msr, msr_access a) noexcept {
    return detail::change_msr(*this, msr, a, false);
  }
  /// Whether `a` (either, for read_write) to `msr` exits; true for an MSR
  /// outside both ranges, which always exits.
  constexpr bool exits(std::uint32_t msr, msr_access a) const noexcept {
    return detail::msr_exits(*this, msr, a);
  }
};
static_assert(sizeof(msr_bitmap) == 4096 && alignof(msr_bitmap) == 4096);

}  // namespace vmx

namespace svm {

/// The SVM MSR permission map (control_area::msrpm_base_pa, with
/// intercept_misc1::msr_prot): 8 KiB, physically contiguous, 4 KiB aligned;
/// two bits per MSR, the even one for RDMSR, the odd one for WRMSR, in
/// three 2 KiB vectors (the fourth is reserved).
struct alignas(4096) msr_permission_map {
  static constexpr std::size_t size = 8192;
  static constexpr std::size_t alignment = 4096;
  struct range {
    std::uint32_t first, last, offset;  ///< MSRs first..last, from byte `offset`
  };
  static constexpr range ranges[3] = {
      {0x00000000, 0x00001FFF, 0x0000},
      {0xC0000000, 0xC0001FFF, 0x0800},
      {0xC0010000, 0xC0011FFF, 0x1000},
  };

  std::uint8_t bytes[size] = {};

  static constexpr virtops::checked<bitmap_position, bitmap_error> position(std::uint32_t msr,
                                                                            msr_access a) noexcept {
    for (const range& r : ranges) {
      if (msr < r.first || msr > r.last) continue;
      const std::uint32_t bit = (msr - r.first) * 2 + (a == msr_access::write ? 1u : 0u);
      return bitmap_position{r.offset + bit / 8, static_cast<std::uint8_t>(bit % 8)};
    }
    return bitmap_error::msr_out_of_range;
  }

  [[nodiscard]] constexpr bitmap_error intercept(std::uint32_t msr, msr_access a) noexcept {
    return detail::change_msr(*this, msr, a, true);
  }
  [[nodiscard]] constexpr bitmap_error pass_through(std::uint32_t msr, msr_access a) noexcept {
    return detail::change_msr(*this, msr, a, false);
  }
  constexpr bool exits(std::uint32_t msr, msr_access a) const noexcept {
    return detail::msr_exits(*this, msr, a);
  }
};
static_assert(sizeof(msr_permission_map) == 8192 && alignof(msr_permission_map) == 4096);

}  // namespace svm

}  // namespace virtops
