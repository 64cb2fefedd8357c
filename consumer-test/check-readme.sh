#!/usr/bin/env bash
# README.md's "In your code" example is the region of ReadmeExample.java between its "README:begin" and
# "README:end" lines: fails when README.md's copy (between its readme-example markers) differs.
# `check-readme.sh --fix` writes the region into README.md (after `make format`, for instance).
set -euo pipefail
cd "$(dirname "$0")"
src=src/main/java/example/ReadmeExample.java
python3 - "$src" ../README.md "${1:-}" <<'PY'
import re, sys
src, readme, fix = sys.argv[1], sys.argv[2], sys.argv[3] == "--fix"
m = re.search(r"^ *// README:begin\n(.*?)^ *// README:end\n", open(src).read(), re.M | re.S)
if not m:
    sys.exit(f"{src}: no README:begin / README:end region")
want = "".join(l[4:] if l.startswith("    ") else l for l in m.group(1).splitlines(True))
text = open(readme).read()
pat = re.compile(r"(<!-- readme-example:begin -->\n```java\n)(.*?)(```\n<!-- readme-example:end -->)", re.S)
r = pat.search(text)
if not r:
    sys.exit("README.md: no readme-example:begin / readme-example:end block")
if r.group(2) == want:
    print(f"README.md's example is consumer-test/{src}")
elif fix:
    open(readme, "w").write(text[:r.start(2)] + want + text[r.end(2):])
    print(f"README.md: example rewritten from consumer-test/{src}")
else:
    import difflib
    sys.stderr.writelines(difflib.unified_diff(r.group(2).splitlines(True), want.splitlines(True), "README.md", src))
    sys.exit(f"README.md's example differs from consumer-test/{src}: run consumer-test/check-readme.sh --fix")
PY
