#!/usr/bin/env bash
# Compiles every C++ block of a document that is preceded by a line
# `<!-- compile: NAME -->`, as a freestanding translation unit with the
# project's warnings, so the examples in the docs build with the headers.
#   snippets_compile.sh <compiler> <include dir> <output dir> <doc>...
set -euo pipefail
cxx=$1 include=$2 out=$3
shift 3
mkdir -p "$out"
flags=(-std=c++20 -ffreestanding -fno-exceptions -fno-rtti -mgeneral-regs-only
       -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror -I"$include" -fsyntax-only)
count=0
for doc in "$@"; do
  # Write each marked block to $out/NAME.cpp.
  names=$(awk -v out="$out" '
    /^<!-- compile: [A-Za-z0-9_]+ -->$/ { name = $3; want = 1; next }
    want && /^```cpp$/ { file = out "/" name ".cpp"; printf "" > file; inside = 1; want = 0; next }
    inside && /^```$/ { inside = 0; close(file); print name; next }
    inside { print >> file }
  ' "$doc")
  for name in $names; do
    "$cxx" "${flags[@]}" "$out/$name.cpp"
    echo "ok $(basename "$doc"): $name"
    count=$((count + 1))
  done
done
if [ "$count" -eq 0 ]; then echo "FAIL: no marked C++ block in $*"; exit 1; fi
