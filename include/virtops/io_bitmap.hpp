/// \file
/// virtops: I/O permission bitmaps, which say which IN/OUT/INS/OUTS a guest
/// may execute without an exit: VMX's I/O bitmaps A and B (Intel SDM
/// Vol. 3C, 25.6.4 and 26.1.3) and SVM's I/O permission map, IOPM (AMD APM
/// Vol. 2, 15.10.1). One bit per port, set: the access exits. Layout
/// constants and helpers over storage the caller owns (no allocation).
#pragma once

#include "checked.hpp"
#include "detail/bitmap.hpp"
#include "detail/std.hpp"

namespace virtops {

namespace vmx {

/// One 4 KiB, 4 KiB-aligned I/O bitmap page.
struct alignas(4096) io_bitmap_page {
  std::uint8_t bytes[4096] = {};
};

/// I/O bitmaps A (the VMCS's io_bitmap_a, ports 0x0000-0x7FFF) and B
/// (io_bitmap_b, 0x8000-0xFFFF), with the "use I/O bitmaps" control. The
/// VMCS takes two addresses: the pages need not be adjacent, but are here.
struct io_bitmaps {
  static constexpr std::size_t page_size = 4096;
  static constexpr std::size_t alignment = 4096;
  static constexpr std::uint32_t b_first_port = 0x8000;

  io_bitmap_page a, b;

  /// The bit of `port`: byte offset within bitmap A (ports below 0x8000) or
  /// B, see in_b().
  static constexpr bitmap_position position(std::uint16_t port) noexcept {
    const std::uint32_t index = port & 0x7fffu;
    return {index / 8, static_cast<std::uint8_t>(index % 8)};
  }
  static constexpr bool in_b(std::uint16_t port) noexcept { return port >= b_first_port; }

  constexpr void intercept(std::uint16_t port) noexcept { change(port, true); }
  constexpr void pass_through(std::uint16_t port) noexcept { change(port, false); }
  constexpr void intercept_all() noexcept { fill(0xff); }
  constexpr void pass_through_all() noexcept { fill(0); }
  constexpr bool intercepted(std::uint16_t port) const noexcept {
    const bitmap_position p = position(port);
    return (page(port).bytes[p.byte] >> p.bit) & 1u;
  }
  /// Whether an access of `width` bytes (1, 2 or 4) at `port` exits: if any
  /// port it touches is intercepted, and always if it wraps past 0xFFFF.
  constexpr virtops::checked<bool, bitmap_error> exits(std::uint16_t port,
                                                       unsigned width) const noexcept {
    if (width != 1 && width != 2 && width != 4) return bitmap_error::bad_access_size;
    if (port + width - 1 > 0xffffu) return true;
    for (unsigned i = 0; i < width; ++i)
      if (intercepted(static_cast<std::uint16_t>(port + i))) return true;
    return false;
  }

 private:
  constexpr const io_bitmap_page& page(std::uint16_t port) const noexcept {
    return in_b(port) ? b : a;
  }
  constexpr void change(std::uint16_t port, bool set) noexcept {
    const bitmap_position p = position(port);
    std::uint8_t& byte = (in_b(port) ? b : a).bytes[p.byte];
    const auto mask = static_cast<std::uint8_t>(1u << p.bit);
    byte = static_cast<std::uint8_t>(set ? byte | mask : byte & ~mask);
  }
  constexpr void fill(std::uint8_t v) noexcept {
    for (std::size_t i = 0; i < page_size; ++i) a.bytes[i] = b.bytes[i] = v;
  }
};
static_assert(sizeof(io_bitmaps) == 8192 && alignof(io_bitmaps) == 4096);

}  // namespace vmx

namespace svm {

/// The SVM I/O permission map (control_area::iopm_base_pa, with
/// intercept_misc1::ioio_prot): 12 KiB, physically contiguous, 4 KiB
/// aligned. The CPU checks the bit of every port an access touches without
/// wrapping, so a 2- or 4-byte access at 0xFFFE/0xFFFF reads bits 0x10000
/// to 0x10002, in the third page; intercept() of ports 0-2 sets those too,
/// so a wrapped access exits exactly when one of its ports is intercepted.
struct alignas(4096) io_permission_map {
  static constexpr std::size_t size = 12288;
  static constexpr std::size_t alignment = 4096;
  /// The bits past port 0xFFFF a wrapped access reads (0x10000-0x10002).
  static constexpr std::uint32_t wrap_bits = 3;

  std::uint8_t bytes[size] = {};

  /// The bit of port `port` (or, 0x10000-0x10002, of a wrapped access).
  static constexpr bitmap_position position(std::uint32_t bit_index) noexcept {
    return {bit_index / 8, static_cast<std::uint8_t>(bit_index % 8)};
  }

  constexpr void intercept(std::uint16_t port) noexcept { change(port, true); }
  constexpr void pass_through(std::uint16_t port) noexcept { change(port, false); }
  constexpr void intercept_all() noexcept { fill(0xff); }
  constexpr void pass_through_all() noexcept { fill(0); }
  constexpr bool intercepted(std::uint16_t port) const noexcept { return bit(port); }
  /// Whether an access of `width` bytes (1, 2 or 4) at `port` exits, as the
  /// CPU decides it: any of bits port to port + size - 1 is set.
  constexpr virtops::checked<bool, bitmap_error> exits(std::uint16_t port,
                                                       unsigned width) const noexcept {
    if (width != 1 && width != 2 && width != 4) return bitmap_error::bad_access_size;
    for (std::uint32_t i = 0; i < width; ++i)
      if (bit(port + i)) return true;
    return false;
  }

 private:
  constexpr bool bit(std::uint32_t index) const noexcept {
    const bitmap_position p = position(index);
    return (bytes[p.byte] >> p.bit) & 1u;
  }
  constexpr void set_bit(std::uint32_t index, bool set) noexcept {
    const bitmap_position p = position(index);
    const auto mask = static_cast<std::uint8_t>(1u << p.bit);
    bytes[p.byte] = static_cast<std::uint8_t>(set ? bytes[p.byte] | mask : bytes[p.byte] & ~mask);
  }
  constexpr void change(std::uint16_t port, bool set) noexcept {
    set_bit(port, set);
    if (port < wrap_bits) set_bit(0x10000u + port, set);
  }
  constexpr void fill(std::uint8_t v) noexcept {
    for (std::size_t i = 0; i < size; ++i) bytes[i] = v;
  }
};
static_assert(sizeof(io_permission_map) == 12288 && alignof(io_permission_map) == 4096);

}  // namespace svm

}  // namespace virtops
