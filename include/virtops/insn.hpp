/// \file
/// virtops: identifiers of the instructions virtops wraps.
#pragma once

#include "detail/std.hpp"

namespace virtops {

/// The instruction set an instruction belongs to. Ids are append-only, so
/// families interleave: ask family_of(), never compare ids.
enum class insn_family : std::uint8_t {
  vmx,    ///< Intel VMX: reports VMfailInvalid/VMfailValid in RFLAGS
  svm,    ///< AMD SVM: succeeds or faults
  other,  ///< system instructions (RDMSR, WRMSR, XSETBV): succeed or fault
};

// The instructions in id order: name, insn_family. Append only (see insn).
#define VIRTOPS_DETAIL_INSNS(X) \
  X(vmxon, vmx)                 \
  X(vmxoff, vmx)                \
  X(vmclear, vmx)               \
  X(vmptrld, vmx)               \
  X(vmptrst, vmx)               \
  X(vmread, vmx)                \
  X(vmwrite, vmx)               \
  X(invept, vmx)                \
  X(invvpid, vmx)               \
  X(vmlaunch, vmx)              \
  X(vmresume, vmx)              \
  X(vmcall, vmx)                \
  X(vmrun, svm)                 \
  X(vmload, svm)                \
  X(vmsave, svm)                \
  X(stgi, svm)                  \
  X(clgi, svm)                  \
  X(invlpga, svm)               \
  X(vmmcall, svm)               \
  X(rdmsr, other)               \
  X(wrmsr, other)               \
  X(xsetbv, other)

/// Stored in each exception-table entry, so values are part of the ABI of a
/// built table: append only.
enum class insn : std::uint8_t {
#define VIRTOPS_DETAIL_X(name, family) name,
  VIRTOPS_DETAIL_INSNS(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
};

/// The number of instructions: ids are 0 to insn_count - 1.
inline constexpr unsigned insn_count = 0
#define VIRTOPS_DETAIL_X(name, family) +1
    VIRTOPS_DETAIL_INSNS(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
    ;

namespace detail {
// Every instruction, in the table's order.
inline constexpr insn all_insns[] = {
#define VIRTOPS_DETAIL_X(name, family) insn::name,
    VIRTOPS_DETAIL_INSNS(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
};

// The count check (as xbyak checks its error-name table against its enum):
// one row per id, the n-th row id n, so arrays indexed by id (the vector
// rules, the verifier's counts) line up with the table.
constexpr bool insn_ids_dense() noexcept {
  if (sizeof all_insns / sizeof all_insns[0] != insn_count) return false;
  for (unsigned i = 0; i < insn_count; ++i)
    if (static_cast<unsigned>(all_insns[i]) != i) return false;
  return true;
}
static_assert(insn_ids_dense(), "virtops::insn: one table row per id, ids 0 to insn_count - 1");
}  // namespace detail

constexpr const char* to_string(insn i) noexcept {
  switch (i) {
#define VIRTOPS_DETAIL_X(name, family) \
  case insn::name: return #name;
    VIRTOPS_DETAIL_INSNS(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
  }
  return "unknown";
}

constexpr insn_family family_of(insn i) noexcept {
  switch (i) {
#define VIRTOPS_DETAIL_X(name, family) \
  case insn::name: return insn_family::family;
    VIRTOPS_DETAIL_INSNS(VIRTOPS_DETAIL_X)
#undef VIRTOPS_DETAIL_X
  }
  return insn_family::other;
}

#undef VIRTOPS_DETAIL_INSNS

/// True for VMX instructions, which report VMfailInvalid/VMfailValid in RFLAGS.
constexpr bool is_vmx(insn i) noexcept { return family_of(i) == insn_family::vmx; }

/// True for AMD SVM instructions.
constexpr bool is_svm(insn i) noexcept { return family_of(i) == insn_family::svm; }

}  // namespace virtops
