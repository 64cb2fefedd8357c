#!/usr/bin/env bash
# A user's build of README.md's example, outside this repository: copies consumer-test's pom.xml (one plain
# dependency, dev.lancetorch:lance-torch-platform) and its sources to a fresh temporary folder and runs `mvn verify`
# there, which compiles ReadmeExample.java and runs it. Maven resolves everything from the local repository (what
# `mvn install` installed), never from this repository's reactor. Run by consumer-test's "in-repo" profile:
#   check-fresh-project.sh MAVEN_HOME LOCAL_REPOSITORY offline=(true|false)
set -euo pipefail
maven_home=$1 repo=$2 offline=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

# The fresh project reads the installed artifacts: refuse to pass on stale ones (`mvn verify` installs nothing).
for jar in "$root"/lance-torch/target/lance-torch-*.jar "$root"/platform/target/lance-torch-platform-*.jar \
  "$root"/native/target/lance-torch-native-*.jar; do
  [ -f "$jar" ] || continue
  installed=$(find "$repo/dev/lancetorch" -name "$(basename "$jar")" -print -quit 2>/dev/null || true)
  if [ -z "$installed" ] || ! cmp -s "$jar" "$installed"; then
    echo "check-fresh-project.sh: $(basename "$jar") in $repo is not this build's: run mvn install" >&2
    exit 1
  fi
done

fresh=$(mktemp -d "${TMPDIR:-/tmp}/lance-torch-user.XXXXXX")
trap 'rm -rf "$fresh"' EXIT
cp "$here/pom.xml" "$fresh/"
cp -r "$here/src" "$fresh/"
flags=(-B -q "-Dmaven.repo.local=$repo" -Dlancetorch.fresh)
[ "$offline" = offline=true ] && flags+=(-o)
echo "fresh Maven project in $fresh (outside the repository, plain dependency on lance-torch-platform): mvn verify"
(cd "$fresh" && "$maven_home/bin/mvn" "${flags[@]}" verify)
