#!/usr/bin/env bash
# Every public header is listed in the API reference's main page and in the
# README's API overview (a new header must not stay undocumented).
#   headers_listed.sh <source dir>
set -euo pipefail
src=$1
missing=0
for h in "$src"/include/virtops/*.hpp; do
  name=virtops/$(basename "$h")
  for doc in docs/api-mainpage.md README.md; do
    if ! grep -qF "\`$name\`" "$src/$doc"; then
      echo "FAIL: $name is not listed in $doc"
      missing=1
    fi
  done
done
[ $missing -eq 0 ] && echo "every public header is listed in docs/api-mainpage.md and README.md"
exit $missing
