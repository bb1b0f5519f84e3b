/// \file
/// virtops: identifiers of the instructions virtops wraps.
#pragma once

#include <cstdint>

namespace virtops {

/// Stored in each exception-table entry, so values are part of the ABI of a
/// built table: append only.
enum class insn : std::uint8_t {
  vmxon,
  vmxoff,
  vmclear,
  vmptrld,
  vmptrst,
  vmread,
  vmwrite,
  invept,
  invvpid,
  vmlaunch,
  vmresume,
  vmcall,
  vmrun,
  vmload,
  vmsave,
  stgi,
  clgi,
  invlpga,
  vmmcall,
};

inline constexpr unsigned insn_count = static_cast<unsigned>(insn::vmmcall) + 1;

constexpr const char* to_string(insn i) noexcept {
  switch (i) {
    case insn::vmxon: return "vmxon";
    case insn::vmxoff: return "vmxoff";
    case insn::vmclear: return "vmclear";
    case insn::vmptrld: return "vmptrld";
    case insn::vmptrst: return "vmptrst";
    case insn::vmread: return "vmread";
    case insn::vmwrite: return "vmwrite";
    case insn::invept: return "invept";
    case insn::invvpid: return "invvpid";
    case insn::vmlaunch: return "vmlaunch";
    case insn::vmresume: return "vmresume";
    case insn::vmcall: return "vmcall";
    case insn::vmrun: return "vmrun";
    case insn::vmload: return "vmload";
    case insn::vmsave: return "vmsave";
    case insn::stgi: return "stgi";
    case insn::clgi: return "clgi";
    case insn::invlpga: return "invlpga";
    case insn::vmmcall: return "vmmcall";
  }
  return "unknown";
}

/// True for VMX instructions, which report VMfailInvalid/VMfailValid in RFLAGS.
constexpr bool is_vmx(insn i) noexcept { return i <= insn::vmcall; }

}  // namespace virtops
