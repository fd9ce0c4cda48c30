#!/usr/bin/env python3
"""Writes agstate/_constants.py from include/agstate.h, the one place constants and defaults are written.

Every `#define AGS_*` that is a number or a string, every enum entry `AGS_*`, and every
`AGS_*_OPTIONS_INIT` initialiser (as a tuple, in the order of the struct's members, NULL as None) becomes a
Python name of the same spelling. Values that depend on the platform's size_t (SIZE_MAX, `(size_t)-1`) are
written as expressions over `ctypes.c_size_t`, so the generated file is the same on every machine.

    python3 bindings/python/gen_constants.py            # rewrites agstate/_constants.py
    python3 bindings/python/gen_constants.py --check    # exits 1 when the committed file is out of date

A test (tests/test_constants.py) regenerates the file and fails if it differs from the committed one.
"""
from __future__ import annotations

import ast
import os
import re
import sys
from typing import Dict, List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = os.path.normpath(os.path.join(HERE, "..", "..", "include", "agstate.h"))
TARGET = os.path.join(HERE, "agstate", "_constants.py")

# C spellings in the header that are not numbers, as the Python expressions they stand for.
_SYMBOLS = {"SIZE_MAX": "_SIZE_MAX", "UINT64_MAX": "_UINT64_MAX", "NULL": "None"}


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _python_expression(c: str) -> str:
    """A C constant expression of the header as Python source: integer suffixes dropped, casts to size_t
    turned into a mask, the C limit macros named."""
    c = c.strip()
    c = re.sub(r"\(\s*size_t\s*\)\s*(-?\s*\w+)", r"((\1) & _SIZE_MAX)", c)
    c = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]+\b", r"\1", c)
    for name, python in _SYMBOLS.items():
        c = re.sub(rf"\b{name}\b", python, c)
    return c


def _check_expression(python: str, known: Dict[str, object]) -> None:
    """Refuses anything but integers, strings, None, known names and integer operators: the generated file
    must hold constants only."""
    allowed = (ast.Expression, ast.Constant, ast.Name, ast.Load, ast.BinOp, ast.UnaryOp, ast.Tuple,
               ast.BitOr, ast.BitAnd, ast.LShift, ast.RShift, ast.Add, ast.Sub, ast.Mult, ast.USub, ast.Invert)
    for node in ast.walk(ast.parse(python, mode="eval")):
        if not isinstance(node, allowed):
            raise ValueError(f"not a constant expression: {python!r}")
        if isinstance(node, ast.Name) and node.id not in known:
            raise ValueError(f"{node.id} is used before it is defined: {python!r}")


def parse_header(text: str) -> List[Tuple[str, str]]:
    """(name, Python expression) for every constant of the header, in the header's order."""
    text = _strip_comments(text).replace("\\\n", " ")
    found: List[Tuple[str, str]] = []
    # The values so far, to check each expression and to number enum entries that have no "=".
    values: Dict[str, object] = {"_SIZE_MAX": (1 << 64) - 1, "_UINT64_MAX": (1 << 64) - 1, "None": None}

    def add(name: str, python: str) -> object:
        _check_expression(python, values)
        if name in values:
            raise ValueError(f"{name} is defined twice")
        values[name] = eval(compile(python, name, "eval"), {"__builtins__": {}}, values)
        found.append((name, python))
        return values[name]

    define = re.compile(r"^[ \t]*#[ \t]*define[ \t]+(AGS_\w+)[ \t]+([^\n]+)$", re.M)
    enum = re.compile(r"\benum\b[^{;]*\{([^}]*)\}", re.S)
    matches = sorted([(m.start(), "define", m) for m in define.finditer(text)]
                     + [(m.start(), "enum", m) for m in enum.finditer(text)], key=lambda e: e[0])
    for _, kind, match in matches:
        if kind == "define":
            name, value = match.group(1), match.group(2).strip()
            if value.startswith('"'):
                add(name, repr(ast.literal_eval(value)))
            elif value.startswith("{"):
                members = [_python_expression(part) for part in value.strip("{} ").split(",")]
                add(name, "(" + ", ".join(members) + ",)")
            else:
                add(name, _python_expression(value))
            continue
        following = 0
        for entry in match.group(1).split(","):
            name, _, value = (part.strip() for part in entry.partition("="))
            if name.startswith("AGS_"):
                following = int(add(name, _python_expression(value) if value else str(following))) + 1  # type: ignore
    return found


def render(header_text: str) -> str:
    lines = [
        '"""Every constant of include/agstate.h, under its C name.',
        "",
        "Generated from the header by bindings/python/gen_constants.py: do not edit, run the script. The",
        "*_OPTIONS_INIT tuples are the header's initialisers, one item per member of the options struct.",
        '"""',
        "import ctypes as _ctypes",
        "",
        "_SIZE_MAX = (1 << (8 * _ctypes.sizeof(_ctypes.c_size_t))) - 1",
        "_UINT64_MAX = (1 << 64) - 1",
        "",
    ]
    lines += [f"{name} = {python}" for name, python in parse_header(header_text)]
    return "\n".join(lines) + "\n"


def main(argv: List[str]) -> int:
    with open(HEADER, encoding="utf-8") as f:
        generated = render(f.read())
    if "--check" in argv:
        with open(TARGET, encoding="utf-8") as f:
            if f.read() != generated:
                print(f"{TARGET} is out of date: run {os.path.relpath(__file__)}", file=sys.stderr)
                return 1
        return 0
    with open(TARGET, "w", encoding="utf-8") as f:
        f.write(generated)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
