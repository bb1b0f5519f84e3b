/// \file
/// virtops: reading the IA32_VMX_* capability MSRs that exist, and only
/// those, with the fault-tolerant RDMSR (msr.hpp).
///
///     const auto caps = virtops::vmx::read_capabilities();
///     if (!caps.ok()) { /* caps.failed_msr, caps.error: the RDMSR's `#GP` */ }
///     const auto proc = virtops::vmx::adjust_controls(
///         vmx::proc::hlt_exiting | vmx::proc::activate_secondary_controls, 0,
///         caps.value.procbased_ctls);
#pragma once

#include "detail/std.hpp"
#include "msr.hpp"
#include "policy.hpp"
#include "status.hpp"
#include "vmx_capabilities.hpp"

namespace virtops::vmx {

/// The capability MSRs, or the first RDMSR that failed.
struct capabilities_read {
  capabilities value{};          ///< the MSRs read before a failure; absent ones 0
  status error{};                ///< ok, or the failed RDMSR's status (errc::fault)
  std::uint32_t failed_msr = 0;  ///< the MSR whose RDMSR failed; 0 if ok()
  constexpr bool ok() const noexcept { return error.ok(); }
};

/// Reads every capability MSR that exists (SDM A.1-A.11;
/// capability_msr_exists) through `read` (a callable taking the MSR number
/// and returning a result<std::uint64_t>), in dependency order:
/// IA32_VMX_BASIC first, the TRUE_* controls instead of the plain ones when
/// BASIC[55] says they exist, PROCBASED_CTLS2 only when PROCBASED_CTLS
/// allows it, and so on; never an MSR that does not exist. A read that
/// fails all the same (a hypervisor below that lies about its MSRs) stops
/// the reading: `error` is its status and `failed_msr` its number.
template <class Read>
inline capabilities_read read_capabilities_with(Read&& read) noexcept {
  capabilities_read r;
  capabilities& c = r.value;
  const auto get = [&r, &read](std::uint32_t index, std::uint64_t& out) noexcept {
    if (!r.ok()) return;
    const result<std::uint64_t> v = read(index);
    if (v.has_value()) {
      out = v.value();
    } else {
      r.error = v.error();
      r.failed_msr = index;
    }
  };
  get(msr::basic, c.basic);
  const bool true_ctls = capability_msr_exists(msr::true_pinbased_ctls, c);
  get(true_ctls ? msr::true_pinbased_ctls : msr::pinbased_ctls, c.pinbased_ctls);
  get(true_ctls ? msr::true_procbased_ctls : msr::procbased_ctls, c.procbased_ctls);
  get(true_ctls ? msr::true_exit_ctls : msr::exit_ctls, c.exit_ctls);
  get(true_ctls ? msr::true_entry_ctls : msr::entry_ctls, c.entry_ctls);
  get(msr::misc, c.misc);
  get(msr::cr0_fixed0, c.cr0_fixed0);
  get(msr::cr0_fixed1, c.cr0_fixed1);
  get(msr::cr4_fixed0, c.cr4_fixed0);
  get(msr::cr4_fixed1, c.cr4_fixed1);
  get(msr::vmcs_enum, c.vmcs_enum);
  if (!r.ok()) return r;
  if (capability_msr_exists(msr::procbased_ctls2, c)) get(msr::procbased_ctls2, c.procbased_ctls2);
  if (capability_msr_exists(msr::procbased_ctls3, c)) get(msr::procbased_ctls3, c.procbased_ctls3);
  if (capability_msr_exists(msr::exit_ctls2, c)) get(msr::exit_ctls2, c.exit_ctls2);
  if (capability_msr_exists(msr::ept_vpid_cap, c)) get(msr::ept_vpid_cap, c.ept_vpid_cap);
  if (capability_msr_exists(msr::vmfunc, c)) get(msr::vmfunc, c.vmfunc);
  return r;
}

/// read_capabilities_with the fault-tolerant RDMSR under policy `P`: a `#GP`
/// is `error` (errc::fault), not a dead CPU. Needs CPL 0 (in ring 3 the
/// first RDMSR faults); VMX need not be on. Without VMX (CPUID.1:ECX.VMX
/// 0) IA32_VMX_BASIC itself raises `#GP` and comes back as that failure.
template <fault_policy P = policy::report>
inline capabilities_read read_capabilities() noexcept {
  return read_capabilities_with(
      [](std::uint32_t index) noexcept { return virtops::msr::read<P>(index); });
}

}  // namespace virtops::vmx
