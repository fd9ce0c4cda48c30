#!/usr/bin/env python3
"""Checks that the C ABI shim (Sources/AGExports) holds no logic: every exported function is argument checks, one
call into the engine and the conversion of its result, so its body stays short. Decisions belong in the engine
modules, where Swift tests reach them."""
import os
import re
import sys

MAX_BODY_LINES = 12
root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
shim = os.path.join(root, "Sources", "AGExports")
failures, functions = [], 0
for name in sorted(os.listdir(shim)):
    if not name.endswith(".swift"):
        continue
    lines = open(os.path.join(shim, name), encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        m = re.match(r'@_cdecl\("(ags_\w+)"\)', line)
        if not m:
            continue
        functions += 1
        # A one-line function ends on its own line; otherwise the body runs to the closing brace in column 0.
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("}") or
                   (lines[j].startswith("public func") and lines[j].rstrip().endswith("}")))
        start = next(j for j in range(i + 1, end + 1) if lines[j].rstrip().endswith("{") or j == end)
        body = [l for l in lines[start + 1:end] if l.strip() and not l.strip().startswith("//")]
        if len(body) > MAX_BODY_LINES:
            failures.append(f"{name}: {m.group(1)} has {len(body)} lines (at most {MAX_BODY_LINES})")
for failure in failures:
    print(failure)
print(f"{functions} exported functions, {len(failures)} too long")
sys.exit(1 if failures or functions == 0 else 0)
