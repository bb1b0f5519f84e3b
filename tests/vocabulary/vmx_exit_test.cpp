// vmx_exit_reason.hpp's exit-reason word and vmx_exit_qualification.hpp:
// every field of the VM-exit reason (SDM Vol. 3C, 25.9.1), of the exit
// qualifications for CR access, MOV DR, I/O and EPT violations (28.2.1)
// and of the VM-entry failure qualification (27.8), at the SDM's positions.
#include <cstdint>
#include <virtops/vmx_exit_qualification.hpp>
#include <virtops/vmx_exit_reason.hpp>

#include "virtops_catch.hpp"

namespace vmx = virtops::vmx;
using u64 = std::uint64_t;

TEST_CASE("the exit-reason word: basic reason and bits 26, 27, 28, 29, 31") {
  const auto plain = vmx::decode_exit_reason(12);
  CHECK(plain.basic == vmx::exit_reason::hlt);
  CHECK_FALSE(plain.bus_lock_detected);
  CHECK_FALSE(plain.enclave_mode);
  CHECK_FALSE(plain.pending_mtf);
  CHECK_FALSE(plain.from_vmx_root);
  CHECK_FALSE(plain.entry_failure);
  CHECK(plain.reserved == 0);
  const auto e = vmx::decode_exit_reason(0x8000'0021);  // entry failure, invalid guest state
  CHECK(e.basic == vmx::exit_reason::entry_failure_invalid_guest_state);
  CHECK(e.entry_failure);
  CHECK_FALSE(e.from_vmx_root);
  // A bus-lock exit (74) carries bit 26 too; it is a field, not a reserved bit.
  const auto bus_lock = vmx::decode_exit_reason(u64{1} << 26 | 74);
  CHECK(bus_lock.bus_lock_detected);
  CHECK(bus_lock.reserved == 0);
  CHECK(vmx::decode_exit_reason(u64{1} << 27 | 1).enclave_mode);
  CHECK(vmx::decode_exit_reason(u64{1} << 28 | 7).pending_mtf);
  CHECK(vmx::decode_exit_reason(u64{1} << 29 | 6).from_vmx_root);
  // Bits the SDM keeps 0 are reported, not folded into a field.
  CHECK(vmx::decode_exit_reason(u64{1} << 16 | 12).reserved == u64{1} << 16);
  CHECK(vmx::decode_exit_reason(u64{1} << 30 | 12).reserved == u64{1} << 30);
  CHECK(vmx::decode_exit_reason(u64{1} << 40 | 12).reserved == u64{1} << 40);
  CHECK(vmx::decode_exit_reason(u64{1} << 16 | 12).basic == vmx::exit_reason::hlt);
  CHECK(vmx::exit_reason_bits::enclave_mode == 1u << 27);
  CHECK(vmx::exit_reason_bits::pending_mtf == 1u << 28);
  CHECK(vmx::exit_reason_bits::from_vmx_root == 1u << 29);
  CHECK(vmx::exit_reason_bits::entry_failure == 1u << 31);
}

TEST_CASE("CR access: MOV to CR4 from R9, MOV from CR8 to RCX, CLTS, LMSW") {
  // SDM Table 28-3: 3:0 CR, 5:4 type, 6 LMSW operand, 11:8 GPR, 31:16 LMSW data.
  const auto mov_to = vmx::decode_cr_access(4 | (0u << 4) | (9u << 8));
  CHECK(mov_to.cr == 4);
  CHECK(mov_to.type == vmx::cr_access_type::mov_to_cr);
  CHECK(mov_to.gpr == 9);
  const auto mov_from = vmx::decode_cr_access(8 | (1u << 4) | (1u << 8));
  CHECK(mov_from.cr == 8);  // bit 3 is part of the CR number
  CHECK(mov_from.type == vmx::cr_access_type::mov_from_cr);
  CHECK(mov_from.gpr == 1);
  CHECK(vmx::decode_cr_access(2u << 4).type == vmx::cr_access_type::clts);
  const auto lmsw = vmx::decode_cr_access((3u << 4) | (1u << 6) | (0x8001u << 16));
  CHECK(lmsw.type == vmx::cr_access_type::lmsw);
  CHECK(lmsw.lmsw_memory);
  CHECK(lmsw.lmsw_source == 0x8001);
  CHECK(lmsw.cr == 0);
  CHECK(vmx::decode_cr_access(15u << 8).gpr == 15);
  CHECK_FALSE(vmx::decode_cr_access(1u << 7).lmsw_memory);
}

TEST_CASE("MOV DR: register, direction, GPR") {
  // SDM Table 28-4: 2:0 DR, 4 direction (1 = from DR), 11:8 GPR.
  const auto to = vmx::decode_dr_access(7 | (3u << 8));
  CHECK(to.dr == 7);
  CHECK_FALSE(to.from_dr);
  CHECK(to.gpr == 3);
  const auto from = vmx::decode_dr_access(6 | (1u << 4) | (14u << 8));
  CHECK(from.dr == 6);
  CHECK(from.from_dr);
  CHECK(from.gpr == 14);
  CHECK(vmx::decode_dr_access(8).dr == 0);  // bit 3 is not part of the DR number
}

TEST_CASE("I/O: size, direction, string, REP, operand encoding, port") {
  // SDM Table 28-5: 2:0 size - 1, 3 IN, 4 string, 5 REP, 6 immediate, 31:16 port.
  const auto out_dx = vmx::decode_io(0 | (0xe9u << 16));
  CHECK(out_dx.size == 1);
  CHECK_FALSE(out_dx.in);
  CHECK_FALSE(out_dx.string);
  CHECK_FALSE(out_dx.rep);
  CHECK_FALSE(out_dx.immediate);
  CHECK(out_dx.port == 0xe9);
  const auto in_imm = vmx::decode_io(3 | (1u << 3) | (1u << 6) | (0x71u << 16));
  CHECK(in_imm.size == 4);
  CHECK(in_imm.in);
  CHECK(in_imm.immediate);
  CHECK(in_imm.port == 0x71);
  const auto rep_outsw = vmx::decode_io(1 | (1u << 4) | (1u << 5) | (0xcf8u << 16));
  CHECK(rep_outsw.size == 2);
  CHECK(rep_outsw.string);
  CHECK(rep_outsw.rep);
  CHECK(rep_outsw.port == 0xcf8);
  CHECK(vmx::decode_io(0xffffu << 16).port == 0xffff);
  // 2 and 4-7 are no size: 0, not a guess.
  CHECK(vmx::decode_io(2).size == 0);
  CHECK(vmx::decode_io(5).size == 0);
}

TEST_CASE("EPT violation qualification bits at the SDM's positions") {
  namespace q = vmx::ept_violation;
  const u64 bits[] = {q::data_read,
                      q::data_write,
                      q::instruction_fetch,
                      q::readable,
                      q::writable,
                      q::executable,
                      q::user_executable,
                      q::linear_address_valid,
                      q::translated_access,
                      q::user_mode_linear_address,
                      q::linear_writable,
                      q::linear_execute_disable,
                      q::nmi_unblocking_due_to_iret,
                      q::shadow_stack_access,
                      q::supervisor_shadow_stack,
                      q::guest_paging_verification,
                      q::asynchronous};
  for (unsigned i = 0; i < sizeof bits / sizeof bits[0]; ++i) {
    INFO("bit " << i);
    CHECK(bits[i] == u64{1} << i);  // SDM Table 28-7 numbers them 0-16 in this order
  }
}

TEST_CASE("VM-entry failure qualifications") {
  // SDM 27.8: exit reason 33 with qualification 2 (PDPTEs), 3 (NMI
  // injection), 4 (VMCS link pointer); 34 with the failing entry's index.
  CHECK(static_cast<unsigned>(vmx::entry_failure_qualification::none) == 0);
  CHECK(static_cast<unsigned>(vmx::entry_failure_qualification::pdpte_loading) == 2);
  CHECK(static_cast<unsigned>(vmx::entry_failure_qualification::nmi_injection) == 3);
  CHECK(static_cast<unsigned>(vmx::entry_failure_qualification::invalid_vmcs_link_pointer) == 4);
  CHECK(vmx::failed_msr_load_entry(3) == 3);
}
