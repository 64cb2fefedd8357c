#!/usr/bin/env bash
# The s3:// part of docs/benchmarks-large.md: serves LARGE_DB's files through S3Proxy 2.9.0 (filesystem-nio2, no
# upload: the table's files are hard-linked into its bucket directory and given the MD5 extended attribute that
# backend reads) behind DelayProxy.java (30 ms per request; it counts the requests and bytes and serves the counts on
# port 9002), then runs CacheBench with --s3-db and --s3-counter (requests and bytes fetched per epoch). Run from the
# repository root after `make bench-large` (which writes the table). Needs Maven, Java 17, Python 3 (for the xattrs),
# node/npm.
set -euo pipefail
LARGE_DB=$(realpath "${LARGE_DB:-target/lancedb-large}")
WORK=$(realpath -m "${WORK:-target/s3-large}")
mkdir -p "$WORK/s3root/bench" "$WORK/pom"
[ -d "$WORK/s3root/bench/db" ] || cp -al "$LARGE_DB" "$WORK/s3root/bench/db"
python3 - "$WORK/s3root" <<'PY'
import hashlib, os, sys
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(root, f)
        h = hashlib.md5()
        with open(p, 'rb') as fh:
            for b in iter(lambda: fh.read(1 << 22), b''):
                h.update(b)
        os.setxattr(p, 'user.user.content-md5', h.digest())  # Java's view adds "user."
PY
cat > "$WORK/pom/pom.xml" <<'POM'
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>x</groupId><artifactId>s3run</artifactId><version>1</version>
<dependencies><dependency><groupId>org.gaul</groupId><artifactId>s3proxy</artifactId><version>2.9.0</version>
</dependency></dependencies></project>
POM
(cd "$WORK/pom" && mvn -B -q dependency:build-classpath -Dmdep.outputFile=cp.txt)
cat > "$WORK/s3.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:9000
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench
s3proxy.credential=benchsecret
s3proxy.ignore-unknown-headers=true
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$WORK/s3root
PROPS
# logback's default without a configuration is DEBUG to the console: S3Proxy and Jetty then log every request and
# selector wake-up (180 MB in 30 s), which took more CPU than the serving did. Warnings only, as in the benchmarks.
java -Dlogback.configurationFile="$PWD/bench/src/main/resources/logback.xml" -cp "$(cat "$WORK/pom/cp.txt")" org.gaul.s3proxy.Main --properties "$WORK/s3.properties" >"$WORK/s3proxy.log" 2>&1 &
S3PID=$!
java bench/scripts/DelayProxy.java 9001 9000 30 9002 >"$WORK/delay.log" 2>&1 &
DPID=$!
trap 'kill $S3PID $DPID 2>/dev/null || true' EXIT
sleep 8
make bench-large ARGS="--s3-db s3://bench/db --storage aws_access_key_id=bench --storage aws_secret_access_key=benchsecret \
  --storage aws_region=us-east-1 --storage aws_endpoint=http://127.0.0.1:9001 --storage allow_http=true \
  --storage aws_virtual_hosted_style_request=false --s3-peer-rows 4096 --s3-counter 127.0.0.1:9002"
