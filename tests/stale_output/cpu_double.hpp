// A test double of the CPU for the stale-output tests, layered over
// virtops::posix::trap_guard. The wrappers under test are the real ones,
// inlined as usual; only what the CPU does at their instruction is changed,
// the way a hypervisor emulating VMX for a nested guest would:
//
//  - scribble: the instruction faults as it does in ring 3, but first every
//    register or memory operand the wrapper's asm declares it may change at
//    that point (its output, its clobbers, the registers its stub restores)
//    is overwritten with `poison`. Then the trap_guard's handler runs and the
//    fault path goes on as usual. A wrapper that let its output reach the
//    caller on the fault path would hand over the poison.
//  - vmfail_invalid / vmfail_valid: a VMX instruction that can VMfail does,
//    with CF or ZF set and RIP past it (its outputs poisoned as above; the
//    SDM leaves them alone, the asm may not rely on that). This reaches the
//    wrappers' vmfail_invalid/vmfail_valid labels, which ring 3 otherwise
//    never sees. The VMWRITEs of HOST_RSP/HOST_RIP in launch()/resume()
//    succeed, and the VMREAD of the VM-instruction error field (0x4400) that
//    the VMfailValid path makes yields `error`. VMPTRST (no VMfail) and the
//    SVM instructions fault as in scribble mode.
//
// Faults at addresses that are not virtops sites go straight on to the
// trap_guard's handler (and from there to the default action).
#pragma once

#include <cstdint>
#include <virtops/virtops.hpp>

namespace stale {

inline constexpr std::uint64_t poison = 0xdead'beef'baad'f00du;

enum class cpu_mode { scribble, vmfail_invalid, vmfail_valid };

constexpr const char* to_string(cpu_mode m) {
  return m == cpu_mode::scribble         ? "scribble"
         : m == cpu_mode::vmfail_invalid ? "vmfail_invalid"
                                         : "vmfail_valid";
}

// What the handler did, since the double was installed.
struct cpu_counters {
  unsigned faults = 0;          // faults handed on to the trap_guard
  unsigned scribbled = 0;       // register or memory operands poisoned
  unsigned vmfails = 0;         // VMfails emulated
  unsigned successes = 0;       // VMWRITE HOST_RSP/HOST_RIP and VMREAD 0x4400 emulated
  unsigned undecodable = 0;     // a virtops site this decoder does not know (a test bug)
  unsigned wrong_opcode = 0;    // the bytes at the site are not the entry's instruction
  virtops::insn last_vmfail{};  // the instruction whose VMfail was emulated last
};

// Installs the double for its lifetime; create it after the trap_guard and
// destroy it before. Not reentrant: one at a time, one thread.
class cpu_double {
 public:
  explicit cpu_double(cpu_mode mode,
                      virtops::vm_instruction_error error = virtops::vm_instruction_error::none);
  ~cpu_double();
  cpu_double(const cpu_double&) = delete;
  cpu_double& operator=(const cpu_double&) = delete;

  bool installed() const noexcept { return installed_; }
  static const cpu_counters& counters() noexcept;
  static void reset_counters() noexcept;

 private:
  bool installed_ = true;
};

// The instruction the bytes at `code` encode, and its length; false if they
// are none of the VMX/SVM instructions virtops wraps.
bool decode_length(const std::uint8_t* code, virtops::insn& what, unsigned& length);

}  // namespace stale
