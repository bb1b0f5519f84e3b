#!/usr/bin/env bash
# Exit-path check: in every wrapper that enters a guest, the code the VM exit
# lands on (exit_path.awk) first stores the guest's GPRs into the gprs
# block, then zeroes every GPR that held a guest value, as KVM's vmenter.S
# does: between the last store and the host restore (pop %rdi) there is
# nothing but one `xor %eXX,%eXX` (or `xor %rNd,%rNd`) per register, so no
# guest value is used or left behind. Each function is checked on its own;
# every one that fails is named.
#   exit_check.sh <disassembly> <work dir> <FileCheck>
set -euo pipefail
dis=$1 work=$2 filecheck=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"

high="r8d r9d r10d r11d r12d r13d r14d r15d"
stored_high="r8:0x38 r9:0x40 r10:0x48 r11:0x50 r12:0x58 r13:0x60 r14:0x68 r15:0x70"
vmx_zeroed="eax ebx ecx edx esi ebp $high"
vmx_stored="rax: rbx:0x8 rcx:0x10 rdx:0x18 rsi:0x20 rdi:0x28 rbp:0x30 $stored_high"
# SVM: RAX is the host's (the VMCB address, from the host save area).
svm_zeroed="ebx ecx edx esi ebp $high"
svm_stored="rbx:0x8 rcx:0x10 rdx:0x18 rsi:0x20 rdi:0x28 rbp:0x30 $stored_high"
# svm::vmrun(pa) stores nothing; its RDI is the guest's too.
plain_zeroed="ebx ecx edx esi edi ebp $high"

# function, registers zeroed, stores (register:offset; RDI's is a pop)
check_one() {
  local fn=$1 zeroed=$2 stores=$3 s r
  {
    # Every store, then (no XOR among them) every XOR, then the restore.
    printf 'CHECK-LABEL: <%s>:\n' "$fn"
    for s in $stores; do
      r=${s%%:*}
      if [ "$r" = rdi ]; then
        printf 'CHECK-DAG: {{^ }}pop %s(%%rdi){{$}}\n' "${s#*:}"
      else
        printf 'CHECK-DAG: {{^ }}mov %%%s,%s(%%rdi){{$}}\n' "$r" "${s#*:}"
      fi
    done
    printf 'CHECK-NOT: {{^ }}xor{{ }}\n'
    for r in $zeroed; do printf 'CHECK-DAG: {{^ }}xor %%%s,%%%s{{$}}\n' "$r" "$r"; done
    printf 'CHECK: {{^ }}pop %%rdi{{$}}\n'
  } >"$work/$fn.order.check"
  {
    # From the last store (or the landing) to the restore: the XORs only.
    printf 'CHECK-LABEL: <%s>:\n' "$fn"
    [ -z "$stores" ] || printf 'CHECK: {{^ }}mov %%r15,0x70(%%rdi){{$}}\n'
    for r in $zeroed; do printf 'CHECK-NEXT: {{^ }}xor [[R:%%[a-z0-9]+]],[[R]]{{$}}\n'; done
    printf 'CHECK-NEXT: {{^ }}pop %%rdi{{$}}\n'
  } >"$work/$fn.only.check"
  local ok=1
  "$filecheck" --dump-input=fail --input-file="$work/exit.s" "$work/$fn.order.check" || ok=0
  "$filecheck" --dump-input=fail --input-file="$work/exit.s" "$work/$fn.only.check" || ok=0
  [ $ok = 1 ] || failed="$failed $fn"
}

functions="cg_launch cg_resume cg_vmrun_gprs cg_vmrun"
awk -v want="$functions" -f "$here/exit_path.awk" "$dis" >"$work/exit.s"
failed=
check_one cg_launch "$vmx_zeroed" "$vmx_stored"
check_one cg_resume "$vmx_zeroed" "$vmx_stored"
check_one cg_vmrun_gprs "$svm_zeroed" "$svm_stored"
check_one cg_vmrun "$plain_zeroed" ""
if [ -n "$failed" ]; then
  echo "exit path: guest GPRs not stored and then zeroed in:$failed" >&2
  exit 1
fi
echo "exit path: guest GPRs stored, then zeroed, in $functions"
