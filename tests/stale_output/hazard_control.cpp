// The asm goto hazards this directory pins down, reproduced outside virtops.
// Built at the same -O level as the test that reports them.
#include "hazard_control.hpp"

namespace {

// An opaque value, so nothing below is folded at compile time.
volatile long opaque_five = 5;

[[gnu::noinline, gnu::cold]] long cold_identity(long v) {
  asm volatile("" : "+r"(v));
  return v;
}

// The issue: the asm sets CF and jumps to `fail`, whose `return 0` GCC 12.2
// (-O1 and up) drops: the function returns the output, 42.
[[gnu::noinline]] long constant_on_failure() {
  long x;
  asm goto("mov $42, %0\n\tstc\n\tjna %l[fail]" : "=r"(x) : : "cc" : fail);
  return x;
fail:
  return 0;
}

// The same with a value the caller passed (what value_or(sentinel) hands
// a failure path): GCC 12.2 at -O2/-O3 returns the output instead.
[[gnu::noinline]] long live_value_on_failure(long sentinel) {
  long x;
  asm goto("mov $42, %0\n\tstc\n\tjna %l[fail]" : "=r"(x) : : "cc" : fail);
  return x;
fail:
  return sentinel;
}

// As VMREAD on VMfail or a fault: the asm never writes its output, and the
// failure path returns the caller's value. GCC 12.2 -O2/-O3 returns whatever
// the output register held.
[[gnu::noinline]] long unwritten_output_on_failure(long sentinel) {
  long x;
  asm goto("stc\n\tjna %l[fail]" : "=r"(x) : : "cc" : fail);
  return x;
fail:
  return sentinel;
}

// The virtops shape: the failure label's block starts with a call to a cold,
// never-inlined function, and the caller's value comes after it.
[[gnu::noinline]] long call_first_on_failure(long sentinel) {
  long x;
  asm goto("mov $42, %0\n\tstc\n\tjna %l[fail]" : "=r"(x) : : "cc" : fail);
  return x;
fail:
  return cold_identity(sentinel);
}

#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wsometimes-uninitialized"
#endif
// llvm/llvm-project#74483: an output used on the indirect path (which GCC and
// Clang 16+ define and Clang before 16 does not); Clang's fast register
// allocator (-O0) loses it. virtops never reads an output on an indirect path.
[[gnu::noinline]] long output_on_indirect_path(long a, long b) {
  long x, y, z;
  asm goto("movq %[a], %[x]\n\ttestq %[a], %[a]\n\tjnz %l[label1]"
           : [x] "=&r"(x), [y] "=&r"(y), [z] "=&r"(z)
           : [a] "r"(a), [b] "r"(b)
           : "memory"
           : label1, label2);
  return 0;
label1:
  return x;
label2:
  return 1;
}
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

// As the previous, but the output is only used on the fallthrough: the form
// virtops uses. The indirect path returns the caller's value.
[[gnu::noinline]] long output_on_fallthrough_only(long a, long sentinel) {
  long x;
  asm goto("movq %[a], %[x]\n\ttestq %[a], %[a]\n\tjnz %l[fail]"
           : [x] "=&r"(x)
           : [a] "r"(a)
           : "cc"
           : fail);
  return x;
fail:
  return sentinel;
}

}  // namespace

void run_hazard_controls(hazard_control (&out)[hazard_control_count]) {
  const long five = opaque_five;
  out[0] = {"gcc12_constant", "mov $42,%0; stc; jna fail / fail: return 0", 0,
            constant_on_failure()};
  out[1] = {"gcc12_live_value", "mov $42,%0; stc; jna fail / fail: return sentinel", five,
            live_value_on_failure(five)};
  out[2] = {"gcc12_unwritten_output", "stc; jna fail (output unwritten) / fail: return sentinel",
            five, unwritten_output_on_failure(five)};
  out[3] = {"virtops_shape_call_first", "mov $42,%0; stc; jna fail / fail: return cold(sentinel)",
            five, call_first_on_failure(five)};
  out[4] = {"llvm74483_output_on_indirect_path",
            "movq a,x; test a; jnz label1 / label1: return x (11)", 11,
            output_on_indirect_path(11, 22)};
  out[5] = {"output_on_fallthrough_only", "movq a,x; test a; jnz fail / fail: return sentinel",
            five, output_on_fallthrough_only(11, five)};
}
