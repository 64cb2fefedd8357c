# lance-torch — top-level build. `make test` and `make demo` are the two set-up commands (see README.md).
SHELL := /bin/bash
MVN ?= mvn -B -q
JAVA ?= java
JVM_FLAGS ?= --add-opens=java.base/java.nio=ALL-UNNAMED -Xss4m -Dorg.bytedeco.javacpp.maxPhysicalBytes=0
CP_FILE := target/classpath.txt
ARGS ?=

.PHONY: all build native test java-test demo bench jmh fuzz clean javadoc

all: build

# Native code (cpp-shim + JNI glue), C++ tests and fuzz targets live in native.mk.
include native.mk

build: native
	$(MVN) -DskipTests package
	$(MVN) dependency:build-classpath -Dmdep.outputFile=$(CP_FILE) -Dmdep.includeScope=test >/dev/null

test: native native-test
	$(MVN) test

# The main job: see README.md. Extra flags: make demo ARGS="--epochs 2 --workers 2"
demo: build
	$(JAVA) $(JVM_FLAGS) -cp target/classes:$$(cat $(CP_FILE)) dev.lancetorch.demo.Demo $(ARGS)

bench: build
	$(MVN) test-compile
	$(JAVA) $(JVM_FLAGS) -Xmx8g -cp target/test-classes:target/classes:$$(cat $(CP_FILE)) dev.lancetorch.bench.Bench $(ARGS)

jmh: build
	$(MVN) test-compile
	$(JAVA) $(JVM_FLAGS) -cp target/test-classes:target/classes:$$(cat $(CP_FILE)) org.openjdk.jmh.Main $(ARGS)

javadoc:
	$(MVN) javadoc:javadoc

clean: native-clean
	$(MVN) clean
