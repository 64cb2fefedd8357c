#!/usr/bin/env python3
"""Restructuring sweep of issue 14: moves files into Maven modules and classes into their rooms.

Steps (each idempotent; run from the repository root):
  dirs     git mv the module directories (library, examples, bench, interop)
  classes  git mv the classes listed in moves.tsv into their new packages
  rewrite  package lines, imports (added where a class left a file's package), fully qualified
           names in Java and in other text files (docs, Makefile, JNI symbol names)
  fix      compile everything with javac (-proc:none) and widen the visibility that javac names
           ("... is not public in ...; cannot be accessed from outside package", weaker access
           overrides), until no such error is left; writes the list to widened.txt

Usage: restructure.py dirs|classes|rewrite|fix [--classpath FILE]
"""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path.cwd()
HERE = Path(__file__).resolve().parent

# (old path, new path): whole directories (or files) moved with git mv, in this order.
DIR_MOVES = [
    ("src/main/java/dev/lancetorch/demo", "examples/src/main/java/dev/lancetorch/demo"),
    ("src/main/java/dev/lancetorch/examples", "examples/src/main/java/dev/lancetorch/examples"),
    ("src/test/java/dev/lancetorch/demo", "examples/src/test/java/dev/lancetorch/demo"),
    ("src/test/java/dev/lancetorch/examples", "examples/src/test/java/dev/lancetorch/examples"),
    ("src/test/java/dev/lancetorch/bench", "bench/src/main/java/dev/lancetorch/bench"),
    ("src/test/java/dev/lancetorch/interop", "interop/src/main/java/dev/lancetorch/interop"),
    ("scripts/interop", "interop/js"),
    ("cpp-shim/examples", "examples/cpp"),
    ("src", "lance-torch/src"),
]

# Plain-text path rewrites in non-Java files and Java comments (old -> new), longest first.
PATH_REWRITES = [
    # the benchmarks' run commands (they were test classes of the library)
    ("mvn -o -q test-compile && java -cp target/test-classes:target/classes:$(cat target/classpath.txt)",
     "make build && java -cp bench/target/classes:$(cat bench/target/classpath.txt)"),
    ("make build && mvn -o -q test-compile && java", "make build && java"),
    ("-cp target/test-classes:target/classes:$(cat target/classpath.txt)",
     "-cp bench/target/classes:$(cat bench/target/classpath.txt)"),
    ("mvn -o -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=",
     "mvn -o -q -pl bench exec:java -Dexec.mainClass="),
    ("src/main/java/dev/lancetorch/demo/", "examples/src/main/java/dev/lancetorch/demo/"),
    ("src/main/java/dev/lancetorch/examples/", "examples/src/main/java/dev/lancetorch/examples/"),
    ("src/test/java/dev/lancetorch/bench/", "bench/src/main/java/dev/lancetorch/bench/"),
    ("src/test/java/dev/lancetorch/interop/", "interop/src/main/java/dev/lancetorch/interop/"),
    ("scripts/interop", "interop/js"),
    ("cpp-shim/examples/", "examples/cpp/"),
]

SOURCE_ROOTS = [
    "lance-torch/src/main/java", "lance-torch/src/test/java",
    "examples/src/main/java", "examples/src/test/java",
    "bench/src/main/java", "interop/src/main/java",
    "consumer-test/src/main/java",
]

TEXT_SUFFIXES = {".md", ".cpp", ".hpp", ".h", ".mk", ".xml", ".sh", ".mjs", ".json", ".txt", ".map"}
TEXT_NAMES = {"Makefile", "run", ".gitignore"}


def git(*args, check=True):
    return subprocess.run(["git", *args], check=check, capture_output=True, text=True).stdout


def tracked_files():
    return [Path(p) for p in git("ls-files").splitlines() if Path(p).exists()]


def read_moves():
    moves = {}
    for line in (HERE / "moves.tsv").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        old, new_pkg = line.split("\t")
        moves[old] = new_pkg + "." + old.rsplit(".", 1)[1]
    return moves


def git_mv(src, dst):
    src, dst = Path(src), Path(dst)
    if not src.exists():
        return False
    if dst.exists() and dst.is_dir() and src.is_dir():
        # merge: move each child (a re-run after someone added files in the old place)
        for child in sorted(src.iterdir()):
            git_mv(child, dst / child.name)
        if src.exists() and not any(src.iterdir()):
            src.rmdir()
        return True
    dst.parent.mkdir(parents=True, exist_ok=True)
    if git("ls-files", str(src)).strip():
        git("mv", str(src), str(dst))
    else:
        src.rename(dst)  # untracked (e.g. build output under the old path): plain move
    return True


def step_dirs():
    for src, dst in DIR_MOVES:
        if git_mv(src, dst):
            print(f"moved {src} -> {dst}")


def java_files():
    out = []
    for root in SOURCE_ROOTS:
        if Path(root).is_dir():
            out += sorted(Path(root).rglob("*.java"))
    return out


def fqcn_to_path(root, fqcn):
    return Path(root) / (fqcn.replace(".", "/") + ".java")


def find_source(fqcn):
    for root in SOURCE_ROOTS:
        p = fqcn_to_path(root, fqcn)
        if p.exists():
            return root, p
    return None, None


def step_classes():
    for old, new in read_moves().items():
        root, src = find_source(old)
        if src is None:
            if find_source(new)[1] is None:
                print(f"warning: {old} not found (neither moved nor present)")
            continue
        git_mv(src, fqcn_to_path(root, new))
        print(f"moved {old} -> {new}")
    # what is left in the API packages that is not public: candidates for moves.tsv
    left = []
    for f in Path("lance-torch/src/main/java/dev/lancetorch").rglob("*.java"):
        if ".internal" in ".".join(f.parts) or "/internal/" in str(f) or f.name == "package-info.java":
            continue
        if not re.search(r"^public\s", f.read_text(), re.M):
            left.append(str(f.relative_to("lance-torch/src/main/java")).replace("/", ".")[:-5])
    print("package-private classes left in the API packages: " + (", ".join(sorted(left)) or "none"))


# ---------------------------------------------------------------- Java text handling

STRING_OR_COMMENT = re.compile(
    r'"""(?:.|\n)*?"""|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])+\'|//[^\n]*|/\*(?:.|\n)*?\*/')
DOC_REF = re.compile(r"(?:\{@link(?:plain)?\s+|@see\s+|@throws\s+|@exception\s+)([A-Z][\w]*)")


def code_names(text):
    """Simple names a file uses: identifiers in code and type names in Javadoc references."""
    names = set()
    pieces = []
    last = 0
    for m in STRING_OR_COMMENT.finditer(text):
        pieces.append(text[last:m.start()])
        tok = m.group(0)
        if tok.startswith("/*") or tok.startswith("//"):
            names.update(DOC_REF.findall(tok))
        last = m.end()
    pieces.append(text[last:])
    code = " ".join(pieces)
    names.update(re.findall(r"\b[A-Z]\w*\b", code))
    return names, code


def package_of(text):
    m = re.search(r"^package\s+([\w.]+)\s*;", text, re.M)
    return m.group(1) if m else ""


def declared_types(code):
    return set(re.findall(r"\b(?:class|interface|enum|record)\s+([A-Z]\w*)", code))


def all_classes():
    """fqcn -> path for every top-level type in the source roots (by file name)."""
    out = {}
    for f in java_files():
        if f.name in ("package-info.java", "module-info.java"):
            continue
        pkg = package_of(f.read_text())
        out[(pkg + "." if pkg else "") + f.stem] = f
    return out


def replace_fqcns(text, mapping):
    """Replaces old fully qualified names (dotted, slashed, JNI-mangled) by new ones."""
    for old in sorted(mapping, key=len, reverse=True):
        new = mapping[old]
        text = re.sub(r"(?<![\w.])" + re.escape(old) + r"(?!\w)", new, text)
        text = re.sub(r"(?<![\w/])" + re.escape(old.replace(".", "/")) + r"(?![\w])",
                      new.replace(".", "/"), text)
        text = text.replace("Java_" + old.replace("_", "_1").replace(".", "_") + "_",
                            "Java_" + new.replace("_", "_1").replace(".", "_") + "_")
    return text


def rewrite_paths(text, path):
    if str(path).startswith(("consumer-test/", "scripts/restructure/")) or (HERE / "files" / path).exists():
        return text  # new files: written for the new layout
    for old, new in PATH_REWRITES:
        text = re.sub(r"(?<![\w/-])" + re.escape(old), new, text)
    # bare src/ paths of the library now live under lance-torch/
    return re.sub(r"(?<![\w/.-])src/(main|test)/", r"lance-torch/src/\1/", text)


def step_rewrite():
    moves = read_moves()
    classes = all_classes()  # new locations (files already moved)
    # the package each class had before the sweep: moved classes from moves.tsv, others unchanged
    old_pkg = {}
    for fqcn in classes:
        old_pkg[fqcn] = fqcn.rsplit(".", 1)[0]
    for old, new in moves.items():
        old_pkg[new] = old.rsplit(".", 1)[0]
    by_old_pkg = {}
    for fqcn, pkg in old_pkg.items():
        by_old_pkg.setdefault(pkg, {})[fqcn.rsplit(".", 1)[1]] = fqcn

    changed = 0
    for f in java_files():
        text = f.read_text()
        orig = text
        # the file's new package follows its directory
        root = next(r for r in SOURCE_ROOTS if str(f).startswith(r + "/"))
        rel = f.relative_to(root).parent
        new_package = ".".join(rel.parts)
        stem = f.stem
        my_new = new_package + "." + stem
        my_old_pkg = old_pkg.get(my_new, package_of(text))
        if f.name == "package-info.java":
            my_old_pkg = package_of(text)
        text = replace_fqcns(text, moves)
        text = rewrite_paths(text, f)
        text = re.sub(r"^package\s+[\w.]+\s*;", f"package {new_package};", text, count=1, flags=re.M)
        # imports for classes that shared the file's old package but now live elsewhere
        names, code = code_names(text)
        imported = set(re.findall(r"^import\s+(?:static\s+)?[\w.]*?\.(\w+)\s*;", text, re.M))
        imported_fq = set(re.findall(r"^import\s+([\w.]+)\s*;", text, re.M))
        own = declared_types(code)
        add = []
        for simple, fqcn in sorted(by_old_pkg.get(my_old_pkg, {}).items()):
            target_pkg = fqcn.rsplit(".", 1)[0]
            if target_pkg == new_package or simple == stem or simple not in names:
                continue
            if simple in own or fqcn in imported_fq:
                continue
            if simple in imported:
                continue  # another class of that simple name is imported: leave it to the compiler
            add.append(fqcn)
        # classes now in the file's own package need no import
        for fq in sorted(imported_fq):
            if fq.rsplit(".", 1)[0] == new_package and fq in classes:
                text = re.sub(r"^import\s+" + re.escape(fq) + r"\s*;\n", "", text, flags=re.M)
        if add:
            block = "".join(f"import {fq};\n" for fq in add)
            m = re.search(r"^import\s", text, re.M)
            if m:
                text = text[:m.start()] + block + text[m.start():]
            else:
                m = re.search(r"^package\s+[\w.]+\s*;\n", text, re.M)
                text = text[:m.end()] + "\n" + block + text[m.end():]
        if text != orig:
            f.write_text(text)
            changed += 1
    print(f"rewrote {changed} Java files")

    # other text files: fully qualified names and moved paths
    n = 0
    for f in tracked_files():
        if f.suffix == ".java" or str(f).startswith("scripts/restructure/"):
            continue
        if f.suffix not in TEXT_SUFFIXES and f.name not in TEXT_NAMES:
            continue
        try:
            text = f.read_text()
        except UnicodeDecodeError:
            continue
        orig = text
        text = replace_fqcns(text, moves)
        text = rewrite_paths(text, f)
        if text != orig:
            f.write_text(text)
            n += 1
    print(f"rewrote {n} other files")


# ---------------------------------------------------------------- visibility fixing

ERR = re.compile(r"^(?P<file>[^:\n]+\.java):(?P<line>\d+): error: (?P<msg>.*)$", re.M)
NOT_PUBLIC = re.compile(r"(?:<[^>]*>)?([\w.]+?)(\([^()]*\))? is not public in ([\w.]+); cannot be accessed from outside package")
OVERRIDE = re.compile(r"(\w+)\([^)]*\) in (<anonymous ([\w.$]+)>|[\w.]+) cannot (?:override|implement) \w+\([^)]*\) in ([\w.]+)")
MODS = r"(?:(?:@\w+(?:\([^)]*\))?\s+)|(?:static|final|abstract|synchronized|native|default|strictfp|sealed|non-sealed|transient|volatile)\s+)*"


def javac(classpath, outdir):
    files = [str(f) for f in java_files()]
    argfile = Path(outdir) / "sources.txt"
    argfile.write_text("\n".join(files))
    cmd = ["javac", "-proc:none", "-nowarn", "-Xmaxerrs", "100000", "-encoding", "UTF-8",
           "--release", "17", "-d", str(Path(outdir) / "classes"), "-cp", classpath, "@" + str(argfile)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def owner_file(owner, classes, from_file=None):
    """File declaring the (possibly nested) class owner, and its simple name. javac names the owner
    of a member by its simple name; it is resolved against the erroring file's imports and package."""
    parts = owner.split(".")
    for i in range(len(parts), 0, -1):
        top = ".".join(parts[:i])
        if top in classes:
            return classes[top], parts[-1]
    simple = parts[-1]
    if owner[:1].islower():
        return None, simple  # a package
    cands = [fq for fq in classes if fq.rsplit(".", 1)[-1] == simple]
    if not cands:  # a nested type: the files that declare it
        pat = re.compile(r"\b(?:class|interface|enum|record)\s+" + re.escape(simple) + r"\b")
        cands = [fq for fq, f in classes.items() if pat.search(Path(f).read_text())]
    if len(cands) > 1 and from_file:
        text = Path(from_file).read_text()
        pkg = package_of(text)
        pref = [fq for fq in cands if re.search(r"^import\s+" + re.escape(fq) + r"\s*;", text, re.M)
                or fq.rsplit(".", 1)[0] == pkg]
        cands = pref or cands
    if len(cands) == 1:
        return classes[cands[0]], simple
    return None, simple


def member_indent(text, owner_simple):
    """Indentation of the members of class owner_simple in text (Google style: 2 per level)."""
    m = re.search(r"^( *)" + MODS + r"(?:public\s+|protected\s+|private\s+)?" + MODS
                  + r"(?:class|interface|enum|record)\s+" + re.escape(owner_simple) + r"\b", text, re.M)
    return len(m.group(1)) + 2 if m else 2


def make_public(path, name, kind, widened, what, owner_simple=None, anywhere=False):
    """Adds `public` to declarations of name (kind: type, ctor, member) that have no access modifier,
    at the member indentation of class owner_simple (types: at any indentation)."""
    text = path.read_text()
    lines = text.split("\n")
    indent = member_indent(text, owner_simple or path.stem) if kind != "type" and not anywhere else None
    if kind == "type":
        pat = re.compile(r"^(\s*)(" + MODS + r")((?:class|interface|enum|record)\s+" + re.escape(name) + r"\b)")
    elif kind == "ctor":
        pat = re.compile(r"^(\s*)(" + MODS + r")(" + re.escape(name) + r"\s*\()")
    else:
        pat = re.compile(r"^(\s*)(" + MODS + r")((?:<[^=;(]*>\s+)?\w[\w.<>\[\], ?]*\s+" + re.escape(name) + r"\s*(?:\(|=|;))")
    hit = False
    for i, line in enumerate(lines):
        m = pat.match(line)
        if not m or (indent is not None and len(m.group(1)) != indent):
            continue
        if re.search(r"\b(public|private)\b", m.group(2) + " " + m.group(3).split("(")[0]):
            continue
        first = m.group(3).split()[0]
        if first in ("return", "new", "throw", "else", "case", "yield", "assert", "package", "import"):
            continue
        mods = re.sub(r"\bprotected\s+", "", m.group(2))
        lines[i] = m.group(1) + "public " + mods + m.group(3) + line[m.end():]
        hit = True
    if hit:
        path.write_text("\n".join(lines))
        owner = path.stem if kind == "type" else (owner_simple or path.stem)
        widened.add(f"{package_of(text)}.{owner}#{name}" + ("" if kind == "type" else f" ({kind})"))
    return hit


def step_fix(classpath_file):
    classpath = Path(classpath_file).read_text().strip()
    out = Path("target/restructure")
    out.mkdir(parents=True, exist_ok=True)
    widened = set()
    for rnd in range(12):
        rc, log = javac(classpath, out)
        classes = all_classes()
        fixed = 0
        unknown = []
        current = None
        for line in log.split("\n"):
            h = ERR.match(line)
            if h:
                current = h
            if current is None:
                continue
            where = f"{current.group('file')}:{current.group('line')}"
            mm = NOT_PUBLIC.search(line)
            if mm:
                sym, args, owner = mm.group(1), mm.group(2), mm.group(3)
                simple = sym.split(".")[-1]
                f, owner_simple = owner_file(owner, classes, current.group("file"))
                if f is None and owner[:1].islower():  # a top-level class: owner is its package
                    f = classes.get(owner + "." + simple)
                    kinds = ["type"]
                elif args is not None:
                    kinds = ["ctor"] if simple == owner_simple else ["member"]
                else:
                    kinds = ["type", "member"]
                if f and any(make_public(Path(f), simple, k, widened, None, owner_simple) for k in kinds):
                    fixed += 1
                elif h:
                    unknown.append(f"{where}: {line}")
                continue
            mm = OVERRIDE.search(line)
            if mm:
                name, anon, owner = mm.group(1), mm.group(3), mm.group(2)
                f, o = owner_file(anon.split("$")[0] if anon else owner, classes, current.group("file"))
                if f and make_public(Path(f), name, "member", widened, None, None if anon else o, anywhere=bool(anon)):
                    fixed += 1
                continue
            mm = re.search(r"([\w.]+) is not abstract and does not override abstract method (\w+)\([^)]*\) in ([\w.]+)", line)
            if mm:
                f, o = owner_file(mm.group(3), classes, current.group("file"))
                if f and make_public(Path(f), mm.group(2), "member", widened, None, o):
                    fixed += 1
                continue
            mm = re.search(r"(?:<[^>]*>)?(\w+)(\([^)]*\))? has protected access in ([\w.]+)", line)
            if mm:
                f, owner_simple = owner_file(mm.group(3), classes, current.group("file"))
                kind = "ctor" if mm.group(1) == owner_simple else "member"
                if f and make_public(Path(f), mm.group(1), kind, widened, None, owner_simple):
                    fixed += 1
                continue
            if h:
                unknown.append(f"{where}: {h.group('msg')}")
        print(f"fix round {rnd}: javac rc={rc}, widened {fixed}, other errors {len(unknown)}")
        if rc == 0:
            break
        if fixed == 0:
            print("errors javac reports that this step does not fix:")
            for u in unknown[:60]:
                print("  " + u)
            (out / "javac.log").write_text(log)
            break
    report = HERE / "widened.txt"
    old = set(report.read_text().split("\n")) if report.exists() else set()
    lines = sorted((old | widened) - {""})
    report.write_text("\n".join(lines) + "\n")
    api = [w for w in lines if ".internal." not in w.split("#")[0]]
    print(f"widened {len(widened)} declarations this run; outside internal packages ({len(api)}):")
    for w in api:
        print("  " + w)
    return 0 if rc == 0 else 1


def main():
    step = sys.argv[1]
    if step == "dirs":
        step_dirs()
    elif step == "classes":
        step_classes()
    elif step == "rewrite":
        step_rewrite()
    elif step == "fix":
        sys.exit(step_fix(sys.argv[sys.argv.index("--classpath") + 1]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
