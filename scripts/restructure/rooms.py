#!/usr/bin/env python3
"""Prints the library's packages ("rooms"): files, public types, and which packages each one imports
(run from the repository root after the sweep; docs/architecture.md's table comes from it)."""
import collections
import os
import re

ROOT = "lance-torch/src/main/java"
deps = collections.defaultdict(set)
files = collections.Counter()
public = collections.Counter()
for d, _, fs in os.walk(ROOT):
    for f in fs:
        if not f.endswith(".java") or f == "package-info.java":
            continue
        text = open(os.path.join(d, f)).read()
        pkg = re.search(r"^package ([\w.]+);", text, re.M).group(1)
        files[pkg] += 1
        if re.search(r"^public\s", text, re.M):
            public[pkg] += 1
        for imp in re.findall(r"^import (?:static )?(dev\.lancetorch[\w.]*?)\.[A-Z]", text, re.M):
            if imp != pkg:
                deps[pkg].add(imp)


def short(p):
    return p.replace("dev.lancetorch", "") or "(root)"


for p in sorted(files):
    print(f"| `{p}` | {files[p]} ({public[p]} public) | {', '.join(sorted(short(d) for d in deps[p])) or '—'} |")
