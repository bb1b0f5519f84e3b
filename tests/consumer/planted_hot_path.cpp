// Well-formed entries on sites whose success path jumps or calls:
// virtops_check_image(... EXPECT_HOT_PATH) must fail the build of this
// program and name each (check.sh). Never run.
#include <virtops/extable.hpp>

extern "C" [[gnu::noinline]] void planted_spurious() { asm volatile(""); }

// VMXOFF (id 1), its jbe, then a jump to the next line: GCC -Os' shared tail.
extern "C" [[gnu::noinline]] void planted_jmp() {
  asm volatile("1: vmxoff\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "3f", "1")  //
               "jbe 3f\n\t"
               "jmp 2f\n"
               "2: nop\n"
               "3:\n\t"
               :
               :
               : "cc");
}

// VMREAD (id 5) jumping over its fixup, a call: the old Linux __ex().
extern "C" [[gnu::noinline]] void planted_ex() {
  asm volatile("1: vmread %%rax, %%rcx\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "2f", "5")  //
               "jmp 3f\n"
               "2: call planted_spurious\n"
               "3:\n\t"
               :
               :
               : "rcx", "cc");
}

// VMLOAD (id 13), then a call.
extern "C" [[gnu::noinline]] void planted_call() {
  asm volatile("1: vmload %%rax\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "2f", "13")  //
               "call planted_spurious\n"
               "2:\n\t"
               :
               :
               : "cc");
}

int main() {
  planted_jmp();
  planted_ex();
  planted_call();
}
