#!/usr/bin/env python3
"""Code edits of the sweep that are not moves (run after restructure.py rewrite; idempotent):

  native.mk      the JNI library goes to dev/lancetorch/native/<platform>/ (NATIVE_PLATFORM, JavaCPP's names)
  NativeLibrary  the resource folder computed at run time (Loader.getPlatform()), assumeLoaded()
  logging        System.Logger -> slf4j (the one logging API; no binding shipped)
"""
import re
import sys
from pathlib import Path


def edit(path, pairs, required=True):
    p = Path(path)
    if not p.exists():
        if required:
            sys.exit(f"edits: {path} is missing")
        return
    text = p.read_text()
    orig = text
    for old, new, done in pairs:
        if done is not None and done in text:
            continue  # already applied
        if isinstance(old, re.Pattern):
            text, n = old.subn(new, text)
        else:
            n = text.count(old)
            text = text.replace(old, new)
        if n == 0 and required and not (isinstance(new, str) and new in text):
            sys.exit(f"edits: {path}: expected text not found: {old!r:.100}")
    if text != orig:
        p.write_text(text)
        print(f"edited {path}")


def native_mk():
    edit("native.mk", [
        ("JNI_OUT_DIR := $(NATIVE_BUILD)/resources/dev/lancetorch/native/linux-x86-64",
         "# JavaCPP's platform names (linux-x86_64, linux-arm64, macosx-arm64...): NativeLibrary looks in\n"
         "# dev/lancetorch/native/<platform>/, with <platform> computed at run time (Loader.getPlatform()).\n"
         "NATIVE_OS := $(subst darwin,macosx,$(shell uname -s | tr A-Z a-z))\n"
         "NATIVE_ARCH := $(subst aarch64,arm64,$(subst amd64,x86_64,$(shell uname -m)))\n"
         "NATIVE_PLATFORM ?= $(NATIVE_OS)-$(NATIVE_ARCH)\n"
         "JNI_OUT_DIR := $(NATIVE_BUILD)/resources/dev/lancetorch/native/$(NATIVE_PLATFORM)",
         "NATIVE_PLATFORM ?="),
        ("-linux-x86_64.jar", "-$(NATIVE_PLATFORM).jar", "-$(NATIVE_PLATFORM).jar"),
        ("'org/bytedeco/pytorch/linux-x86_64/lib*.so*'", "'org/bytedeco/pytorch/$(NATIVE_PLATFORM)/lib*.so*'", None),
        ("'org/bytedeco/openblas/linux-x86_64/lib*.so*'", "'org/bytedeco/openblas/$(NATIVE_PLATFORM)/lib*.so*'", None),
        ("$(MVN) dependency:resolve", "$(MVN) -N -f native/pom.xml dependency:resolve", "-f native/pom.xml"),
    ])


NATIVE_LIBRARY = "lance-torch/src/main/java/dev/lancetorch/torch/NativeLibrary.java"


def native_library():
    edit(NATIVE_LIBRARY, [
        ('  static final String RESOURCE = "/dev/lancetorch/native/linux-x86-64/liblancetorch_jni.so";\n',
         '  /** The jar folder of this platform\'s JNI library: {@code /dev/lancetorch/native/<platform>/}, with\n'
         '   * JavaCPP\'s platform name ({@code linux-x86_64}, {@code linux-arm64}, {@code macosx-arm64}...), as\n'
         '   * packaged in {@code dev.lancetorch:lance-torch-native:<platform>}. */\n'
         '  static final String RESOURCE =\n'
         '      "/dev/lancetorch/native/" + Loader.getPlatform() + "/liblancetorch_jni.so";\n',
         'Loader.getPlatform() + "/liblancetorch_jni.so"'),
        (" * {@value #PATH_PROPERTY} (a file path), then the jar resource {@value #RESOURCE}\n",
         " * {@value #PATH_PROPERTY} (a file path), then the jar resource\n"
         " * {@code /dev/lancetorch/native/<platform>/liblancetorch_jni.so} (platform computed at run time)\n",
         "(platform computed at run time)"),
        ("  private static boolean loaded;\n",
         "  private static boolean loaded;\n  private static boolean assumeLoaded;\n",
         "private static boolean assumeLoaded;"),
        ("      loadJni();\n",
         "      if (!assumeLoaded) {\n        loadJni();\n      }\n",
         "if (!assumeLoaded) {"),
        ("  /** The libtorch_cpu.so file JavaCPP loaded",
         "  /**\n"
         "   * Escape hatch for applications that load {@code liblancetorch_jni.so} themselves (with\n"
         "   * {@link System#load} from a location of their own, before the first use of lance-torch): {@link\n"
         "   * #load()} then skips its lookup of the JNI library but still loads libtorch and initializes the\n"
         "   * bridge. Must be called before the first {@link #load()}.\n"
         "   *\n"
         "   * @throws IllegalStateException if the library was already loaded by {@link #load()}\n"
         "   */\n"
         "  public static synchronized void assumeLoaded() {\n"
         "    if (loaded && !assumeLoaded) {\n"
         "      throw new IllegalStateException(\"lance-torch: the JNI library is already loaded\");\n"
         "    }\n"
         "    assumeLoaded = true;\n"
         "  }\n\n"
         "  /** The libtorch_cpu.so file JavaCPP loaded",
         "public static synchronized void assumeLoaded()"),
    ])


LEVELS = {"WARNING": "warn", "INFO": "info", "DEBUG": "debug", "ERROR": "error", "TRACE": "trace"}


def logging():
    for f in sorted(Path(".").glob("*/src/**/*.java")):
        text = f.read_text()
        if "System.Logger" not in text and "System.getLogger" not in text:
            continue
        orig = text
        text = re.sub(r"System\.Logger\s+(\w+)\s*=\s*System\.getLogger\(",
                      r"Logger \1 = LoggerFactory.getLogger(", text)
        text = text.replace("System.getLogger(", "LoggerFactory.getLogger(")
        # a message supplier: slf4j's fluent form; otherwise the level method
        text = re.sub(r"\.log\(\s*System\.Logger\.Level\.(\w+),\s*(?=\(\)\s*->)",
                      lambda m: ".at" + LEVELS[m.group(1)].capitalize() + "().log(", text)
        text = re.sub(r"\.log\(\s*System\.Logger\.Level\.(\w+),\s*",
                      lambda m: "." + LEVELS[m.group(1)] + "(", text)
        if "System.Logger" in text:
            sys.exit(f"edits: {f}: a System.Logger use this step does not convert")
        imports = [i for i, used in (("org.slf4j.Logger", re.search(r"\bLogger\s+\w+\s*=", text)),
                                     ("org.slf4j.LoggerFactory", "LoggerFactory." in text)) if used]
        block = "".join(f"import {i};\n" for i in imports if f"import {i};" not in text)
        m = re.search(r"^import\s", text, re.M)
        text = text[:m.start()] + block + text[m.start():] if m else re.sub(
            r"^(package [\w.]+;\n)", lambda mm: mm.group(1) + "\n" + block, text, count=1, flags=re.M)
        if text != orig:
            f.write_text(text)
            print(f"edited {f} (slf4j)")


EXAMPLE = "consumer-test/src/main/java/example/ReadmeExample.java"

DEPENDENCIES = """## Dependencies
`mvn -B install` (what `make test` runs) installs these into `~/.m2`; a CPU user declares the first one only:

```xml
<dependency>
  <groupId>dev.lancetorch</groupId>
  <artifactId>lance-torch-platform</artifactId>
  <version>0.1.0-SNAPSHOT</version>
  <type>pom</type>
</dependency>
```
- `lance-torch-platform` (JavaCPP's `*-platform` convention): the library, its JNI library for linux-x86_64
  (`lance-torch-native`, classifier `linux-x86_64`) and CPU LibTorch (`org.bytedeco:pytorch`, `linux-x86_64`).
- `lance-torch`: the library alone. It forces no platform classifier and ships no logging binding: it logs through
  `slf4j-api`, so add the binding you use (its own tests use logback at WARN).
- CUDA: declare `lance-torch` and `lance-torch-native` (classifier `linux-x86_64`) instead, plus JavaCPP's GPU build
  of LibTorch (`org.bytedeco:pytorch:2.13.0-1.5.14`, classifier `linux-x86_64-gpu`, with `org.bytedeco:cuda`'s
  matching classifier jars when CUDA is not installed). Tensors still come out on the CPU; move them with `to(...)`.
- The native part is built by Maven (`native/`, which runs `native.mk`) into `dev/lancetorch/native/<platform>/`;
  `-Dlancetorch.native.path=FILE` loads another build, `NativeLibrary.assumeLoaded()` one you loaded yourself.
- JavaCPP warns at start-up that `javacpp 1.5.14` and `openblas 0.3.31-1.5.13` do not match: pytorch 1.5.14 asks for
  openblas 0.3.34-1.5.14, which Maven Central does not serve, so the build pins the previous openblas (all tests
  run on it).

"""


def readme():
    p = Path("README.md")
    text = p.read_text()
    orig = text
    src = Path(EXAMPLE).read_text()
    m = re.search(r"^ *// README:begin\n(.*?)^ *// README:end\n", src, re.M | re.S)
    if not m:
        sys.exit(f"edits: {EXAMPLE} has no README:begin/README:end region")
    region = "".join(line[4:] if line.startswith("    ") else line for line in m.group(1).splitlines(True))
    block = ("<!-- readme-example:begin -->\n```java\n" + region + "```\n<!-- readme-example:end -->\n"
             f"(This is [ReadmeExample.java]({EXAMPLE}), which `make test` runs in a project that declares only\n"
             "`lance-torch-platform`; `examples/src/main/java/dev/lancetorch/demo/Demo.java` is the full demo.)\n")
    pat = re.compile(r"(## In your code\n\n)(?:[^\n]*\n)*?(?:<!-- readme-example:begin -->\n)?```java\n.*?```\n"
                     r"(?:<!-- readme-example:end -->\n)?(?:\((?:[^\n]*\n){0,3}?[^\n]*full (?:program|demo)\.\)\n)?",
                     re.S)
    if not pat.search(text):
        sys.exit("edits: README.md has no '## In your code' java block")
    text = pat.sub(lambda mm: mm.group(1) + block, text, count=1)
    text = text.replace(
        "make test   # build the native code and run every test (C++ shim tests + the C++ inference example + JUnit)",
        "make test   # mvn install: native code, C++ tests, JUnit, README's example in a user's project, style checks")
    text = text.replace(
        "`make jmh ARGS=\"BridgeJmh\"`, `make fuzz` (libFuzzer on the C API), `make javadoc`, `make clean`, and",
        "`make jmh ARGS=\"BridgeJmh\"`, `make fuzz` (libFuzzer on the C API), `make javadoc`, `make format` (the house\n"
        "format, google-java-format; `make test` fails on unformatted code), `make clean`, and")
    if "Maven modules" not in text:
        text = text.replace(
            "\n## Requirements\n",
            "\nThe build is Maven modules (`mvn -B install` alone builds, tests and installs everything; see\n"
            "[docs/architecture.md](docs/architecture.md)): `lance-torch` (the library), `native` (JNI + C shim, one jar\n"
            "per platform), `platform`, `examples`, `bench`, `interop`, and `consumer-test` (a user's project).\n"
            "\n## Requirements\n", 1)
    if "## Dependencies" not in text:
        text = text.replace("## In your code", DEPENDENCIES + "## In your code", 1)
    if text != orig:
        p.write_text(text)
        print("edited README.md")


def long_table_rows(limit=100):
    """Javadoc table rows longer than the line limit: one cell per line (the formatter leaves tables alone)."""
    row = re.compile(r"^(\s*\*)\s+((?:</?tr>|<t[dh]>.*?</t[dh]>)+)$")
    for f in sorted(Path(".").glob("*/src/**/*.java")):
        lines = f.read_text().split("\n")
        out = []
        for line in lines:
            m = row.match(line)
            if m and len(line) > limit:
                for tok in re.findall(r"</?tr>|<t[dh]>.*?</t[dh]>", m.group(2)):
                    out.append(m.group(1) + ("   " if tok.endswith("tr>") else "     ") + tok)
            else:
                out.append(line)
        if out != lines:
            f.write_text("\n".join(out))
            print(f"edited {f} (long table rows)")


def one_cleaner():
    """Refactor after the moves: every Cleaner.create of the library becomes internal.memory.Cleaners.CLEANER."""
    home = Path("lance-torch/src/main/java/dev/lancetorch/internal/memory/Cleaners.java")
    text = home.read_text()
    text = text.replace('"lance-torch-permutation-cleaner"', '"lance-torch-cleaner"')
    text = re.sub(r"The one \{@link Cleaner\} of this package", "The one {@link Cleaner} of lance-torch", text)
    home.write_text(text)
    start = re.compile(r"^ *private static final Cleaner CLEANER =\s*Cleaner\.create\(", re.M)
    for f in sorted(Path("lance-torch/src/main/java").rglob("*.java")):
        if f == home:
            continue
        text = f.read_text()
        m = start.search(text)
        if not m:
            continue
        depth, i = 1, m.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        end = text.index(";", i) + 1
        end += len(re.match(r"\n*", text[end:]).group(0))
        text = text[:m.start()] + text[end:]
        text = re.sub(r"(?<![\w.])CLEANER\.register\(", "Cleaners.CLEANER.register(", text)
        if "import dev.lancetorch.internal.memory.Cleaners;" not in text:
            mm = re.search(r"^import\s", text, re.M)
            text = text[:mm.start()] + "import dev.lancetorch.internal.memory.Cleaners;\n" + text[mm.start():]
        f.write_text(text)
        print(f"edited {f} (one Cleaner)")


PKG = "lance-torch/src/main/java/dev/lancetorch/"


def api_hygiene():
    """After the moves (formatted code): what internal.permutation needed from Permutations goes back out of the API."""
    edit(PKG + "permutation/Permutations.java", [
        ('  public static final String ROW_ID = "row_id";\n',
         '  /** Column of a permutation table: the base row address, {@code UInt64}. */\n'
         '  public static final String ROW_ID = "row_id";\n\n'
         '  /** Column of a permutation table: the split id, {@code UInt64}. */\n', "the base row address, {@code UInt64}"),
        ('  public static Permutations fromPlan(', '  static Permutations fromPlan(', None),
        (re.compile(r"\n  public static String splitNamesJson\(List<String> names\) \{\n(?:    .*\n)+?  \}\n"), "", None),
    ])
    edit(PKG + "internal/permutation/PermutationRowsReader.java", [
        ("Permutations.splitNamesJson(names)", "splitNamesJson(names)", None),
        (re.compile(r"\n\}\n?$"),
         "\n\n  private static String splitNamesJson(List<String> names) {\n"
         "    try {\n      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(names);\n"
         "    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {\n"
         "      throw new IllegalStateException(e);\n    }\n  }\n}\n", "private static String splitNamesJson("),
    ])
    edit(PKG + "internal/permutation/PermutationPlan.java", [
        ("  public Permutations toPermutations(Table base) {\n"
         "    return Permutations.fromPlan(base, names == null ? List.of() : names, splits);\n  }\n",
         "  /** The split names (empty when the splits are unnamed), index = split id. */\n"
         "  public List<String> splitNames() {\n    return names == null ? List.of() : names;\n  }\n\n"
         "  /** Per split, the base row addresses in permutation order (not a copy). */\n"
         "  public long[][] splits() {\n    return splits;\n  }\n", "public List<String> splitNames()"),
    ])
    edit(PKG + "permutation/PermutationBuilder.java", [
        ("return plan.toPermutations(base);", "return Permutations.fromPlan(base, plan.splitNames(), plan.splits());", None),
    ])


if __name__ == "__main__" and sys.argv[1:] == ["api-hygiene"]:
    api_hygiene()
    sys.exit(0)

if __name__ == "__main__" and sys.argv[1:] == ["one-cleaner"]:
    one_cleaner()
    sys.exit(0)

def long_strings_and_commands(limit=100):
    """What the formatter leaves longer than the limit: string literals without spaces (split at a comma or a
    colon) and shell command lines in Javadoc <pre> blocks (continued with a backslash)."""
    lit = re.compile(r'"((?:\\.|[^"\\])*)"')
    for f in sorted(Path(".").glob("*/src/**/*.java")):
        lines = f.read_text().split("\n")
        out = []
        in_pre = False
        for line in lines:
            if re.search(r"^\s*\*.*<pre>", line):
                in_pre = True
            if re.search(r"</pre>", line):
                in_pre = False
            if len(line) <= limit:
                out.append(line)
                continue
            if in_pre and re.match(r"^\s*\* ", line) and " --" in line:
                prefix = re.match(r"^(\s*\*\s+)", line).group(1)
                rest = line
                while len(rest) > limit:
                    cut = rest.rfind(" ", len(prefix) + 10, limit - 2)
                    if cut < 0:
                        break
                    out.append(rest[:cut] + " \\")
                    rest = prefix + "  " + rest[cut + 1:].lstrip()
                out.append(rest)
                continue
            m = None
            for mm in lit.finditer(line):
                if " " not in mm.group(1) and len(mm.group(0)) > 30:
                    m = mm
            if m and not line.lstrip().startswith("*"):
                body = m.group(1)
                cuts = [i + 1 for i, ch in enumerate(body) if ch in ",:" and body[i - 1:i] != "\\"]
                if cuts:
                    mid = min(cuts, key=lambda i: abs(i - len(body) / 2))
                    line = line[:m.start()] + '"' + body[:mid] + '" + "' + body[mid:] + '"' + line[m.end():]
            out.append(line)
        if out != lines:
            f.write_text("\n".join(out))
            print(f"edited {f} (long lines)")


if __name__ == "__main__" and sys.argv[1:] == ["format"]:
    long_table_rows()
    long_strings_and_commands()
    sys.exit(0)

if __name__ == "__main__":
    native_mk()
    native_library()
    logging()
    readme()
