#!/usr/bin/env bash
# README.md's "In your code" example is the region of ReadmeExample.java between the "README:begin" and
# "README:end" lines: fails when README.md's copy (between its readme-example markers) differs.
set -euo pipefail
cd "$(dirname "$0")"
src=src/main/java/example/ReadmeExample.java
want=$(sed -n '/\/\/ README:begin/,/\/\/ README:end/p' "$src" | sed '1d;$d' | sed 's/^    //')
have=$(sed -n '/<!-- readme-example:begin -->/,/<!-- readme-example:end -->/p' ../README.md | sed '1,2d;$d' | sed '$d')
if [ "$want" != "$have" ]; then
  echo "README.md's example differs from consumer-test/$src (README:begin..README:end):" >&2
  diff <(echo "$have") <(echo "$want") >&2 || true
  echo "copy the region into README.md (between the readme-example markers)" >&2
  exit 1
fi
echo "README.md's example is consumer-test/$src"
