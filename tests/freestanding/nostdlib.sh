#!/usr/bin/env bash
# The core headers (all but the hosted adapters posix.hpp and windows.hpp)
# need no C++ standard library:
#  1. each one alone compiles with -ffreestanding -nostdinc++ (no libstdc++
#     include path) with the given compiler, warnings as errors; a control
#     header that includes <type_traits> must fail the same way, or the
#     check proves nothing;
#  2. with the C++ library present, no core header pulls in <type_traits>
#     or <concepts> (a TU pays for what it includes), and the vocabulary
#     headers do not pull in the VMCS field table (vmcs.hpp);
#  3. with clang++-19 (scripts/packages.sh installs it), each one alone
#     passes -fsyntax-only for x86_64-pc-windows-msvc: no __GNUC__, LLP64,
#     and no C++ headers here at all (-nostdinc++ too, so that a machine
#     that has some for that triple checks the same).
#   nostdlib.sh <cxx> <include dir> <work dir> [clang++-19]
set -euo pipefail
cxx=$1 include=$2 work=$3 msvc_cxx=${4:-}
mkdir -p "$work/probe/virtops"
warn=(-Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror)
headers=()
for h in "$include"/virtops/*.hpp "$include"/virtops/detail/*.hpp; do
  rel=${h#"$include"/}
  case $rel in virtops/posix.hpp | virtops/windows.hpp) continue ;; esac
  headers+=("$rel")
done
failed=0

tu() {  # tu <header>: a translation unit that includes only it
  local f
  f=$work/$(echo "$1" | tr '/.' '__').cpp
  printf '#include <%s>\n' "$1" >"$f"
  echo "$f"
}

# 1. No C++ library on the include path.
for h in "${headers[@]}"; do
  if ! out=$("$cxx" -std=c++20 -ffreestanding -nostdinc++ -fsyntax-only "${warn[@]}" \
      -I"$include" "$(tu "$h")" 2>&1); then
    echo "FAIL $cxx -ffreestanding -nostdinc++: $h"; echo "$out" | head -20; failed=1
  fi
done
printf '#pragma once\n#include <type_traits>\n' >"$work/probe/virtops/uses_type_traits.hpp"
if "$cxx" -std=c++20 -ffreestanding -nostdinc++ -fsyntax-only -I"$work/probe" \
    "$(tu virtops/uses_type_traits.hpp)" >/dev/null 2>&1; then
  echo "FAIL control: a header including <type_traits> compiled with -nostdinc++"; failed=1
fi
echo "checked ${#headers[@]} headers with $cxx -ffreestanding -nostdinc++"

# 2. What each header pulls in when the library is there.
leaves='insn|vm_instruction_error|vmx_exit_reason|vmx_capabilities|vmcb|gprs|fault|extable|trap|status|policy|panic|config|msr|xcr|svm|checked|ept|segment|vmx_controls|vmx_event|vmx_exit_qualification|vmx_read_capabilities|svm_controls|svm_event|svm_exit_info|svm_features|msr_bitmap|io_bitmap|vocabulary'
for h in "${headers[@]}"; do
  deps=$("$cxx" -std=c++20 -M -I"$include" "$(tu "$h")" | tr ' \\' '\n\n')
  if grep -qE '/(type_traits|concepts)$' <<<"$deps"; then
    echo "FAIL $h pulls in <type_traits> or <concepts>:"; grep -E '/(type_traits|concepts)$' <<<"$deps"
    failed=1
  fi
  if [[ $h =~ ^virtops/($leaves)\.hpp$ ]] && grep -qE '/virtops/vmcs\.hpp$' <<<"$deps"; then
    echo "FAIL $h pulls in vmcs.hpp (the VMCS field table)"; failed=1
  fi
done
# The umbrella of the wrappers leaves the vocabulary out (its own umbrella,
# vocabulary.hpp): a TU that only wraps instructions does not pay for it.
vocab=$(sed -nE 's/^#include "([a-z_0-9]+)\.hpp"$/\1/p' "$include/virtops/vocabulary.hpp" | paste -sd'|')
if [ -z "$vocab" ]; then echo "FAIL: no header in vocabulary.hpp"; failed=1; fi
umbrella=$("$cxx" -std=c++20 -M -I"$include" "$(tu virtops/virtops.hpp)" | tr ' \\' '\n\n')
if grep -qE "/virtops/($vocab)\.hpp$" <<<"$umbrella"; then
  echo "FAIL virtops/virtops.hpp pulls in vocabulary headers:"; grep -E "/virtops/($vocab)\.hpp$" <<<"$umbrella"
  failed=1
fi
echo "checked what ${#headers[@]} headers pull in with $cxx"

# 3. Clang in MSVC mode, where no C++ library exists.
if [ -n "$msvc_cxx" ]; then
  for h in "${headers[@]}"; do
    if ! out=$("$msvc_cxx" --target=x86_64-pc-windows-msvc -std=c++20 -ffreestanding -nostdinc++ \
        -fsyntax-only "${warn[@]}" -I"$include" "$(tu "$h")" 2>&1); then
      echo "FAIL $msvc_cxx --target=x86_64-pc-windows-msvc: $h"; echo "$out" | head -20; failed=1
    fi
  done
  if "$msvc_cxx" --target=x86_64-pc-windows-msvc -std=c++20 -ffreestanding -nostdinc++ \
      -fsyntax-only -I"$work/probe" "$(tu virtops/uses_type_traits.hpp)" >/dev/null 2>&1; then
    echo "FAIL control: <type_traits> found for x86_64-pc-windows-msvc"; failed=1
  fi
  echo "checked ${#headers[@]} headers with $msvc_cxx --target=x86_64-pc-windows-msvc"
fi
exit $failed
