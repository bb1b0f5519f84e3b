#!/usr/bin/env bash
# Checks that a change to the headers leaves the generated ELF code
# byte-identical: builds the same programs from two trees and compares the
# machine code (objdump -d, symbol names and addresses included, with and
# without raw bytes), the exception table (objdump -s -j virtops_extable) and
# the read-only data, for every compiler and level.
#   scripts/codegen_identical.sh BEFORE [AFTER]
# BEFORE and AFTER are commits; without AFTER, the working tree (tracked and
# untracked, not ignored, files) is compared. The programs: the codegen sites
# (tests/codegen: sites.cpp, also with VIRTOPS_HAS_ASM_GOTO_OUTPUT=0,
# bare.cpp, control.cpp), the freestanding kernel (tests/freestanding) and
# the bare-metal images (examples/baremetal/build.sh with the ring-0 suite and
# the minivisor).
# Environment: VIRTOPS_IDENTICAL_CXX (default "g++-11 g++-12 clang++-14
# clang++-19"; missing ones are skipped), VIRTOPS_IDENTICAL_OPTS (default
# "O0 O2 O3 Os"), VIRTOPS_IDENTICAL_WORK (default: a temporary directory,
# removed at the end; kept if set), VIRTOPS_IDENTICAL_JOBS (default 1).
# Exit status 0 only if every output is identical and at least one was built.
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 BEFORE [AFTER]" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
before=$(git -C "$root" rev-parse --verify "$1^{commit}")
after=${2:+$(git -C "$root" rev-parse --verify "$2^{commit}")}
compilers=${VIRTOPS_IDENTICAL_CXX:-g++-11 g++-12 clang++-14 clang++-19}
opts=${VIRTOPS_IDENTICAL_OPTS:-O0 O2 O3 Os}
jobs=${VIRTOPS_IDENTICAL_JOBS:-1}
if [ -n "${VIRTOPS_IDENTICAL_WORK:-}" ]; then
  work=$VIRTOPS_IDENTICAL_WORK
  rm -rf "$work/a" "$work/b"
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

# Both trees at paths of the same length (a/src, b/src), in case a path ends
# up in the data.
mkdir -p "$work/a/src" "$work/b/src"
git -C "$root" archive "$before" | tar -x -C "$work/a/src"
if [ -n "$after" ]; then
  git -C "$root" archive "$after" | tar -x -C "$work/b/src"
else
  (cd "$root" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    xargs -0 cp --parents -t "$work/b/src")
fi

# build <tree> <cxx> <opt>: every program of one tree, compiler and level;
# writes <name>.dis, <name>.raw, <name>.extable and <name>.rodata per program
# (or <name>.failed with the compiler's message) into <tree>/out/<cxx>/<opt>.
# shellcheck disable=SC2317  # run by xargs below
build() {
  local tree=$1 cxx=$2 opt=$3
  local src=$work/$tree/src out=$work/$tree/out/$cxx/$opt bin=$work/$tree/bin/$cxx/$opt
  mkdir -p "$out" "$bin"
  local warn=(-Wall -Wextra -Wpedantic -Wconversion -Wshadow)
  local hosted=(-std=c++20 "-$opt" "${warn[@]}" -I"$src/include")
  local free=(-std=c++20 "-$opt" -ffreestanding -fno-exceptions -fno-rtti -nostdlib -mno-red-zone
    -mgeneral-regs-only -fno-pic -fno-stack-protector -static "${warn[@]}" -I"$src/include")
  local name
  compile() {  # name, command...
    name=$1
    shift
    if ! "$@" >"$bin/$name.log" 2>&1; then
      sed "s#$work/$tree/#WORK/#g" "$bin/$name.log" >"$out/$name.failed"
      return 1
    fi
  }
  dump() {  # name, elf (relative to $bin, so no path shows)
    (cd "$bin" && objdump -d --no-show-raw-insn "$2") >"$out/$1.dis"
    (cd "$bin" && objdump -d "$2") >"$out/$1.raw"
    (cd "$bin" && objdump -s -j virtops_extable "$2" 2>&1) >"$out/$1.extable"
    (cd "$bin" && objdump -s -j .rodata "$2" 2>&1) >"$out/$1.rodata"
  }
  for program in sites bare control; do
    compile "$program" "$cxx" "${hosted[@]}" "$src/tests/codegen/$program.cpp" -o "$bin/$program" &&
      dump "$program" "$program"
  done
  compile sites_no_goto_output "$cxx" "${hosted[@]}" -DVIRTOPS_HAS_ASM_GOTO_OUTPUT=0 \
    "$src/tests/codegen/sites.cpp" -o "$bin/sites_no_goto_output" &&
    dump sites_no_goto_output sites_no_goto_output
  compile freestanding "$cxx" "${free[@]}" "$src/tests/freestanding/kernel.cpp" \
    -o "$bin/freestanding" -Wl,-e,_start && dump freestanding freestanding
  # build.sh compiles at -O2; a compiler wrapper puts the level last, where
  # it wins.
  local wrapper=$bin/cxx
  printf '#!/bin/sh\nexec %s "$@" -%s\n' "$(command -v "$cxx")" "$opt" >"$wrapper"
  chmod +x "$wrapper"
  local program_dir
  for program_dir in tests/ring0 examples/minivisor; do
    name=baremetal_${program_dir##*/}
    compile "$name" "$src/examples/baremetal/build.sh" "$wrapper" "$src/include" \
      "$bin/$name" "$src/$program_dir" && dump "$name" "$name/kernel.elf"
    # The objects too (with relocations), which a failed link leaves behind.
    (cd "$bin" && for o in "$name"/*.o; do [ -e "$o" ] && objdump -dr "$o"; done) \
      >"$out/$name.objects"
  done
  return 0
}
export -f build
export work

combos=()
for cxx in $compilers; do
  if ! command -v "$cxx" >/dev/null; then
    echo "skip $cxx: not installed"
    continue
  fi
  for opt in $opts; do combos+=("a $cxx $opt" "b $cxx $opt"); done
done
[ ${#combos[@]} -gt 0 ] || { echo "no compiler to build with" >&2; exit 1; }
printf '%s\n' "${combos[@]}" | xargs -P "$jobs" -L 1 bash -c 'build "$@"' _

# A program that fails to build in one tree fails the check unless it fails
# with the same messages in the other (then it is reported; the bare-metal
# objects are still compared).
status=0 compared=0 same_failures=0
cd "$work"
while IFS= read -r file; do
  rel=${file#a/out/}
  if [ ! -e "b/out/$rel" ]; then
    echo "DIFFERS $rel: only the before tree has it"
    status=1
  elif [[ $rel == *.failed ]] && cmp -s "$file" "b/out/$rel"; then
    same_failures=$((same_failures + 1))
    echo "note: ${rel%.failed} fails to build in both trees, with the same messages"
  elif cmp -s "$file" "b/out/$rel"; then
    compared=$((compared + 1))
  else
    echo "DIFFERS $rel:"
    diff -u "$file" "b/out/$rel" | head -40 || true
    status=1
  fi
done < <(find a/out -type f | sort)
while IFS= read -r file; do
  rel=${file#b/out/}
  [ -e "a/out/$rel" ] || { echo "DIFFERS $rel: only the after tree has it"; status=1; }
done < <(find b/out -type f | sort)
programs=$(find a/out -name '*.dis' | wc -l)
echo "compared $compared outputs of $programs programs (before ${before:0:12}, after ${after:-working tree}):" \
  "$([ $status = 0 ] && echo identical || echo DIFFERENT)"
[ "$same_failures" = 0 ] || echo "$same_failures programs fail to build in both trees, the same way"
[ "$programs" -gt 0 ] || status=1
exit $status
