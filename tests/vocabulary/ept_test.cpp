// ept.hpp: EPT entry bits (SDM Vol. 3C, 29.3.2), leaf and table entries,
// and the EPTP (25.6.11: 2:0 memory type, 5:3 walk length - 1, 6 A/D,
// 7 supervisor shadow stack, 51:12 address) checked against
// IA32_VMX_EPT_VPID_CAP, with typed refusals.
#include <cstdint>
#include <string>
#include <virtops/ept.hpp>

#include "virtops_catch.hpp"

namespace ept = virtops::ept;
namespace cap = virtops::vmx::ept_vpid_cap;
using u64 = std::uint64_t;

namespace {
constexpr u64 bit(unsigned n) { return u64{1} << n; }
constexpr u64 full_cap = cap::execute_only | cap::page_walk_length_4 | cap::page_walk_length_5 |
                         cap::memory_type_uc | cap::memory_type_wb | cap::pages_2m | cap::pages_1g |
                         cap::accessed_dirty | cap::supervisor_shadow_stack;
}  // namespace

TEST_CASE("entry bits at the SDM's positions") {
  CHECK(ept::read == bit(0));
  CHECK(ept::write == bit(1));
  CHECK(ept::execute == bit(2));
  CHECK(ept::memory_type_mask == (bit(3) | bit(4) | bit(5)));
  CHECK(ept::ignore_pat == bit(6));
  CHECK(ept::large_page == bit(7));
  CHECK(ept::accessed == bit(8));
  CHECK(ept::dirty == bit(9));
  CHECK(ept::user_execute == bit(10));
  CHECK(ept::verify_guest_paging == bit(57));
  CHECK(ept::paging_write_access == bit(58));
  CHECK(ept::supervisor_shadow_stack == bit(60));
  CHECK(ept::subpage_write == bit(61));
  CHECK(ept::suppress_ve == bit(63));
  CHECK(ept::address_mask == 0x000ffffffffff000ull);
  CHECK(static_cast<unsigned>(ept::memory_type::wb) == 6);
  CHECK(static_cast<unsigned>(ept::memory_type::wp) == 5);
  CHECK(static_cast<unsigned>(ept::memory_type::wt) == 4);
  CHECK(static_cast<unsigned>(ept::memory_type::wc) == 1);
}

TEST_CASE("table and page entries") {
  const u64 rwx = ept::read | ept::write | ept::execute;
  CHECK(ept::table_entry(0x5000, rwx, full_cap).value() == 0x5007);
  CHECK(ept::page_entry(ept::level::pte, 0x7000, ept::memory_type::wb, rwx | ept::ignore_pat,
                        full_cap)
            .value() == (0x7000 | 7 | (6u << 3) | bit(6)));
  CHECK(ept::page_entry(ept::level::pde, 0x200000, ept::memory_type::uc, ept::read, full_cap)
            .value() == (0x200000 | 1 | bit(7)));
  CHECK(ept::page_entry(ept::level::pdpte, 0x40000000, ept::memory_type::wb, rwx | ept::suppress_ve,
                        full_cap)
            .value() == (0x40000000 | 7 | (6u << 3) | bit(7) | bit(63)));
}

TEST_CASE("entries the CPU would misread are refused") {
  using ept::error;
  const u64 r = ept::read;
  CHECK(ept::table_entry(0x5800, r, full_cap).error() == error::address_not_aligned);
  CHECK(ept::table_entry(bit(52), r, full_cap).error() == error::address_beyond_maxphyaddr);
  CHECK(ept::table_entry(bit(40), r, full_cap, 39).error() == error::address_beyond_maxphyaddr);
  CHECK(ept::table_entry(bit(38), r, full_cap, 39).ok());
  CHECK(ept::table_entry(0x5000, r | ept::large_page, full_cap).error() ==
        error::flags_overlap_fields);
  CHECK(ept::table_entry(0x5000, ept::write, full_cap).error() == error::write_without_read);
  CHECK(ept::table_entry(0x5000, ept::execute, 0).error() == error::execute_only_not_supported);
  CHECK(ept::table_entry(0x5000, ept::execute, full_cap).ok());
  CHECK(ept::page_entry(ept::level::pde, 0x201000, ept::memory_type::wb, r, full_cap).error() ==
        error::address_not_aligned);
  CHECK(ept::page_entry(ept::level::pdpte, 0x200000, ept::memory_type::wb, r, full_cap).error() ==
        error::address_not_aligned);
  CHECK(
      ept::page_entry(ept::level::pde, 0x200000, ept::memory_type::wb, r, full_cap & ~cap::pages_2m)
          .error() == error::large_page_not_supported);
  CHECK(ept::page_entry(ept::level::pdpte, 0, ept::memory_type::wb, r, full_cap & ~cap::pages_1g)
            .error() == error::large_page_not_supported);
  CHECK(ept::page_entry(ept::level::pml4e, 0, ept::memory_type::wb, r, full_cap).error() ==
        error::no_leaf_at_this_level);
  CHECK(
      ept::page_entry(ept::level::pte, 0, static_cast<ept::memory_type>(2), r, full_cap).error() ==
      error::reserved_memory_type);
  CHECK(
      ept::page_entry(ept::level::pte, 0, static_cast<ept::memory_type>(7), r, full_cap).error() ==
      error::reserved_memory_type);
  CHECK(
      ept::page_entry(ept::level::pte, 0, ept::memory_type::wb, r | (6u << 3), full_cap).error() ==
      error::flags_overlap_fields);
}

TEST_CASE("the EPTP: memory type, walk length, A/D, shadow stack, address") {
  CHECK(ept::make_eptp(0x1000, full_cap).value() == (0x1000 | 6 | (3u << 3)));
  CHECK(ept::make_eptp(0x1000, full_cap, {.type = ept::memory_type::uc}).value() ==
        (0x1000 | 0 | (3u << 3)));
  CHECK(ept::make_eptp(0x1000, full_cap, {.walk_length = 5}).value() == (0x1000 | 6 | (4u << 3)));
  CHECK(ept::make_eptp(0x1000, full_cap, {.accessed_dirty = true}).value() ==
        (0x1000 | 6 | (3u << 3) | bit(6)));
  CHECK(ept::make_eptp(0x1000, full_cap, {.supervisor_shadow_stack = true}).value() ==
        (0x1000 | 6 | (3u << 3) | bit(7)));
}

TEST_CASE("an EPTP the CPU does not support is refused by name") {
  using ept::error;
  CHECK(ept::make_eptp(0x1000, full_cap & ~cap::memory_type_wb).error() ==
        error::memory_type_not_supported);
  CHECK(ept::make_eptp(0x1000, full_cap, {.type = ept::memory_type::wt}).error() ==
        error::memory_type_not_supported);
  CHECK(ept::make_eptp(0x1000, full_cap & ~cap::page_walk_length_4).error() ==
        error::walk_length_not_supported);
  CHECK(ept::make_eptp(0x1000, full_cap, {.walk_length = 3}).error() ==
        error::walk_length_not_supported);
  CHECK(ept::make_eptp(0x1000, full_cap & ~cap::page_walk_length_5, {.walk_length = 5}).error() ==
        error::walk_length_not_supported);
  CHECK(ept::make_eptp(0x1000, full_cap & ~cap::accessed_dirty, {.accessed_dirty = true}).error() ==
        error::accessed_dirty_not_supported);
  CHECK(ept::make_eptp(0x1000, full_cap & ~cap::supervisor_shadow_stack,
                       {.supervisor_shadow_stack = true})
            .error() == error::supervisor_shadow_stack_not_supported);
  CHECK(ept::make_eptp(0x1080, full_cap).error() == error::address_not_aligned);
  CHECK(ept::make_eptp(bit(36), full_cap, {.maxphyaddr = 36}).error() ==
        error::address_beyond_maxphyaddr);
  CHECK(ept::make_eptp(bit(35), full_cap, {.maxphyaddr = 36}).ok());
  CHECK(std::string(ept::to_string(error::walk_length_not_supported)) ==
        "walk_length_not_supported");
}

static_assert(ept::make_eptp(0x1000, full_cap).value() == 0x101e);
