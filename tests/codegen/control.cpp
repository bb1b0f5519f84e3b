// The control for cg_vmread_unused in sites.cpp: the same VMREAD as a
// non-volatile asm goto with an unused output, which GCC 12 deletes. The
// check that the wrapper's VMREAD survives is only worth something if this
// one is seen to disappear. Never run.
#include <cstdint>

extern "C" __attribute__((noinline)) void ctl_vmread_unused(std::uint64_t field) {
  std::uint64_t value;
  asm goto("vmread %[field], %[value]\n\tjna %l[failed]"
           : [value] "=r"(value)
           : [field] "r"(field)
           : "cc"
           : failed);
  return;
failed:
  __builtin_trap();
}

int main() { return 0; }
