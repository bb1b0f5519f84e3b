// A program whose exception table is wrong in every way the verifier checks;
// verify_negative.sh asserts it names each defect, on ELF and on PE/COFF.
// Never run. Extended asm (the "::"): the COFF entry needs %=.
#include <virtops/extable.hpp>

// An entry on a nop: not a virtualization instruction.
extern "C" void bad_not_vmx() {
  asm volatile("1: nop\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "2f", "1") "2:\n\t" ::);
}
// VMXOFF's bytes with VMREAD's id (5).
extern "C" void bad_wrong_id() {
  asm volatile("1: vmxoff\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "2f", "5") "2:\n\t" ::);
}
// The fixup is another function.
extern "C" void bad_fixup_elsewhere() {
  asm volatile("1: vmxoff\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "bad_not_vmx", "1")::);
}
// Two entries for one site.
extern "C" void bad_duplicate() {
  asm volatile("1: vmxoff\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "2f", "1")
                   VIRTOPS_EXTABLE_ENTRY("1b", "2f", "1") "2:\n\t" ::);
}
// An id no instruction has.
extern "C" void bad_unknown_id() {
  asm volatile("1: vmxoff\n\t" VIRTOPS_EXTABLE_ENTRY("1b", "2f", "200") "2:\n\t" ::);
}
// A virtualization instruction without an entry.
extern "C" void bad_no_entry() { asm volatile("vmxoff"); }

int main() { return 0; }
