#!/usr/bin/env bash
# Prints "N passed, N failed" from the Surefire XML reports under the given directories (mvn -q hides Surefire's
# own summary). Skipped tests are reported separately when there are any. Exit status: 0 when nothing failed and at
# least one test ran, 1 otherwise.
set -euo pipefail
total=0; failed=0; skipped=0
for dir in "$@"; do
  for f in "$dir"/TEST-*.xml; do
    [ -e "$f" ] || continue
    head=$(grep -m1 -o '<testsuite [^>]*>' "$f")
    attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$head"; }
    total=$((total + $(attr tests)))
    failed=$((failed + $(attr failures) + $(attr errors)))
    skipped=$((skipped + $(attr skipped)))
  done
done
passed=$((total - failed - skipped))
if [ "$skipped" -gt 0 ]; then echo "($skipped skipped)"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$total" -gt 0 ]
