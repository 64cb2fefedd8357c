# lance-torch — top-level build. `make test` and `make demo` are the two set-up commands (see README.md).
SHELL := /bin/bash
MVN ?= mvn -B -q
JAVA ?= java
JVM_FLAGS ?= --add-opens=java.base/java.nio=ALL-UNNAMED -Xss4m -Dorg.bytedeco.javacpp.maxPhysicalBytes=0
CP_FILE := target/classpath.txt
# The demo runs on the runtime classpath only (test-scope jars such as logback would change its logging).
RUNTIME_CP_FILE := target/runtime-classpath.txt
ARGS ?=

.PHONY: all build native test java-test demo bench jmh fuzz clean javadoc interop

all: build

# Native code (cpp-shim + JNI glue), C++ tests and fuzz targets live in native.mk.
include native.mk

build: native
	$(MVN) -DskipTests package
	$(MVN) dependency:build-classpath -Dmdep.outputFile=$(CP_FILE) -DincludeScope=test >/dev/null
	$(MVN) dependency:build-classpath -Dmdep.outputFile=$(RUNTIME_CP_FILE) -DincludeScope=runtime >/dev/null

# Ends with the line "N passed, N failed" (JUnit, from Surefire's reports), whatever the outcome.
test: native native-test
	@rm -rf target/surefire-reports
	@$(MVN) test; rc=$$?; scripts/test-summary.sh target/surefire-reports; s=$$?; [ $$rc -eq 0 ] && [ $$s -eq 0 ]

# The main job: see README.md. Extra flags: make demo ARGS="--epochs 2 --workers 2"
demo: build
	$(JAVA) $(JVM_FLAGS) -cp target/classes:$$(cat $(RUNTIME_CP_FILE)) dev.lancetorch.demo.Demo $(ARGS)

# LanceDB's own reader runs side by side (its official Node package; see docs/benchmarks.md). Needs node/npm and a
# copy of lancedb-peer (LANCEDB_PEER); without them those lines are skipped, said in the output and the report.
LANCEDB_PEER ?= ../shared/lancedb-peer
PEER_DIR := target/lancedb-peer
PEER_DB := target/lancedb-ref
bench: build
	$(MVN) test-compile
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
	$(JAVA) $(JVM_FLAGS) -Xmx8g -cp target/test-classes:target/classes:$$(cat $(CP_FILE)) dev.lancetorch.bench.Bench \
	  $$peer $(ARGS)

jmh: build
	$(MVN) test-compile
	$(JAVA) $(JVM_FLAGS) -cp target/test-classes:target/classes:$$(cat $(CP_FILE)) org.openjdk.jmh.Main $(ARGS)

javadoc:
	$(MVN) javadoc:javadoc

# Interoperability check against LanceDB's own Node package (scripts/interop, InteropCheck). Needs Node >= 20 and the
# npm registry, so it is not part of `make test`; needs no native build (ARROW format only).
# Extra flags: make interop ARGS=/path/to/db (default: a fresh temp dir).
INTEROP_DIR := scripts/interop
interop:
	# npm install, not npm ci: npm writes only this platform's optional native package into package-lock.json, so
	# npm ci rejects the lock file elsewhere (and even here). Versions are pinned exactly in package.json.
	cd $(INTEROP_DIR) && npm install --no-audit --no-fund
	$(MVN) -DskipTests test-compile
	$(MVN) dependency:build-classpath -Dmdep.outputFile=$(CP_FILE) -DincludeScope=test >/dev/null
	$(JAVA) $(JVM_FLAGS) -Dinterop.scripts=$(INTEROP_DIR) -cp target/test-classes:target/classes:$$(cat $(CP_FILE)) \
	  dev.lancetorch.interop.InteropCheck $(ARGS)

clean: native-clean
	$(MVN) clean
