// Setting up a guest the way the examples do: a 64-bit guest at CPL 0 that
// shares the host's page tables and descriptor tables (identity-mapped
// memory), on VMX or SVM. Hypervisor plumbing, not part of virtops.
#pragma once

#include <cstdint>
#include <virtops/io_bitmap.hpp>
#include <virtops/vmcb.hpp>

namespace baremetal {

// The VMCS revision identifier (IA32_VMX_BASIC[30:0]).
std::uint32_t vmcs_revision();

// Locks IA32_FEATURE_CONTROL with VMX enabled if firmware left it open, and
// sets CR0/CR4 as IA32_VMX_CR0/CR4_FIXED0/1 require, with CR4.VMXE. Returns
// IA32_FEATURE_CONTROL.
std::uint64_t vmx_enable();

// Writes controls (HLT exiting plus `proc_controls`, all required: a CPU
// that does not allow one of them fails the set-up), this CPU's host state
// and the guest state into the current VMCS. Returns the number of
// capability reads, control adjustments and VMWRITEs that failed (0 when
// all is well).
unsigned vmx_setup_vmcs(std::uint64_t guest_rip, std::uint64_t guest_rsp,
                        std::uint32_t proc_controls);

// Fills `vmcb` (zeroed): intercepts (VMRUN and VMMCALL are always on, plus
// `misc1`, virtops::vmcb::intercept_misc1 bits), ASID 1, and the guest
// state. With intercept_misc1::ioio_prot, `iopm` (physically contiguous)
// intercepts every port.
void svm_setup_vmcb(virtops::vmcb::vmcb& vmcb, std::uint64_t guest_rip, std::uint64_t guest_rsp,
                    std::uint32_t misc1, virtops::svm::io_permission_map* iopm = nullptr);

}  // namespace baremetal
