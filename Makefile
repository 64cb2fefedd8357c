# lance-torch — top-level build. `make test` and `make demo` are the two set-up commands (see README.md); both are
# thin wrappers over Maven. `mvn -B install` alone builds the native code (native/ runs native.mk), runs every test
# (C++, JUnit, the consumer project that runs README.md's example, the formatter and style checks) and installs
# every artifact.
SHELL := /bin/bash
MVN ?= mvn -B -q
JAVA ?= java
JVM_FLAGS ?= --add-opens=java.base/java.nio=ALL-UNNAMED -Xss4m -Dorg.bytedeco.javacpp.maxPhysicalBytes=0
# Each runnable module's runtime classpath (no test-scope jars such as logback: they would change its logging).
CP_FILE := target/classpath.txt
ARGS ?=

.PHONY: all build native test demo bench bench-large bench-huge jmh fuzz clean javadoc interop format

all: build

# Native code (cpp-shim + JNI glue), C++ tests and fuzz targets live in native.mk (Maven's native/ module calls it).
include native.mk

# Everything installed without tests and style checks, plus the runtime classpaths of the runnable modules.
build:
	$(MVN) -DskipTests -Dlancetorch.style.skip=true install dependency:build-classpath \
	  -Dmdep.outputFile=$(CP_FILE) -DincludeScope=runtime >/dev/null

# Ends with the line "N passed, N failed" (JUnit of every module, from Surefire's reports), whatever the outcome.
test:
	@rm -rf */target/surefire-reports
	@$(MVN) install; rc=$$?; scripts/test-summary.sh */target/surefire-reports; s=$$?; [ $$rc -eq 0 ] && [ $$s -eq 0 ]

# Rewrites the sources in the house format (google-java-format); `make test` fails on unformatted code.
format:
	$(MVN) -N spotless:apply
	bash consumer-test/check-readme.sh --fix

# The main job: see README.md. Extra flags: make demo ARGS="--epochs 2 --workers 2"
demo: build
	$(JAVA) $(JVM_FLAGS) -cp examples/target/classes:$$(cat examples/$(CP_FILE)) dev.lancetorch.demo.Demo $(ARGS)

# LanceDB's own reader runs side by side (its official Node package; see docs/benchmarks.md). Needs node/npm and a
# copy of lancedb-peer (LANCEDB_PEER); without them those lines are skipped, said in the output and the report.
LANCEDB_PEER ?= ../shared/lancedb-peer
PEER_DIR := target/lancedb-peer
PEER_DB := target/lancedb-ref
bench: build
	@peer=""; \
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
	  echo "make bench: node/npm not found: LanceDB's reader is NOT measured (its lines are skipped)"; \
	elif [ ! -f "$(LANCEDB_PEER)/bench.mjs" ]; then \
	  echo "make bench: $(LANCEDB_PEER) missing (set LANCEDB_PEER): LanceDB's reader is NOT measured"; \
	else \
	  if [ ! -d $(PEER_DIR)/node_modules/@lancedb/lancedb ]; then \
	    rm -rf $(PEER_DIR) && cp -r $(LANCEDB_PEER) $(PEER_DIR) && chmod -R u+w $(PEER_DIR) && \
	    (cd $(PEER_DIR) && npm install --omit=optional --no-audit --no-fund) || exit 1; \
	  fi; \
	  if [ ! -d $(PEER_DB)/numbers.lance ]; then \
	    (cd $(PEER_DIR) && node make_reference.mjs $(abspath $(PEER_DB)) --force) || exit 1; \
	  fi; \
	  peer="--peer-dir $(PEER_DIR) --peer-db $(PEER_DB)"; \
	fi; \
	$(JAVA) $(JVM_FLAGS) -Xmx8g -cp bench/target/classes:$$(cat bench/$(CP_FILE)) dev.lancetorch.bench.Bench \
	  $$peer $(ARGS)

# The cache tier on a large table (docs/benchmarks-large.md): LanceDB's package writes `numbers` (16M rows, 1.4 GB,
# once; LARGE_ROWS to change) into LARGE_DB, then CacheBench runs full shuffled epochs with a disk cache against a raw
# scan and LanceDB's reader in the same run. Needs node/npm like `make bench`.
# -Xmx512m and MALLOC_ARENA_MAX=2: the RSS it prints counts the JVM heap and malloc's per-thread arenas (anonymous
# RSS 1.0-1.5 GiB at -Xmx1g; 0.93-1.23 GiB at 512m, 0.94-1.03 GiB with 2 arenas, 2026-12-07 17:23-17:25; -Xmx320m runs out of heap).
LARGE_DB ?= target/lancedb-large
LARGE_ROWS ?= 16000000
bench-large: build
	@if [ ! -d $(PEER_DIR)/node_modules/@lancedb/lancedb ]; then \
	  rm -rf $(PEER_DIR) && cp -r $(LANCEDB_PEER) $(PEER_DIR) && chmod -R u+w $(PEER_DIR) && \
	  (cd $(PEER_DIR) && npm install --omit=optional --no-audit --no-fund) || exit 1; \
	fi; \
	if [ ! -d $(LARGE_DB)/numbers.lance ]; then \
	  (cd $(PEER_DIR) && node write_numbers.mjs $(abspath $(LARGE_DB)) --rows $(LARGE_ROWS) --fragments 8 --force) \
	    || exit 1; \
	fi; \
	MALLOC_ARENA_MAX=2 $(JAVA) $(JVM_FLAGS) -Xmx512m -cp bench/target/classes:$$(cat bench/$(CP_FILE)) \
	  dev.lancetorch.bench.CacheBench \
	  --db $(LARGE_DB) --peer-dir $(PEER_DIR) --cache target/cache-bench --out docs/benchmarks-large.md $(ARGS)

# One real run on a table past 2^31 rows (docs/benchmarks-huge.md): writes `huge` (2^31 + 2^20 rows of one int64
# column, 7.5 GiB, once; HUGE_DB to place it), scans it, reads a shuffled epoch at its start and its end, fills a disk
# cache of it (16 GiB in HUGE_CACHE) and reads the epoch from the cache, checking every value. About 15 minutes and
# 25 GB of disk on the 2-core machine.
HUGE_DB ?= target/lancedb-huge
HUGE_CACHE ?= target/huge-cache
bench-huge: build
	$(JAVA) $(JVM_FLAGS) -Xmx4g -cp bench/target/classes:$$(cat bench/$(CP_FILE)) dev.lancetorch.bench.HugeTableBench \
	  --db $(HUGE_DB) --cache $(HUGE_CACHE) --out docs/benchmarks-huge.md $(ARGS)

jmh: build
	$(JAVA) $(JVM_FLAGS) -cp bench/target/classes:$$(cat bench/$(CP_FILE)) org.openjdk.jmh.Main $(ARGS)

javadoc:
	$(MVN) -Dlancetorch.style.skip=true -pl lance-torch javadoc:javadoc

# Interoperability check against LanceDB's own Node package (interop/js, InteropCheck). Needs Node >= 20 and the
# npm registry, so it is not part of `make test`. Extra flags: make interop ARGS=/path/to/db (default: a fresh
# temp dir).
INTEROP_DIR := interop/js
interop: build
	# npm install, not npm ci: npm writes only this platform's optional native package into package-lock.json, so
	# npm ci rejects the lock file elsewhere (and even here). Versions are pinned exactly in package.json.
	cd $(INTEROP_DIR) && npm install --no-audit --no-fund
	$(JAVA) $(JVM_FLAGS) -Dinterop.scripts=$(INTEROP_DIR) -cp interop/target/classes:$$(cat interop/$(CP_FILE)) \
	  dev.lancetorch.interop.InteropCheck $(ARGS)

clean: native-clean
	$(MVN) clean
