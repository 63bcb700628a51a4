#!/usr/bin/env python3
"""Checks that Package.swift declares exactly what each target imports.

For every Swift target, the modules named in `import` lines (platform modules aside) must equal its declared
dependencies. A test target may also depend on executable targets, which it runs as processes and never imports.
Prints each mismatch and exits 1; prints nothing and exits 0 when the graph matches.

    tools/check-imports.py      (from the repository root)
"""
import json
import os
import re
import subprocess
import sys

PLATFORM = {"Foundation", "FoundationEssentials", "FoundationNetworking", "FoundationXML", "Glibc", "Musl", "Darwin", "Dispatch",
            "Synchronization", "Testing", "XCTest", "_Concurrency", "CoreFoundation", "os"}
IMPORT = re.compile(r"^\s*(?:@testable\s+|@_exported\s+|(?:public|internal|package|private|fileprivate)\s+)*"
                    r"import\s+(?:(?:struct|class|enum|protocol|func|typealias|var|let)\s+)?([A-Za-z_][A-Za-z_0-9]*)")


def imports(lines):
    """The modules imported at the top of a file (imports end at its first declaration)."""
    for line in lines:
        stripped = line.strip()
        match = IMPORT.match(line)
        if match:
            yield match.group(1)
        elif stripped and not stripped.startswith(("//", "/*", "*", "#if", "#else", "#elseif", "#endif")):
            return


def main() -> int:
    package = json.loads(subprocess.check_output(["swift", "package", "dump-package"], stderr=subprocess.DEVNULL))
    executables = {t["name"] for t in package["targets"] if t["type"] == "executable"}
    problems = []
    for target in package["targets"]:
        if target["type"] in ("system", "binary", "plugin", "macro"):
            continue
        name = target["name"]
        path = target.get("path") or ("Tests/" if target["type"] == "test" else "Sources/") + name
        declared = {value[0] for dependency in target["dependencies"] for value in dependency.values()}
        imported = set()
        for root, _, files in os.walk(path):
            for file in files:
                if file.endswith(".swift"):
                    with open(os.path.join(root, file), encoding="utf-8") as source:
                        imported.update(imports(source))
        imported -= PLATFORM
        undeclared = imported - declared
        unused = declared - imported
        if target["type"] == "test":
            unused -= executables
        if undeclared:
            problems.append(f"{name}: imports {', '.join(sorted(undeclared))} without declaring it in Package.swift")
        if unused:
            problems.append(f"{name}: declares {', '.join(sorted(unused))} but never imports it")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
