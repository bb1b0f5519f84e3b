/// \file
/// virtops: identifiers of the instructions virtops wraps.
#pragma once

#include "detail/std.hpp"

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
  rdmsr,
  wrmsr,
  xsetbv,
};

inline constexpr unsigned insn_count = static_cast<unsigned>(insn::xsetbv) + 1;

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
    case insn::rdmsr: return "rdmsr";
    case insn::wrmsr: return "wrmsr";
    case insn::xsetbv: return "xsetbv";
  }
  return "unknown";
}

/// The instruction set an instruction belongs to. Ids are append-only, so
/// families interleave: ask family_of(), never compare ids.
enum class insn_family : std::uint8_t {
  vmx,    ///< Intel VMX: reports VMfailInvalid/VMfailValid in RFLAGS
  svm,    ///< AMD SVM: succeeds or faults
  other,  ///< system instructions (RDMSR, WRMSR, XSETBV): succeed or fault
};

constexpr insn_family family_of(insn i) noexcept {
  switch (i) {
    case insn::vmxon:
    case insn::vmxoff:
    case insn::vmclear:
    case insn::vmptrld:
    case insn::vmptrst:
    case insn::vmread:
    case insn::vmwrite:
    case insn::invept:
    case insn::invvpid:
    case insn::vmlaunch:
    case insn::vmresume:
    case insn::vmcall: return insn_family::vmx;
    case insn::vmrun:
    case insn::vmload:
    case insn::vmsave:
    case insn::stgi:
    case insn::clgi:
    case insn::invlpga:
    case insn::vmmcall: return insn_family::svm;
    case insn::rdmsr:
    case insn::wrmsr:
    case insn::xsetbv: return insn_family::other;
  }
  return insn_family::other;
}

/// True for VMX instructions, which report VMfailInvalid/VMfailValid in RFLAGS.
constexpr bool is_vmx(insn i) noexcept { return family_of(i) == insn_family::vmx; }

/// True for AMD SVM instructions.
constexpr bool is_svm(insn i) noexcept { return family_of(i) == insn_family::svm; }

}  // namespace virtops
