// io_bitmap.hpp against Intel SDM Vol. 3C, 25.6.4 and 26.1.3 (I/O bitmap A:
// ports 0000-7FFF, B: 8000-FFFF; an access that wraps past FFFF always
// exits) and AMD APM Vol. 2, 15.10.1 (the 12 KiB IOPM; the CPU checks one
// bit per port touched, up to bit 0x10002 for an access at 0xFFFF).
#include <cstring>
#include <virtops/io_bitmap.hpp>

#include "virtops_catch.hpp"

namespace vmx = virtops::vmx;
namespace svm = virtops::svm;
using virtops::bitmap_error;

namespace {
template <std::size_t N>
std::size_t bits_set(const std::uint8_t (&bytes)[N]) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < N; ++i) n += static_cast<std::size_t>(__builtin_popcount(bytes[i]));
  return n;
}
}  // namespace

TEST_CASE("VMX I/O bitmaps: A for 0000-7FFF, B for 8000-FFFF, a bit per port") {
  STATIC_REQUIRE(sizeof(vmx::io_bitmap_page) == 4096);
  STATIC_REQUIRE(alignof(vmx::io_bitmap_page) == 4096);
  static vmx::io_bitmaps io;
  struct row {
    std::uint16_t port;
    bool b;
    std::uint32_t byte;
    unsigned bit;
  };
  const row rows[] = {{0x0000, false, 0, 0},    {0x0060, false, 12, 0}, {0x03F8, false, 0x7F, 0},
                      {0x7FFF, false, 4095, 7}, {0x8000, true, 0, 0},   {0xCF8, false, 0x19F, 0},
                      {0xCFC, false, 0x19F, 4}, {0xFFFF, true, 4095, 7}};
  for (const row& r : rows) {
    INFO(std::hex << r.port);
    CHECK(vmx::io_bitmaps::in_b(r.port) == r.b);
    const auto p = vmx::io_bitmaps::position(r.port);
    CHECK(p.byte == r.byte);
    CHECK(p.bit == r.bit);
    io.pass_through_all();
    io.intercept(r.port);
    const vmx::io_bitmap_page& page = r.b ? io.b : io.a;
    CHECK(page.bytes[r.byte] == (1u << r.bit));
    CHECK(bits_set(io.a.bytes) + bits_set(io.b.bytes) == 1);
    CHECK(io.intercepted(r.port));
    CHECK(io.exits(r.port, 1).value());
    io.pass_through(r.port);
    CHECK(bits_set(io.a.bytes) + bits_set(io.b.bytes) == 0);
  }
}

TEST_CASE("VMX I/O bitmaps: a multi-byte access exits if any port does, or if it wraps") {
  static vmx::io_bitmaps io;
  io.pass_through_all();
  io.intercept(0x71);
  CHECK(io.exits(0x70, 2).value());
  CHECK_FALSE(io.exits(0x70, 1).value());
  CHECK(io.exits(0x6E, 4).value());
  CHECK_FALSE(io.exits(0x72, 4).value());
  io.intercept(0x8000);  // across the A/B boundary
  CHECK(io.exits(0x7FFE, 4).value());
  // Wrapping past 0xFFFF always exits, with every bit clear.
  io.pass_through_all();
  CHECK_FALSE(io.exits(0xFFFF, 1).value());
  CHECK(io.exits(0xFFFF, 2).value());
  CHECK(io.exits(0xFFFD, 4).value());
  CHECK_FALSE(io.exits(0xFFFC, 4).value());
  CHECK(io.exits(0x60, 3).error() == bitmap_error::bad_access_size);
  CHECK(io.exits(0x60, 0).error() == bitmap_error::bad_access_size);
  io.intercept_all();
  CHECK(bits_set(io.a.bytes) + bits_set(io.b.bytes) == 65536);
}

TEST_CASE("SVM IOPM: 12 KiB, a bit per port, the third page for accesses past 0xFFFF") {
  STATIC_REQUIRE(svm::io_permission_map::size == 12288);
  STATIC_REQUIRE(alignof(svm::io_permission_map) == 4096);
  static svm::io_permission_map io;
  for (const unsigned port : {0x3u, 0x60u, 0x3F8u, 0x8000u, 0xCFCu, 0xFFFFu}) {
    INFO(std::hex << port);
    std::memset(io.bytes, 0, sizeof io.bytes);
    io.intercept(static_cast<std::uint16_t>(port));
    CHECK(io.bytes[port / 8] == (1u << (port % 8)));
    CHECK(bits_set(io.bytes) == 1);
    io.pass_through(static_cast<std::uint16_t>(port));
    CHECK(bits_set(io.bytes) == 0);
  }
  // Ports 0-2 also own bits 0x10000-0x10002 (byte 0x2000, the third page).
  std::memset(io.bytes, 0, sizeof io.bytes);
  io.intercept(0);
  CHECK(io.bytes[0] == 1);
  CHECK(io.bytes[0x2000] == 1);
  CHECK(bits_set(io.bytes) == 2);
  io.intercept(2);
  CHECK(io.bytes[0x2000] == 5);
  io.pass_through(0);
  io.pass_through(2);
  CHECK(bits_set(io.bytes) == 0);
}

TEST_CASE("SVM IOPM: an access exits as the CPU checks it, bit by bit without wrapping") {
  static svm::io_permission_map io;
  std::memset(io.bytes, 0, sizeof io.bytes);
  io.intercept(0x71);
  CHECK(io.exits(0x70, 2).value());
  CHECK(io.exits(0x6E, 4).value());
  CHECK_FALSE(io.exits(0x72, 4).value());
  // A wrapped access reaches port 0 through bit 0x10000.
  std::memset(io.bytes, 0, sizeof io.bytes);
  CHECK_FALSE(io.exits(0xFFFF, 2).value());
  io.intercept(0);
  CHECK(io.exits(0xFFFF, 2).value());
  CHECK(io.exits(0xFFFD, 4).value());
  CHECK_FALSE(io.exits(0xFFFC, 4).value());
  io.pass_through(0);
  io.intercept(1);
  CHECK_FALSE(io.exits(0xFFFF, 2).value());
  CHECK(io.exits(0xFFFE, 4).value());
  // Set by hand, the bit alone decides (this is what the CPU reads).
  std::memset(io.bytes, 0, sizeof io.bytes);
  io.bytes[0x2000] = 1;
  CHECK(io.exits(0xFFFF, 2).value());
  CHECK_FALSE(io.intercepted(0));
  CHECK(io.exits(0x60, 8).error() == bitmap_error::bad_access_size);
  io.intercept_all();
  CHECK(bits_set(io.bytes) == 12288 * 8);
}
