// vmx_read_capabilities.hpp: the reader reads exactly the capability MSRs
// that exist, in an order where each existence rule's inputs are already
// read, prefers the TRUE_* controls, and stops with the failed MSR's number
// and status. A fake CPU answers the reads; in ring 3 the real RDMSR #GPs,
// which must come back as errc::fault, not a crash.
#include <cstdint>
#include <map>
#include <vector>
#include <virtops/posix.hpp>
#include <virtops/vmx_controls.hpp>
#include <virtops/vmx_read_capabilities.hpp>

#include "virtops_catch.hpp"

namespace vmx = virtops::vmx;
using virtops::errc;
using u64 = std::uint64_t;

namespace {

constexpr u64 bit(unsigned n) { return u64{1} << n; }

// A CPU's capability MSRs; any other read is refused as a #GP(0) would be.
struct fake_cpu {
  std::map<std::uint32_t, u64> msrs;
  std::vector<std::uint32_t> reads;
  std::vector<std::uint32_t> absent_reads;

  virtops::result<u64> operator()(std::uint32_t index) {
    reads.push_back(index);
    const auto it = msrs.find(index);
    if (it == msrs.end()) {
      absent_reads.push_back(index);
      return virtops::status::from_fault({virtops::insn::rdmsr, 13, 0, 0x1000});
    }
    return it->second;
  }
};

fake_cpu always_present() {
  fake_cpu cpu;
  for (std::uint32_t m = 0x480; m <= 0x48a; ++m) cpu.msrs[m] = 0x1000 + m;
  return cpu;
}

}  // namespace

TEST_CASE("a CPU with only the basic capability MSRs: nothing else is read") {
  fake_cpu cpu = always_present();
  cpu.msrs[vmx::msr::basic] = 0x1234;               // no TRUE controls
  cpu.msrs[vmx::msr::procbased_ctls] = 0xffffffff;  // allowed-0 bits only: no CTLS2/3
  const vmx::capabilities_read r = vmx::read_capabilities_with(cpu);
  REQUIRE(r.ok());
  CHECK(cpu.absent_reads.empty());
  CHECK(cpu.reads.size() == 11);
  CHECK(r.value.basic == 0x1234);
  CHECK(r.value.pinbased_ctls == 0x1000 + 0x481);
  CHECK(r.value.procbased_ctls == 0xffffffff);
  CHECK(r.value.vmcs_enum == 0x1000 + 0x48a);
  CHECK(r.value.procbased_ctls2 == 0);
  CHECK(r.value.ept_vpid_cap == 0);
  CHECK(r.failed_msr == 0);
}

TEST_CASE("TRUE controls, secondary, tertiary, EPT/VPID, VMFUNC and exit controls 2: all read") {
  fake_cpu cpu = always_present();
  cpu.msrs[vmx::msr::basic] = bit(55) | 7;
  cpu.msrs[vmx::msr::procbased_ctls] = bit(63) | bit(49) | 0x0401e172;
  cpu.msrs[vmx::msr::exit_ctls] = bit(63) | 0x36dff;
  for (std::uint32_t m = 0x48d; m <= 0x490; ++m) cpu.msrs[m] = 0x2000 + m;
  // TRUE_PROCBASED_CTLS has the same allowed-1 bits (SDM A.3.1).
  cpu.msrs[vmx::msr::true_procbased_ctls] = bit(63) | bit(49) | 0x04006172;
  cpu.msrs[vmx::msr::true_exit_ctls] = bit(63) | 0x36dfb;
  cpu.msrs[vmx::msr::procbased_ctls2] = bit(33) | bit(45);
  cpu.msrs[vmx::msr::ept_vpid_cap] = 0xe0;
  cpu.msrs[vmx::msr::vmfunc] = vmx::vmfunc::eptp_switching;
  cpu.msrs[vmx::msr::procbased_ctls3] = vmx::proc3::ipi_virtualization;
  cpu.msrs[vmx::msr::exit_ctls2] = vmx::exit2::save_ia32_fred;
  const vmx::capabilities_read r = vmx::read_capabilities_with(cpu);
  REQUIRE(r.ok());
  CHECK(cpu.absent_reads.empty());
  // The plain control MSRs are not read when the TRUE ones exist.
  for (std::uint32_t m : cpu.reads) {
    CHECK(m != vmx::msr::pinbased_ctls);
    CHECK(m != vmx::msr::procbased_ctls);
  }
  CHECK(cpu.reads.size() == 16);
  CHECK(r.value.pinbased_ctls == 0x2000 + 0x48d);
  CHECK(r.value.procbased_ctls == (bit(63) | bit(49) | 0x04006172));
  CHECK(r.value.entry_ctls == 0x2000 + 0x490);
  CHECK(r.value.procbased_ctls2 == (bit(33) | bit(45)));
  CHECK(r.value.ept_vpid_cap == 0xe0);
  CHECK(r.value.vmfunc == vmx::vmfunc::eptp_switching);
  CHECK(r.value.procbased_ctls3 == vmx::proc3::ipi_virtualization);
  CHECK(r.value.exit_ctls2 == vmx::exit2::save_ia32_fred);
}

TEST_CASE("VPID without EPT still has EPT_VPID_CAP; VMFUNC needs its own allowed bit") {
  fake_cpu cpu = always_present();
  cpu.msrs[vmx::msr::procbased_ctls] = bit(63);
  cpu.msrs[vmx::msr::procbased_ctls2] = bit(37);
  cpu.msrs[vmx::msr::ept_vpid_cap] = bit(32);
  const vmx::capabilities_read r = vmx::read_capabilities_with(cpu);
  REQUIRE(r.ok());
  CHECK(cpu.absent_reads.empty());
  CHECK(r.value.ept_vpid_cap == bit(32));
  CHECK(r.value.vmfunc == 0);
}

TEST_CASE("a read that fails stops the reading and names the MSR") {
  fake_cpu cpu = always_present();
  cpu.msrs[vmx::msr::procbased_ctls] = bit(63);  // CTLS2 exists...
  // ...but the hypervisor below does not implement it.
  const vmx::capabilities_read r = vmx::read_capabilities_with(cpu);
  CHECK_FALSE(r.ok());
  CHECK(r.failed_msr == vmx::msr::procbased_ctls2);
  CHECK(r.error.code() == errc::fault);
  CHECK(r.error.fault().vector == 13);
  CHECK(cpu.reads.back() == vmx::msr::procbased_ctls2);
  CHECK(r.value.misc == 0x1000 + 0x485);  // what was read before stays
  // A failure of BASIC stops everything.
  fake_cpu none;
  const vmx::capabilities_read r2 = vmx::read_capabilities_with(none);
  CHECK(r2.failed_msr == vmx::msr::basic);
  CHECK(none.reads.size() == 1);
}

TEST_CASE("in ring 3 the real RDMSR faults: errc::fault for IA32_VMX_BASIC, no crash") {
  virtops::posix::trap_guard guard;
  const vmx::capabilities_read r = vmx::read_capabilities();
  CHECK_FALSE(r.ok());
  CHECK(r.failed_msr == vmx::msr::basic);
  CHECK(r.error.code() == errc::fault);
  CHECK(r.error.instruction() == virtops::insn::rdmsr);
  // Under policy::ignore the fault is resumed: the reads yield 0, and with
  // BASIC 0 nothing beyond the always-present MSRs is read.
  const vmx::capabilities_read quiet = vmx::read_capabilities<virtops::policy::ignore>();
  CHECK(quiet.ok());
  CHECK(quiet.value.basic == 0);
  CHECK(quiet.value.procbased_ctls2 == 0);
}
