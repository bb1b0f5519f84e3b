// Calls any virtops wrapper by its insn id under policy P, with harmless
// operands, so tests can iterate over every wrapper.
#pragma once

#include <virtops/virtops.hpp>

struct outcome {
  virtops::status st;
  std::uint64_t value = 0;  // what a read returned (0 if none)
};

// The wrappers that exist; vmlaunch/vmresume/vmcall/vmmcall run only in ring 0.
inline constexpr virtops::insn wrapped[] = {
    virtops::insn::vmxon,   virtops::insn::vmxoff, virtops::insn::vmclear, virtops::insn::vmptrld,
    virtops::insn::vmptrst, virtops::insn::vmread, virtops::insn::vmwrite, virtops::insn::invept,
    virtops::insn::invvpid, virtops::insn::vmrun,  virtops::insn::vmload,  virtops::insn::vmsave,
    virtops::insn::stgi,    virtops::insn::clgi,   virtops::insn::invlpga,
};

template <class P>
[[gnu::noinline]] outcome call_wrapper(virtops::insn i, std::uint64_t operand = 0x1000) {
  namespace vmx = virtops::vmx;
  namespace svm = virtops::svm;
  using virtops::insn;
  switch (i) {
    case insn::vmxon: return {vmx::vmxon<P>(operand)};
    case insn::vmxoff: return {vmx::vmxoff<P>()};
    case insn::vmclear: return {vmx::vmclear<P>(operand)};
    case insn::vmptrld: return {vmx::vmptrld<P>(operand)};
    case insn::vmptrst: {
      const auto r = vmx::vmptrst<P>();
      return {r.error(), r.value()};
    }
    case insn::vmread: {
      const auto r = vmx::vmread<P>(operand);
      return {r.error(), r.value()};
    }
    case insn::vmwrite: return {vmx::vmwrite<P>(operand, ~operand)};
    case insn::invept: return {vmx::invept<P>(vmx::invept_type::single_context, {operand})};
    case insn::invvpid:
      return {vmx::invvpid<P>(vmx::invvpid_type::individual_address, {1, {}, operand})};
    case insn::vmrun: return {svm::vmrun<P>(operand)};
    case insn::vmload: return {svm::vmload<P>(operand)};
    case insn::vmsave: return {svm::vmsave<P>(operand)};
    case insn::stgi: return {svm::stgi<P>()};
    case insn::clgi: return {svm::clgi<P>()};
    case insn::invlpga: return {svm::invlpga<P>(operand, 1)};
    default: return {virtops::status::vmfail_invalid(i)};
  }
}

// Counts faults per thread and remembers the last one.
struct counting {
  static inline thread_local unsigned faults = 0;
  static inline thread_local virtops::fault_info last{};
  static virtops::fault_action on_fault(const virtops::fault_info& f) noexcept {
    ++faults;
    last = f;
    return virtops::fault_action::report;
  }
};
