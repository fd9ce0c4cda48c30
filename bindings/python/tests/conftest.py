import json
import os

import pytest

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CONFORMANCE = os.path.join(ROOT, "test-vectors", "conformance")


def load(relative: str):
    with open(os.path.join(CONFORMANCE, relative), encoding="utf-8") as f:
        text = f.read()
    if relative.endswith(".jsonc"):
        text = strip_line_comments(text)
    return json.loads(text)


def strip_line_comments(text: str) -> str:
    """Drops `// ...` comments outside strings (the jsoncons files carry them after values)."""
    out, in_string, escaped, i = [], False, False, 0
    while i < len(text):
        c = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif text.startswith("//", i):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif c == '"':
            in_string = True
        out.append(c)
        i += 1
    return "".join(out)


@pytest.fixture
def conformance():
    return load
