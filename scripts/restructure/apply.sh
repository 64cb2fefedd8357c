#!/usr/bin/env bash
# The restructuring sweep of issue 14, reproducible: run from a checkout of main (clean work tree).
#   scripts/restructure/apply.sh            moves + rewrites + new build files + edits + visibility fix (staged)
#   scripts/restructure/apply.sh --format   then the formatter (a separate commit is advised: `make format`)
# Idempotent: a second run changes nothing. See restructure.py (moves), edits.py (non-move edits), moves.tsv
# (class -> package), files/ (new files, copied over the tree), base/ (the files that files/ replaces, as they
# were when files/ was written: the script warns when main changed them since, so they can be merged by hand).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
HERE=scripts/restructure
PY="python3 $HERE/restructure.py"

if [ "${1:-}" = "--format" ]; then  # after the moves are committed: the formatter, then what it leaves over
  mvn -B -q -N spotless:apply
  python3 "$HERE/edits.py" format
  mvn -B -q -N spotless:apply
  bash consumer-test/check-readme.sh --fix
  git add -A
  mvn -B -q -N checkstyle:check | grep -E "\[(LineLength|[A-Za-z]+)\]" || true
  exit 0
fi
mkdir -p target/restructure
CP=target/restructure/classpath.txt

# 0. the classpath for the javac check: the pre-sweep pom's test scope (all jars any module uses)
if [ ! -s "$CP" ]; then
  if grep -q '<artifactId>lance-torch</artifactId>' pom.xml && grep -q '<packaging>jar</packaging>' pom.xml; then
    mvn -B -q dependency:build-classpath -Dmdep.outputFile="$CP" -DincludeScope=test >/dev/null
  elif [ -n "${RESTRUCTURE_CLASSPATH:-}" ]; then
    cp "$RESTRUCTURE_CLASSPATH" "$CP"
  fi
fi

# 1. files that files/ replaces: warn when main changed them after files/ was written
[ -f lance-torch/pom.xml ] || for pair in Makefile:Makefile native.mk:native.mk pom.xml:pom.xml README.md:README.md .gitignore:gitignore \
    .ci/run:ci-run; do
  f=${pair%%:*} b=$HERE/base/${pair##*:}
  if git cat-file -e "$(cat $HERE/base/COMMIT):$f" 2>/dev/null && ! git diff --quiet "$(cat $HERE/base/COMMIT)" HEAD -- "$f"; then
    echo "NOTE: $f changed on main since $HERE/base was taken: merge by hand (git diff $(cut -c1-10 $HERE/base/COMMIT) HEAD -- $f)"
  fi
done

# 2. moves and rewrites
$PY dirs
$PY classes
$PY rewrite

# 3. new build files (module poms, consumer project, style config, Makefile), then the non-move edits
cp -r "$HERE/files/." .
python3 "$HERE/edits.py"
# the library's tests log through slf4j -> java.util.logging (logging.properties, WARNING): no logback there
[ -f lance-torch/src/test/resources/logback-test.xml ] && git rm -qf lance-torch/src/test/resources/logback-test.xml
git add -A

# 4. widen what javac says must be visible across the new package lines (listed in $HERE/widened.txt)
if [ -s "$CP" ]; then
  $PY fix --classpath "$CP"
else
  echo "NOTE: no classpath for the javac check (set RESTRUCTURE_CLASSPATH); skipped the visibility fix"
fi
git add -A

echo "restructure: done; review with git status, then commit"
