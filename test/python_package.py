#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The Python is one package, and the scripts and tests use it as one
(doc/python.md): a fast test.

Usage: python_package.py SOURCE_ROOT

1. no Python file of the tree loads another by path (importlib's
   spec_from_file_location, SourceFileLoader, runpy.run_path, exec of a
   file's text);
2. no Python file changes sys.path;
3. the modules of usertools/qosdt/ import each other without a circle;
4. every module of the package imports (eval_figures only where
   matplotlib is installed);
5. every command-line script in usertools/ starts: --help exits 0 (and
   qosdt_hops.py without arguments prints its usage and exits 1);
6. doc/python.md names every module of the package.

Run with usertools/ on PYTHONPATH (meson does).
"""
import ast
import importlib
import os
import re
import subprocess
import sys

from qosdt import cases as qosdt_cases

NAME = "python_package"
BY_PATH = re.compile(r"spec_from_file_location|SourceFileLoader|run_path\(|"
                     r"exec\(\s*open\(|exec\(\s*compile\(")
SYS_PATH = re.compile(r"sys\.path\s*(\.\s*(insert|append|extend|remove)|\[|\+?=)")
SCRIPT_TIMEOUT = 30


class Cases(qosdt_cases.Cases):
    def __init__(self, root):
        super().__init__(NAME)
        self.root = root
        self.pkg = os.path.join(root, "usertools", "qosdt")
        out = subprocess.run(["git", "-C", root, "ls-files", "*.py"], capture_output=True,
                             text=True)
        if out.returncode == 0:
            self.files = [os.path.join(root, f) for f in out.stdout.split()]
        else:                       # not a git checkout: walk the tree
            self.files = [os.path.join(d, f) for d, _, fs in os.walk(root)
                          if not os.path.relpath(d, root).startswith("build")
                          for f in fs if f.endswith(".py")]
        self.modules = (sorted(f[:-3] for f in os.listdir(self.pkg)
                               if f.endswith(".py") and f != "__init__.py")
                        if os.path.isdir(self.pkg) else [])

    def precondition(self):
        return None if self.modules else f"no package at {self.pkg}"

    def matches(self, pattern):
        """'file:line: text' of each line of the tree's Python that matches,
        this file left out (it names the patterns)."""
        hits = []
        for path in self.files:
            if os.path.samefile(path, __file__):
                continue
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    if pattern.search(line.split("#", 1)[0]):
                        hits.append(f"{os.path.relpath(path, self.root)}:{n}: {line.strip()}")
        return hits

    def no_load_by_path(self):
        hits = self.matches(BY_PATH)
        return f"loaded by path: {hits}" if hits else None

    def no_sys_path(self):
        hits = self.matches(SYS_PATH)
        return f"sys.path changed: {hits}" if hits else None

    def imports(self, module):
        """The package's modules that module imports."""
        with open(os.path.join(self.pkg, module + ".py"), encoding="utf-8") as f:
            tree = ast.parse(f.read())
        out = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1:
                    names = [node.module] if node.module else [a.name for a in node.names]
                elif node.level == 0 and (node.module or "").startswith("qosdt."):
                    names = [node.module.split(".")[1]]
                elif node.module == "qosdt":
                    names = [a.name for a in node.names]
                else:
                    continue
            elif isinstance(node, ast.Import):
                names = [a.name.split(".")[1] for a in node.names
                         if a.name.startswith("qosdt.")]
            else:
                continue
            out.update(n for n in names if n in self.modules)
        return out

    def no_circle(self):
        graph = {m: self.imports(m) for m in self.modules}
        state = {}

        def visit(m, path):
            if state.get(m) == "done":
                return None
            if state.get(m) == "open":
                return path[path.index(m):] + [m]
            state[m] = "open"
            for d in sorted(graph[m]):
                circle = visit(d, path + [m])
                if circle:
                    return circle
            state[m] = "done"
            return None

        for m in self.modules:
            circle = visit(m, [])
            if circle:
                return "import circle: " + " -> ".join(circle)
        return None

    def all_import(self):
        try:
            importlib.import_module("matplotlib")
            plots = True
        except ImportError:
            plots = False
        bad = []
        for m in self.modules:
            if m == "eval_figures" and not plots:
                continue
            try:
                importlib.import_module(f"qosdt.{m}")
            except Exception as e:      # noqa: BLE001 - any failure is the finding
                bad.append(f"qosdt.{m}: {type(e).__name__}: {e}")
        return "; ".join(bad) or None

    def scripts_start(self):
        tools = os.path.join(self.root, "usertools")
        scripts = sorted(f for f in os.listdir(tools) if f.endswith(".py"))
        if not scripts:
            return f"no scripts in {tools}"
        bad = []
        for s in scripts:
            args, want = (([], 1) if s == "qosdt_hops.py" else (["--help"], 0))
            r = subprocess.run([sys.executable, os.path.join(tools, s)] + args,
                               stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=SCRIPT_TIMEOUT)
            out = (r.stdout + r.stderr).strip()
            if r.returncode != want or "usage" not in out.lower():
                bad.append(f"{s} {' '.join(args)}: exit {r.returncode} (expected {want} "
                           f"and its usage): {out[-300:]!r}")
        return "; ".join(bad) or None

    def documented(self):
        with open(os.path.join(self.root, "doc", "python.md"), encoding="utf-8") as f:
            doc = f.read()
        missing = [m for m in self.modules
                   if f"qosdt.{m}`" not in doc and f"`.{m}`" not in doc]
        return f"doc/python.md does not name: {missing}" if missing else None


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: python_package.py SOURCE_ROOT")
    t = Cases(os.path.abspath(sys.argv[1]))
    t.case("no Python file loads another by path", t.no_load_by_path)
    t.case("no Python file changes sys.path", t.no_sys_path)
    t.case("the package's modules import each other without a circle", t.no_circle)
    t.case("every module of the package imports", t.all_import)
    t.case("every script in usertools/ starts and prints its usage", t.scripts_start)
    t.case("doc/python.md names every module of the package", t.documented)
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
