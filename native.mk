# Native part of lance-torch: the C shim (cpp-shim/), the JNI glue (native/jni/),
# the C++ test program and the libFuzzer target. Included by the Makefile.
.PHONY: native native-test native-example native-clean fuzz

CXX ?= g++
NATIVE_BUILD := native/build
NATIVE_OBJ := $(NATIVE_BUILD)/obj
# JavaCPP's platform names (linux-x86_64, linux-arm64, macosx-arm64...): NativeLibrary looks in
# dev/lancetorch/native/<platform>/, with <platform> computed at run time (Loader.getPlatform()).
NATIVE_OS := $(subst darwin,macosx,$(shell uname -s | tr A-Z a-z))
NATIVE_ARCH := $(subst aarch64,arm64,$(subst amd64,x86_64,$(shell uname -m)))
NATIVE_PLATFORM ?= $(NATIVE_OS)-$(NATIVE_ARCH)
JNI_OUT_DIR := $(NATIVE_BUILD)/resources/dev/lancetorch/native/$(NATIVE_PLATFORM)
JNI_LIB := $(JNI_OUT_DIR)/liblancetorch_jni.so
SHIM_LIB := $(NATIVE_BUILD)/liblance_torch.so
SHIM_TEST := $(NATIVE_BUILD)/shim_test
LIBTORCH_DIR := $(NATIVE_BUILD)/libtorch
NATIVE_JAVA_HOME ?= $(shell dirname $$(dirname $$(readlink -f $$(which javac))))

NATIVE_CXXFLAGS := -std=c++17 -O2 -fPIC -fvisibility=hidden -fvisibility-inlines-hidden \
  -Wall -Wextra -Werror -Icpp-shim/include -Icpp-shim/src
NATIVE_LDFLAGS := -shared -Wl,-z,defs -Wl,--as-needed
NATIVE_LIBS := -ldl -lpthread

SHIM_SRCS := $(wildcard cpp-shim/src/*.cpp)
SHIM_HDRS := $(wildcard cpp-shim/include/*.h cpp-shim/src/*.hpp)
SHIM_OBJS := $(patsubst cpp-shim/src/%.cpp,$(NATIVE_OBJ)/%.o,$(SHIM_SRCS))
JNI_OBJ := $(NATIVE_OBJ)/lance_torch_jni.o

# libtorch for the C++ test (no JVM): unpacked from the JavaCPP jars in ~/.m2.
M2_REPO ?= $(HOME)/.m2/repository
POM_PROP = $(shell sed -n 's:.*<$(1)>\(.*\)</$(1)>.*:\1:p' pom.xml | head -1)
PYTORCH_JAR = $(M2_REPO)/org/bytedeco/pytorch/$(call POM_PROP,pytorch.version)/pytorch-$(call POM_PROP,pytorch.version)-$(NATIVE_PLATFORM).jar
OPENBLAS_JAR = $(M2_REPO)/org/bytedeco/openblas/$(call POM_PROP,openblas.version)/openblas-$(call POM_PROP,openblas.version)-$(NATIVE_PLATFORM).jar

native: $(JNI_LIB) $(SHIM_LIB)

$(NATIVE_OBJ)/%.o: cpp-shim/src/%.cpp $(SHIM_HDRS)
	@mkdir -p $(@D)
	$(CXX) $(NATIVE_CXXFLAGS) -c $< -o $@

$(JNI_OBJ): native/jni/lance_torch_jni.cpp $(SHIM_HDRS)
	@mkdir -p $(@D)
	$(CXX) $(NATIVE_CXXFLAGS) -I$(NATIVE_JAVA_HOME)/include -I$(NATIVE_JAVA_HOME)/include/linux -c $< -o $@

$(JNI_LIB): $(SHIM_OBJS) $(JNI_OBJ) native/jni/jni.map
	@mkdir -p $(@D)
	$(CXX) $(NATIVE_LDFLAGS) -Wl,--version-script=native/jni/jni.map -o $@ $(SHIM_OBJS) $(JNI_OBJ) $(NATIVE_LIBS)

$(SHIM_LIB): $(SHIM_OBJS) cpp-shim/lance_torch.map
	@mkdir -p $(@D)
	$(CXX) $(NATIVE_LDFLAGS) -Wl,--version-script=cpp-shim/lance_torch.map -Wl,-soname,liblance_torch.so -o $@ $(SHIM_OBJS) $(NATIVE_LIBS)

$(LIBTORCH_DIR)/.unpacked:
	@mkdir -p $(LIBTORCH_DIR)
	@if [ ! -f "$(PYTORCH_JAR)" ] || [ ! -f "$(OPENBLAS_JAR)" ]; then \
	  echo "native-test: resolving the JavaCPP jars with Maven"; $(MVN) -N -f native/pom.xml dependency:resolve >/dev/null; fi
	unzip -joq "$(PYTORCH_JAR)" 'org/bytedeco/pytorch/$(NATIVE_PLATFORM)/lib*.so*' -x '*jnitorch*' -d $(LIBTORCH_DIR)
	unzip -joq "$(OPENBLAS_JAR)" 'org/bytedeco/openblas/$(NATIVE_PLATFORM)/lib*.so*' -x '*jniopenblas*' -d $(LIBTORCH_DIR)
	@touch $@

SHIM_TEST_SRCS := cpp-shim/tests/shim_test.cpp cpp-shim/tests/stream_test.cpp cpp-shim/tests/contract_test.cpp \
  cpp-shim/tests/jagged_test.cpp cpp-shim/tests/gather_test.cpp

$(SHIM_TEST): $(SHIM_TEST_SRCS) cpp-shim/tests/arrow_fixtures.hpp cpp-shim/tests/check.hpp cpp-shim/tests/tensor_inspect.hpp $(SHIM_LIB)
	$(CXX) -std=c++17 -O1 -g -Wall -Wextra -Werror -Icpp-shim/include -o $@ $(SHIM_TEST_SRCS) \
	  -L$(NATIVE_BUILD) -llance_torch -Wl,-rpath,'$$ORIGIN' -ldl -lpthread

native-test: $(SHIM_TEST) $(LIBTORCH_DIR)/.unpacked native-example
	$(SHIM_TEST) $(abspath $(LIBTORCH_DIR))/libtorch_cpu.so

# The C++ inference-server example: links the shim and libtorch_cpu directly.
INFER_EXAMPLE := $(NATIVE_BUILD)/infer_example

$(INFER_EXAMPLE): examples/cpp/infer_example.cpp examples/cpp/torch_ops_abi.h $(SHIM_HDRS) $(SHIM_LIB) $(LIBTORCH_DIR)/.unpacked
	$(CXX) -std=c++17 -O2 -Wall -Wextra -Werror -Icpp-shim/include -o $@ $< \
	  -L$(NATIVE_BUILD) -llance_torch -L$(LIBTORCH_DIR) -Wl,--no-as-needed -ltorch_cpu -Wl,--as-needed \
	  -Wl,-rpath,'$$ORIGIN' -Wl,-rpath,'$$ORIGIN/libtorch' -Wl,-rpath-link,$(LIBTORCH_DIR)

native-example: $(INFER_EXAMPLE)
	$(INFER_EXAMPLE)

# libFuzzer target for the C API's input validation (clang from Debian packages).
FUZZ_SECONDS ?= 60
FUZZ_BIN := $(NATIVE_BUILD)/fuzz_import
FUZZ_PACKAGES ?= clang libclang-rt-14-dev
FUZZ_CLANG ?= $(firstword $(shell command -v clang++ clang++-16 clang++-15 clang++-14 2>/dev/null))

fuzz: $(SHIM_SRCS) $(SHIM_HDRS) cpp-shim/tests/fuzz_import.cpp
	@cxx="$(FUZZ_CLANG)"; \
	if [ -z "$$cxx" ]; then \
	  echo "fuzz: clang++ not found, trying apt-get install clang"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO="sudo"; \
	  ( $$SUDO apt-get install -y -q $(FUZZ_PACKAGES) >/dev/null 2>&1 || \
	    ( $$SUDO apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $(FUZZ_PACKAGES) >/dev/null 2>&1 ) ) || \
	    { echo "fuzz: could not install clang (no apt?); skipping"; exit 0; }; \
	  cxx=$$(command -v clang++); \
	fi; \
	mkdir -p $(NATIVE_BUILD)/fuzz-corpus && [ -f $(LIBTORCH_DIR)/.unpacked ] || $(MAKE) --no-print-directory $(LIBTORCH_DIR)/.unpacked; \
	$$cxx -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  -Icpp-shim/include -Icpp-shim/src -o $(FUZZ_BIN) cpp-shim/tests/fuzz_import.cpp $(SHIM_SRCS) -ldl -lpthread && \
	LT_LIBTORCH=$(abspath $(LIBTORCH_DIR))/libtorch_cpu.so ASAN_OPTIONS=detect_leaks=0 \
	  $(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=512 -print_final_stats=1 $(NATIVE_BUILD)/fuzz-corpus

native-clean:
	rm -rf $(NATIVE_BUILD)
