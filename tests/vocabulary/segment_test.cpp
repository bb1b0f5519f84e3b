// segment.hpp: the VMCS access-rights format (SDM Vol. 3C, 25.4.1), the
// VMCB attribute format (APM Vol. 2, 15.5.1) and descriptors (SDM Vol. 3A,
// 3.4.5), each field at its position, and refusals of values that do not fit.
#include <cstdint>
#include <string>
#include <virtops/segment.hpp>

#include "virtops_catch.hpp"

namespace seg = virtops::segment;

TEST_CASE("each attribute at its VMCS and VMCB bit") {
  struct one {
    seg::attributes a;
    std::uint32_t vmcs;
    std::uint16_t vmcb;
  };
  const one cases[] = {
      {{.type = 0xf}, 0xf, 0xf},
      {{.s = true}, 1u << 4, 1u << 4},
      {{.dpl = 3}, 3u << 5, 3u << 5},
      {{.present = true}, 1u << 7, 1u << 7},
      {{.avl = true}, 1u << 12, 1u << 8},
      {{.long_mode = true}, 1u << 13, 1u << 9},
      {{.default_big = true}, 1u << 14, 1u << 10},
      {{.granularity = true}, 1u << 15, 1u << 11},
  };
  for (const one& c : cases) {
    INFO("VMCS " << c.vmcs);
    CHECK(seg::to_vmcs(c.a).value() == c.vmcs);
    CHECK(seg::to_vmcb(c.a).value() == c.vmcb);
    CHECK(seg::from_vmcs(c.vmcs).value() == c.a);
    CHECK(seg::from_vmcb(c.vmcb).value() == c.a);
  }
  CHECK(seg::to_vmcs(seg::unusable).value() == 1u << 16);
}

TEST_CASE("the flat segments a 64-bit guest starts with") {
  CHECK(seg::to_vmcs(seg::code64).value() == 0xa09b);
  CHECK(seg::to_vmcs(seg::data32).value() == 0xc093);
  CHECK(seg::to_vmcs(seg::tss64_busy).value() == 0x8b);
  CHECK(seg::to_vmcb(seg::code64).value() == 0xa9b);
  CHECK(seg::to_vmcb(seg::data32).value() == 0xc93);
  CHECK(seg::to_vmcb(seg::tss64_busy).value() == 0x8b);
}

TEST_CASE("descriptors: attributes, base and limit") {
  // A 64-bit ring-0 code descriptor (base 0, limit 0xfffff, G, L, P, S, type 0xb).
  const std::uint64_t code = 0x00af9b000000ffffull;
  CHECK(seg::from_descriptor(code) == seg::code64);
  CHECK(seg::descriptor_limit(code) == 0xffffffff);
  CHECK(seg::descriptor_base(code) == 0);
  // Base 0x12345678, limit 0x67 byte-granular, a busy TSS, DPL 0.
  const std::uint64_t tss = 0x12008b345678'0067ull;
  CHECK(seg::descriptor_base(tss) == 0x12345678);
  CHECK(seg::descriptor_base(tss, 0xffff'ffff'9abc'def0ull) == 0x9abcdef0'12345678ull);
  CHECK(seg::descriptor_limit(tss) == 0x67);
  CHECK(seg::from_descriptor(tss) == seg::tss64_busy);
  // DPL 3 data descriptor with AVL.
  const auto user = seg::from_descriptor(0x00dff3000000ffffull);
  CHECK(user.dpl == 3);
  CHECK(user.avl);
  CHECK(user.default_big);
  CHECK(seg::to_vmcs(user).value() == 0xd0f3);
}

TEST_CASE("bad input is refused, not truncated") {
  CHECK(seg::to_vmcs({.type = 16}).error() == seg::error::type_too_wide);
  CHECK(seg::to_vmcs({.dpl = 4}).error() == seg::error::dpl_too_wide);
  CHECK(seg::to_vmcb({.dpl = 4}).error() == seg::error::dpl_too_wide);
  CHECK(seg::to_vmcb(seg::unusable).error() == seg::error::unusable_in_vmcb);
  CHECK(seg::from_vmcs(0x100).error() == seg::error::reserved_bits);     // bits 11:8
  CHECK(seg::from_vmcs(1u << 17).error() == seg::error::reserved_bits);  // bits 31:17
  CHECK(seg::from_vmcs((1u << 16) | 0x100).ok());  // unusable: the CPU ignores the rest
  CHECK(seg::from_vmcb(0x1000).error() == seg::error::attrib_too_wide);
  CHECK(std::string(seg::to_string(seg::error::reserved_bits)) == "reserved_bits");
}

static_assert(seg::to_vmcs(seg::code64).value() == 0xa09b);
