// svm_exit_info.hpp against AMD APM Vol. 2: 15.10.2 (IOIO, Figure 15-2),
// 15.11 (MSR), 15.8.1 (decode assists), 15.12 (exceptions), 15.25.6 (NPF).
#include <virtops/svm_exit_info.hpp>

#include "virtops_catch.hpp"

namespace svm = virtops::svm;
using svm::exit_info_error;

TEST_CASE("IOIO EXITINFO1 fields are at the bits of APM Figure 15-2") {
  // OUT DX, AL to port 0x3F8: SZ8 (bit 4), A64 (bit 9), port in 31:16.
  constexpr auto out = svm::decode_ioio((0x3F8u << 16) | (1u << 9) | (1u << 4), 0x401234);
  STATIC_REQUIRE(out.ok());
  CHECK(out.value().port == 0x3F8);
  CHECK_FALSE(out.value().in);
  CHECK_FALSE(out.value().string);
  CHECK_FALSE(out.value().rep);
  CHECK(out.value().operand_size == 1);
  CHECK(out.value().address_size == 64);
  CHECK(out.value().next_rip == 0x401234);
  // REP OUTSW from DS (SEG=3), 32-bit addresses.
  const std::uint64_t info =
      (0xCF8u << 16) | (3u << 10) | (1u << 8) | (1u << 5) | (1u << 3) | (1u << 2);
  const auto outs = svm::decode_ioio(info, 7);
  REQUIRE(outs.ok());
  CHECK(outs.value().port == 0xCF8);
  CHECK_FALSE(outs.value().in);
  CHECK(svm::decode_ioio(info | 1u, 7).value().in);  // TYPE: bit 0
  CHECK(outs.value().string);
  CHECK(outs.value().rep);
  CHECK(outs.value().operand_size == 2);
  CHECK(outs.value().address_size == 32);
  CHECK(outs.value().segment == svm::segment_register::ds);
  const auto dword = svm::decode_ioio((0xFFFFu << 16) | (1u << 7) | (1u << 6), 0);
  REQUIRE(dword.ok());
  CHECK(dword.value().operand_size == 4);
  CHECK(dword.value().address_size == 16);
  CHECK(dword.value().port == 0xFFFF);
}

TEST_CASE("IOIO EXITINFO1 with no or several sizes, or segment 6/7, is refused") {
  CHECK(svm::decode_ioio(1u << 9, 0).error() == exit_info_error::bad_operand_size);
  CHECK(svm::decode_ioio((1u << 9) | (3u << 4), 0).error() == exit_info_error::bad_operand_size);
  CHECK(svm::decode_ioio((1u << 4) | (3u << 7), 0).error() == exit_info_error::bad_address_size);
  CHECK(svm::decode_ioio((1u << 4) | (1u << 9) | (6u << 10), 0).error() ==
        exit_info_error::bad_segment);
  CHECK(svm::decode_ioio((1u << 4) | (1u << 9) | (5u << 10), 0).value().segment ==
        svm::segment_register::gs);
}

TEST_CASE("IOIO EXITINFO1 without an address size, as QEMU TCG stores it, decodes") {
  // QEMU 7.2 TCG's OUT DX, EAX to port 0x510 (the minivisor's guest): SZ32 only.
  const auto out = svm::decode_ioio((0x510u << 16) | (1u << 6), 0x1234);
  REQUIRE(out.ok());
  CHECK(out.value().address_size == 0);
  CHECK(out.value().operand_size == 4);
  CHECK(out.value().port == 0x510);
  CHECK_FALSE(out.value().in);
}

TEST_CASE("MSR EXITINFO1 is 0 for RDMSR, 1 for WRMSR") {
  CHECK(svm::decode_msr(0).value() == svm::msr_direction::read);
  CHECK(svm::decode_msr(1).value() == svm::msr_direction::write);
  CHECK(svm::decode_msr(2).error() == exit_info_error::bad_msr_direction);
}

TEST_CASE("NPF EXITINFO1 is a #PF error code with bits 32/33 for final translation/walk") {
  namespace b = svm::npf_bits;
  CHECK(b::present == 1u);
  CHECK(b::write == 2u);
  CHECK(b::user == 4u);
  CHECK(b::reserved_bit == 8u);
  CHECK(b::fetch == 0x10u);
  CHECK(b::protection_key == 0x20u);
  CHECK(b::shadow_stack == 0x40u);
  CHECK(b::rmp == 0x80000000u);
  CHECK(b::final_translation == 0x1'0000'0000ull);
  CHECK(b::page_table_walk == 0x2'0000'0000ull);
  CHECK(b::encrypted == 0x4'0000'0000ull);
  CHECK(b::size_mismatch == 0x8'0000'0000ull);
  CHECK(b::vmpl == 0x10'0000'0000ull);
  const auto f = svm::decode_npf(0x1'0000'0007ull, 0xfee00000);
  CHECK(f.present());
  CHECK(f.write());
  CHECK(f.user());
  CHECK_FALSE(f.fetch());
  CHECK(f.final_translation());
  CHECK_FALSE(f.page_table_walk());
  CHECK(f.gpa == 0xfee00000);
  const auto walk = svm::decode_npf(0x2'0000'0010ull, 0x1000);
  CHECK(walk.page_table_walk());
  CHECK(walk.fetch());
  CHECK_FALSE(walk.final_translation());
  CHECK_FALSE(walk.present());
}

TEST_CASE("CR/DR EXITINFO1 with decode assists: bit 63 says MOV, bits 3:0 the GPR") {
  const auto mov = svm::decode_cr_access((1ull << 63) | 0xb);
  CHECK(mov.mov);
  CHECK(mov.gpr == 11);
  const auto lmsw = svm::decode_cr_access(0);
  CHECK_FALSE(lmsw.mov);
  CHECK(svm::decode_cr_access((1ull << 63) | 0x1f).gpr == 0xf);
  CHECK(svm::decode_dr_access(0x7).gpr == 7);
}

TEST_CASE("exception EXITINFO1 is the error code, EXITINFO2 the #PF address") {
  const auto e = svm::decode_exception(0x0000'0000'0000'0006ull, 0xffff800000001000ull);
  CHECK(e.error_code == 6);
  CHECK(e.page_fault_address == 0xffff800000001000ull);
}
