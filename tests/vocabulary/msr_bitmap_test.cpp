// msr_bitmap.hpp against Intel SDM Vol. 3C, 25.6.9 (the VMX MSR bitmap:
// read-low at 0, read-high at 1024, write-low at 2048, write-high at 3072)
// and AMD APM Vol. 2, 15.11 (the MSRPM: 0000_0000-0000_1FFF at 0x000,
// C000_0000-C000_1FFF at 0x800, C001_0000-C001_1FFF at 0x1000; two bits per
// MSR, read even, write odd).
#include <cstring>
#include <virtops/msr_bitmap.hpp>

#include "virtops_catch.hpp"

namespace vmx = virtops::vmx;
namespace svm = virtops::svm;
using virtops::bitmap_error;
using virtops::bitmap_position;
using virtops::msr_access;

namespace {
// The one byte of `bytes` that differs from zero, or -1 (none, or more).
template <std::size_t N>
long only_nonzero_byte(const std::uint8_t (&bytes)[N]) {
  long at = -1;
  for (std::size_t i = 0; i < N; ++i)
    if (bytes[i] != 0) {
      if (at >= 0) return -2;
      at = static_cast<long>(i);
    }
  return at;
}
}  // namespace

TEST_CASE("VMX MSR bitmap: layout constants are the SDM's") {
  STATIC_REQUIRE(vmx::msr_bitmap::size == 4096);
  STATIC_REQUIRE(vmx::msr_bitmap::alignment == 4096);
  STATIC_REQUIRE(alignof(vmx::msr_bitmap) == 4096);
  STATIC_REQUIRE(vmx::msr_bitmap::read_low_offset == 0);
  STATIC_REQUIRE(vmx::msr_bitmap::read_high_offset == 1024);
  STATIC_REQUIRE(vmx::msr_bitmap::write_low_offset == 2048);
  STATIC_REQUIRE(vmx::msr_bitmap::write_high_offset == 3072);
}

TEST_CASE("VMX MSR bitmap: each MSR's read and write bit is at the SDM's place") {
  struct row {
    std::uint32_t msr;
    msr_access a;
    std::uint32_t byte;
    unsigned bit;
  };
  const row rows[] = {
      {0x00000000, msr_access::read, 0, 0},
      {0x00000010, msr_access::read, 2, 0},          // IA32_TIME_STAMP_COUNTER
      {0x0000003A, msr_access::write, 2048 + 7, 2},  // IA32_FEATURE_CONTROL
      {0x00000277, msr_access::read, 0x4E, 7},       // IA32_PAT
      {0x00001FFF, msr_access::read, 1023, 7},
      {0x00001FFF, msr_access::write, 2048 + 1023, 7},
      {0xC0000000, msr_access::read, 1024, 0},
      {0xC0000080, msr_access::write, 3072 + 16, 0},  // EFER
      {0xC0000102, msr_access::read, 1024 + 32, 2},   // KERNEL_GS_BASE
      {0xC0001FFF, msr_access::write, 4095, 7},
  };
  for (const row& r : rows) {
    INFO(std::hex << r.msr);
    const auto p = vmx::msr_bitmap::position(r.msr, r.a);
    REQUIRE(p.ok());
    CHECK(p.value() == bitmap_position{r.byte, static_cast<std::uint8_t>(r.bit)});
    static vmx::msr_bitmap bm;
    std::memset(bm.bytes, 0, sizeof bm.bytes);
    CHECK_FALSE(bm.exits(r.msr, r.a));
    REQUIRE(bm.intercept(r.msr, r.a) == bitmap_error::none);
    CHECK(only_nonzero_byte(bm.bytes) == static_cast<long>(r.byte));
    CHECK(bm.bytes[r.byte] == (1u << r.bit));
    CHECK(bm.exits(r.msr, r.a));
    CHECK(bm.exits(r.msr, msr_access::read_write));
    const msr_access other = r.a == msr_access::read ? msr_access::write : msr_access::read;
    CHECK_FALSE(bm.exits(r.msr, other));
    REQUIRE(bm.pass_through(r.msr, r.a) == bitmap_error::none);
    CHECK(only_nonzero_byte(bm.bytes) == -1);
  }
}

TEST_CASE("VMX MSR bitmap: an MSR outside both ranges is refused and always exits") {
  static vmx::msr_bitmap bm;
  for (const std::uint32_t msr :
       {0x00002000u, 0xBFFFFFFFu, 0xC0002000u, 0xC0010000u, 0xC0011FFFu, 0xFFFFFFFFu}) {
    INFO(std::hex << msr);
    CHECK(vmx::msr_bitmap::position(msr, msr_access::read).error() ==
          bitmap_error::msr_out_of_range);
    CHECK(bm.intercept(msr, msr_access::read_write) == bitmap_error::msr_out_of_range);
    CHECK(bm.pass_through(msr, msr_access::write) == bitmap_error::msr_out_of_range);
    CHECK(bm.exits(msr, msr_access::read));
  }
  CHECK(only_nonzero_byte(bm.bytes) == -1);  // nothing was written
}

TEST_CASE("SVM MSRPM: layout constants are the APM's") {
  STATIC_REQUIRE(svm::msr_permission_map::size == 8192);
  STATIC_REQUIRE(alignof(svm::msr_permission_map) == 4096);
  STATIC_REQUIRE(svm::msr_permission_map::ranges[0].first == 0x00000000);
  STATIC_REQUIRE(svm::msr_permission_map::ranges[0].last == 0x00001FFF);
  STATIC_REQUIRE(svm::msr_permission_map::ranges[0].offset == 0x000);
  STATIC_REQUIRE(svm::msr_permission_map::ranges[1].first == 0xC0000000);
  STATIC_REQUIRE(svm::msr_permission_map::ranges[1].last == 0xC0001FFF);
  STATIC_REQUIRE(svm::msr_permission_map::ranges[1].offset == 0x800);
  STATIC_REQUIRE(svm::msr_permission_map::ranges[2].first == 0xC0010000);
  STATIC_REQUIRE(svm::msr_permission_map::ranges[2].last == 0xC0011FFF);
  STATIC_REQUIRE(svm::msr_permission_map::ranges[2].offset == 0x1000);
}

TEST_CASE("SVM MSRPM: two bits per MSR, read even, write odd, in the APM's vectors") {
  struct row {
    std::uint32_t msr;
    msr_access a;
    std::uint32_t byte;
    unsigned bit;
  };
  const row rows[] = {
      {0x00000000, msr_access::read, 0x000, 0},
      {0x00000000, msr_access::write, 0x000, 1},
      {0x00000003, msr_access::write, 0x000, 7},
      {0x00000004, msr_access::read, 0x001, 0},
      {0x00000277, msr_access::write, 0x9D, 7},  // PAT: bit 2*0x277+1 = 0x4EF
      {0x00001FFF, msr_access::write, 0x7FF, 7},
      {0xC0000080, msr_access::read, 0x800 + 0x20, 0},  // EFER
      {0xC0000080, msr_access::write, 0x820, 1},
      {0xC0000102, msr_access::write, 0x800 + 0x40, 5},
      {0xC0001FFF, msr_access::write, 0xFFF, 7},
      {0xC0010000, msr_access::read, 0x1000, 0},
      {0xC0010117, msr_access::write, 0x1000 + 0x45, 7},  // VM_HSAVE_PA: bit 0x22F
      {0xC0011FFF, msr_access::write, 0x17FF, 7},
  };
  for (const row& r : rows) {
    INFO(std::hex << r.msr);
    const auto p = svm::msr_permission_map::position(r.msr, r.a);
    REQUIRE(p.ok());
    CHECK(p.value() == bitmap_position{r.byte, static_cast<std::uint8_t>(r.bit)});
    static svm::msr_permission_map pm;
    std::memset(pm.bytes, 0, sizeof pm.bytes);
    REQUIRE(pm.intercept(r.msr, r.a) == bitmap_error::none);
    CHECK(only_nonzero_byte(pm.bytes) == static_cast<long>(r.byte));
    CHECK(pm.bytes[r.byte] == (1u << r.bit));
    CHECK(pm.exits(r.msr, r.a));
    const msr_access other = r.a == msr_access::read ? msr_access::write : msr_access::read;
    CHECK_FALSE(pm.exits(r.msr, other));
    REQUIRE(pm.intercept(r.msr, msr_access::read_write) == bitmap_error::none);
    CHECK(pm.exits(r.msr, other));
    REQUIRE(pm.pass_through(r.msr, msr_access::read_write) == bitmap_error::none);
    CHECK(only_nonzero_byte(pm.bytes) == -1);
  }
}

TEST_CASE("SVM MSRPM: an MSR outside the three ranges is refused, never written") {
  static svm::msr_permission_map pm;
  for (const std::uint32_t msr :
       {0x00002000u, 0xC0002000u, 0xC000FFFFu, 0xC0012000u, 0xC0020000u, 0xFFFFFFFFu}) {
    INFO(std::hex << msr);
    CHECK(svm::msr_permission_map::position(msr, msr_access::write).error() ==
          bitmap_error::msr_out_of_range);
    CHECK(pm.intercept(msr, msr_access::read_write) == bitmap_error::msr_out_of_range);
    CHECK(pm.exits(msr, msr_access::read));
  }
  CHECK(only_nonzero_byte(pm.bytes) == -1);
}

TEST_CASE("the bitmaps work at compile time") {
  constexpr bool ok = [] {
    svm::msr_permission_map pm{};
    if (pm.intercept(0xC0000080, msr_access::write) != bitmap_error::none) return false;
    return pm.exits(0xC0000080, msr_access::write) && !pm.exits(0xC0000080, msr_access::read);
  }();
  STATIC_REQUIRE(ok);
}
