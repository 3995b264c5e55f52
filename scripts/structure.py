#!/usr/bin/env python3
"""Structure figures for a Rust crate (a copy of the team tool, listing every long function): longest functions, biggest files, import cycles between files.

usage: structure.py [SRC_DIR] [--max-fn N] [--max-file N] [--max-main N]
Exit 0 when: no non-test function is longer than --max-fn lines, no non-test file part is longer
than --max-file lines, main.rs is at most --max-main lines, and no two source files import each
other through a cycle (crate-internal `use crate::…` / `crate::…::` paths, resolved to files).
"""
import os, re, sys
from collections import defaultdict


def strip_tests(text):
    """Drop `#[cfg(test)] mod … { … }` blocks (by brace matching)."""
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i:m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def functions(text):
    """(name, first line, line count) for each `fn` with a body, by brace matching on code lines."""
    res = []
    for m in re.finditer(r"(?m)^[ \t]*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+|async\s+|unsafe\s+)*fn\s+(\w+)", text):
        j = text.find("{", m.end())
        semi = text.find(";", m.end())
        if j < 0 or (0 <= semi < j):
            continue
        depth, k = 1, j + 1
        in_str = False
        while k < len(text) and depth:
            ch = text[k]
            # A `'"'` char literal opens no string.
            char = text[k - 1] == "'" and text[k + 1 : k + 2] == "'"
            if ch == '"' and text[k - 1] != "\\" and not char:
                in_str = not in_str
            elif not in_str:
                depth += {"{": 1, "}": -1}.get(ch, 0)
            k += 1
        a = text.count("\n", 0, m.start()) + 1
        b = text.count("\n", 0, k) + 1
        res.append((m.group(1), a, b - a + 1))
    return res


def module_files(src):
    files = {}
    for root, _, names in os.walk(src):
        for n in names:
            if n.endswith(".rs"):
                p = os.path.join(root, n)
                rel = os.path.relpath(p, src)[:-3].split(os.sep)
                if rel[-1] == "mod":
                    rel = rel[:-1]
                if rel in (["lib"], ["main"]):
                    rel = []
                files["::".join(rel)] = p
    return files


def resolve(mods, path):
    parts = path.split("::")
    for k in range(len(parts), 0, -1):
        cand = "::".join(parts[:k])
        if cand in mods:
            return cand
    return None


def imports(text, mods):
    deps = set()
    for m in re.finditer(r"crate::((?:\w+::)*\w+)", text):
        r = resolve(mods, m.group(1))
        if r:
            deps.add(r)
    for m in re.finditer(r"use\s+crate::\{([^;]*)\};", text, re.S):
        for item in re.findall(r"(\w+(?:::\w+)*)", m.group(1)):
            r = resolve(mods, item)
            if r:
                deps.add(r)
    return deps


def cycles(graph):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            strong(v)
    return out


def main():
    a = sys.argv[1:]
    src = a[0] if a and not a[0].startswith("--") else "src"
    opt = lambda k, d: int(a[a.index(k) + 1]) if k in a else d
    max_fn, max_file, max_main = opt("--max-fn", 80), opt("--max-file", 600), opt("--max-main", 60)
    mods = module_files(src)
    long_fns, big_files, graph = [], [], defaultdict(set)
    main_len = 0
    for mod, p in mods.items():
        text = strip_tests(open(p, encoding="utf-8", errors="replace").read())
        n = text.count("\n")
        rel = os.path.relpath(p, src)
        if rel == "main.rs":
            main_len = n
        if n > max_file:
            big_files.append((n, rel))
        for name, line, length in functions(text):
            if length > max_fn:
                long_fns.append((length, f"{rel}:{line} {name}"))
        if mod:
            graph[mod] |= {d for d in imports(text, mods) if d and d != mod and not d.startswith(mod + "::")}
    cyc = cycles(graph)
    for n, f in sorted(big_files, reverse=True)[:8]:
        print(f"  file over {max_file} lines: {f} ({n})")
    for n, f in sorted(long_fns, reverse=True):
        print(f"  fn over {max_fn} lines: {f} ({n})")
    for c in cyc[:6]:
        print("  import cycle:", " <-> ".join(c))
    if main_len > max_main:
        print(f"  main.rs has {main_len} lines (at most {max_main})")
    ok = not long_fns and not big_files and not cyc and main_len <= max_main
    print(f"structure: {len(mods)} files, {len(long_fns)} fns over {max_fn} lines, {len(big_files)} files over "
          f"{max_file} lines, {len(cyc)} import cycles, main.rs {main_len} lines")
    sys.exit(0 if ok else 1)


main()
