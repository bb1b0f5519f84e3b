#!/usr/bin/env bash
# The bring-up example in docs/vocabulary.md is the code that
# tests/vocabulary/bring_up_example.cpp compiles and runs, verbatim: the
# lines between its "// example: bring-up" and "// end example" markers
# against the code block after the document's marker comment.
#   vocabulary_example.sh <source dir>
set -euo pipefail
src=$1
code=$(sed -n '/^\/\/ example: bring-up$/,/^\/\/ end example$/p' "$src/tests/vocabulary/bring_up_example.cpp" | sed '1d;$d')
doc=$(awk '/<!-- example: tests\/vocabulary\/bring_up_example.cpp -->/ { on = 1; next }
           on && /^```cpp$/ { inside = 1; next }
           inside && /^```$/ { exit }
           inside { print }' "$src/docs/vocabulary.md")
if [ -z "$code" ] || [ "$code" != "$doc" ]; then
  echo "FAIL: docs/vocabulary.md's bring-up example differs from tests/vocabulary/bring_up_example.cpp:"
  diff <(echo "$code") <(echo "$doc") || true
  exit 1
fi
echo "docs/vocabulary.md shows tests/vocabulary/bring_up_example.cpp's example verbatim ($(echo "$code" | wc -l) lines)"
