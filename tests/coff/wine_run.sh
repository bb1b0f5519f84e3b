#!/usr/bin/env bash
# Builds a test program for x86_64-w64-windows-gnu with Clang, MinGW-w64's
# C++ library and lld (static: no DLL to find), and runs it under Wine.
#   wine_run.sh <clang++> <wine> <include dir> <work dir> <source> <-O level>
set -euo pipefail
cxx=$1 wine=$2 include=$3 work=$4 source=$5 opt=$6
mkdir -p "$work"
exe=$work/$(basename "$source" .cpp)$opt.exe
"$cxx" --target=x86_64-w64-windows-gnu -fuse-ld=lld -static -std=c++20 "$opt" \
  -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror -I"$include" "$source" -o "$exe"
# One prefix for the tree (created on first use, about 10 s), no Wine chatter.
export WINEPREFIX=$work/wineprefix WINEDEBUG=-all
exec timeout 120 "$wine" "$exe"
