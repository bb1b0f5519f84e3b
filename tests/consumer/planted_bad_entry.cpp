// An exception-table entry on a nop: virtops_check_image() must fail the
// build of this program (check.sh). Never run.
#include <virtops/extable.hpp>

extern "C" [[gnu::noinline]] void planted_not_vmx() {
  asm volatile("1: nop\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "2f", "1") "2:\n\t");
}

int main() { planted_not_vmx(); }
