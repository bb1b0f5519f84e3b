#!/usr/bin/env bash
# Codegen check: compiles sites.cpp with <cxx> at -<opt>, disassembles it and
# checks with FileCheck that every wrapper's hot path is the instruction (and
# for VMX one jbe/jna; for RDMSR/WRMSR/XSETBV, as SVM, none), with no call and no jump, its failure and fault code
# out of line, and that the guest-entry wrappers zero the guest's GPRs
# after a VM exit (exit_check.sh); then runs the extable verifier with the
# disassembler's list of virtualization instructions, so each has exactly
# one entry whose fixup lands in its function. Finally the control: a
# non-volatile asm goto whose output is unused, which GCC deletes and the
# wrapper must not be.
#   check.sh <cxx> <O2|Os> <include dir> <work dir> <verifier> <FileCheck> [flags...]
# Flags after FileCheck go to the compiler: a --target for Windows (and
# -fuse-ld=lld) checks the same on a PE/COFF image.
set -euo pipefail
cxx=$1 opt=$2 include=$3 work=$4 verify=$5 filecheck=$6
shift 6
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
flags=(-std=c++20 "-$opt" -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror -I"$include" "$@")
exe=
case "$*" in *windows*) exe=.exe ;; esac

case "$($cxx --version)" in
  *clang*) compiler=CLANG ;;
  *) compiler=GCC ;;
esac
major=$(echo __GNUC__ | "$cxx" -E -P -x c++ - | tr -d ' ')

"$cxx" "${flags[@]}" "$here/sites.cpp" -o "$work/sites$exe"
objdump -d --no-show-raw-insn "$work/sites$exe" >"$work/sites.dis"
trace() { awk -v want="$*" -f "$here/trace.awk"; }

# FileCheck folds each run of blanks to one space.
any='{{ (j[a-z]+|call) }}'
# GCC at -Os shares the caller's tail between the success and failure paths
# and jumps to it (a size optimization of the caller's code, not the
# wrapper's): there only, jmp is allowed after the instruction; the trace
# follows it, so still no call and no conditional branch up to ret.
after=$any
[ "$compiler$opt" = GCCOs ] && after='{{ (j[a-ln-z][a-z]*|call) }}'
vmx() {  # function, instruction: the instruction, then exactly one jbe, then ret
  printf 'CHECK-LABEL: <%s>:\nCHECK-NOT: %s\nCHECK: {{^ }}%s{{( |$)}}\n' "$1" "$any" "$2"
  printf 'CHECK-NEXT: {{^ }}jbe{{ }}\nCHECK-NOT: %s\nCHECK: {{^ }}ret{{( |$)}}\n' "$after"
}
plain() {  # function, instruction: no branch at all before ret
  printf 'CHECK-LABEL: <%s>:\nCHECK-NOT: %s\nCHECK: {{^ }}%s{{( |$)}}\n' "$1" "$any" "$2"
  printf 'CHECK-NOT: %s\nCHECK: {{^ }}ret{{( |$)}}\n' "$after"
}
entry() {  # function, instruction: nothing branches before the guest runs
  printf 'CHECK-LABEL: <%s>:\nCHECK-NOT: %s\nCHECK: {{^ }}%s{{( |$)}}\n' "$1" "$any" "$2"
}
{
  vmx cg_vmxon vmxon
  vmx cg_vmxoff vmxoff
  vmx cg_vmclear vmclear
  vmx cg_vmptrld vmptrld
  plain cg_vmptrst vmptrst
  vmx cg_vmread vmread
  vmx cg_vmread_use vmread
  vmx cg_vmread_typed vmread
  vmx cg_vmwrite vmwrite
  vmx cg_vmwrite_typed vmwrite
  vmx cg_invept invept
  vmx cg_invvpid invvpid
  vmx cg_vmread_unused vmread
  plain cg_vmrun vmrun
  plain cg_vmload vmload
  plain cg_vmsave vmsave
  plain cg_stgi stgi
  plain cg_clgi clgi
  plain cg_invlpga invlpga
  plain cg_rdmsr rdmsr
  plain cg_wrmsr wrmsr
  plain cg_xsetbv xsetbv
  vmx cg_vmwrite_ignore vmwrite
  # Four reads, four jbe, nothing else that branches.
  printf 'CHECK-LABEL: <cg_exit_burst>:\n'
  between=$any
  for _ in 1 2 3 4; do
    printf 'CHECK-NOT: %s\nCHECK: {{^ }}vmread{{ }}\nCHECK-NEXT: {{^ }}jbe{{ }}\n' "$between"
    between=$after
  done
  printf 'CHECK-NOT: %s\nCHECK: {{^ }}ret{{( |$)}}\n' "$after"
  printf 'CHECK-LABEL: <cg_exit_handler32>:\n'
  between=$any
  for _ in $(seq 32); do
    printf 'CHECK-NOT: %s\nCHECK: {{^ }}vmread{{ }}\nCHECK-NEXT: {{^ }}jbe{{ }}\n' "$between"
    printf 'CHECK-NOT: {{[(]%%rsp[)]}}\n'  # nothing kept in a stack slot
    between=$after
  done
  printf 'CHECK-NOT: %s\nCHECK: {{^ }}ret{{( |$)}}\n' "$after"
  entry cg_launch vmwrite
  entry cg_resume vmwrite
  entry cg_vmcall vmcall
  entry cg_vmrun_gprs vmrun
  entry cg_vmmcall vmmcall
} >"$work/sites.check"
functions=$(sed -n 's/^CHECK-LABEL: <\(.*\)>:$/\1/p' "$work/sites.check")
# shellcheck disable=SC2086
trace $functions <"$work/sites.dis" >"$work/sites.s"
"$filecheck" --dump-input=fail --input-file="$work/sites.s" "$work/sites.check"
# After a VM exit, the guest's GPRs are stored and then zeroed before the
# host's registers come back (exit_check.sh, on the same disassembly).
"$here/exit_check.sh" "$work/sites.dis" "$work/exit" "$filecheck"
# The 32-read handler saves at most one register: its failure paths are
# known to fail (detail/outcome.hpp), so nothing is kept alive for a resume.
# (Before that, Clang saved three.)
pushes=$(awk '/^<cg_exit_handler32>:/ { f = 1; next } /^</ { f = 0 } f && $1 == "push"' \
  "$work/sites.s" | wc -l)
if [ "$pushes" -gt 1 ]; then
  echo "codegen $cxx -$opt: cg_exit_handler32 saves $pushes registers on its hot path" >&2
  exit 1
fi

insns='vmxon|vmxoff|vmclear|vmptrld|vmptrst|vmread|vmwrite|invept|invvpid|vmlaunch|vmresume|vmcall|vmrun|vmload|vmsave|stgi|clgi|invlpga|vmmcall|rdmsr|wrmsr|xsetbv'
grep -E "^ +[0-9a-f]+:"$'\t'"($insns)( |$)" "$work/sites.dis" | sed -E 's/^ +([0-9a-f]+):.*/\1/' >"$work/sites.expected"
# The users' hot-path check (docs/users-check.md) agrees, where it applies:
# not at GCC -Os, whose jmp after each site is the known limit above.
hot=()
[ "$compiler$opt" = GCCOs ] || hot=(--hot-path "$work/sites.dis")
"$verify" --expect-sites "$work/sites.expected" "${hot[@]}" "$work/sites$exe"

# The control, compiled the same way.
"$cxx" "${flags[@]}" "$here/control.cpp" -o "$work/control$exe"
objdump -d --no-show-raw-insn "$work/control$exe" | trace ctl_vmread_unused >"$work/control.s"
if [ $compiler = GCC ]; then
  printf 'CHECK-LABEL: <ctl_vmread_unused>:\nCHECK-NEXT: {{^ }}ret{{( |$)}}\n'
else
  printf 'CHECK-LABEL: <ctl_vmread_unused>:\nCHECK-NEXT: {{^ }}vmread{{ }}\n'
fi >"$work/control.check"
"$filecheck" --dump-input=fail --input-file="$work/control.s" "$work/control.check"
echo "codegen $cxx $* -$opt: OK"
