// Random sequences of faulting wrapper calls in ring 3 under the POSIX
// adapter, with random policies and operands. After every call: the status
// names the wrapper's instruction and the vector the CPU raised (by an
// oracle that runs the bare instruction under a plain handler), the fault
// RIP is a table site of that instruction, counting policies count exactly,
// and values live in registers across the calls are intact.
#include <vector>
#include <virtops/posix.hpp>
#include <virtops/virtops.hpp>

#include "call_wrapper.hpp"
#include "fuzz_support.hpp"
#include "probe.hpp"

namespace {

using virtops::errc;
namespace policy = virtops::policy;

struct machine {
  static inline bool value = false;
  static bool rebooting() noexcept { return value; }
};
using reboot_aware = policy::reboot_aware<machine, policy::report>;

struct usable_wrapper {
  wrapper w;
  raised oracle;
};
std::vector<usable_wrapper> usable;

bool is_hypercall(wrapper w) { return w == wrapper::vmcall || w == wrapper::vmmcall; }

void check_fault(const usable_wrapper& u, const virtops::status& s) {
  FUZZ_CHECK(s.code() == errc::fault);
  FUZZ_CHECK(s.instruction() == instruction_of(u.w));
  const virtops::fault_info f = s.fault();
  FUZZ_CHECK(f.vector == u.oracle.trapno);
  FUZZ_CHECK(f.error_code == u.oracle.error_code);
  const virtops::extable::entry* e = virtops::extable::find(f.rip);
  FUZZ_CHECK(e != nullptr && e->instruction() == instruction_of(u.w));
}

// What the call yields besides the status after a fault (see call_wrapper).
std::uint64_t value_after_fault(wrapper w, std::uint64_t operand) {
  return is_hypercall(w) ? operand : 0;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The oracle first, with its own handler; VMMCALL may be answered by a
  // hypervisor below instead of faulting, so only what faults is used.
  for (wrapper w : all_wrappers) {
    const raised r = probe(first_executed(w));
    if (r.faulted) usable.push_back({w, r});
  }
  static virtops::posix::trap_guard guard;  // for the whole run
  FUZZ_CHECK(guard.installed() && !usable.empty());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (usable.empty()) LLVMFuzzerInitialize(nullptr, nullptr);
  input in(data, size);
  // Values that must survive every fault: kept in callee-saved registers
  // across the (noinline) calls, checked after each.
  const std::uint64_t seed = in.take<std::uint64_t>();
  std::uint64_t a = seed * 0x9e3779b97f4a7c15ull, b = ~seed, c = seed ^ 0x5555;
  for (unsigned steps = 0; !in.empty() && steps < 64; ++steps) {
    const usable_wrapper& u = usable[in.below(usable.size())];
    const std::uint8_t how = in.byte();
    const std::uint64_t operand = in.take<std::uint64_t>();
    switch (how % 4) {
      case 0: {
        const outcome o = call_wrapper<policy::report>(u.w, operand);
        check_fault(u, o.st);
        FUZZ_CHECK(o.value == value_after_fault(u.w, operand));
        break;
      }
      case 1: {  // resumed: success, reads yield 0, hypercall registers unchanged
        const outcome o = call_wrapper<policy::ignore>(u.w, operand);
        FUZZ_CHECK(o.st.ok());
        FUZZ_CHECK(o.value == value_after_fault(u.w, operand));
        break;
      }
      case 2: {
        const unsigned before = counting::faults;
        const outcome o = call_wrapper<counting>(u.w, operand);
        FUZZ_CHECK(counting::faults == before + 1);
        check_fault(u, o.st);
        FUZZ_CHECK(counting::last == o.st.fault());
        break;
      }
      default: {
        machine::value = (how & 4) != 0;
        const outcome o = call_wrapper<reboot_aware>(u.w, operand);
        if (machine::value)
          FUZZ_CHECK(o.st.ok());
        else
          check_fault(u, o.st);
        break;
      }
    }
    // Nothing the fault path touched may leak into the caller's registers.
    asm volatile("" : "+r"(a), "+r"(b), "+r"(c));
    FUZZ_CHECK(a == seed * 0x9e3779b97f4a7c15ull && b == ~seed && c == (seed ^ 0x5555));
  }
  return 0;
}
