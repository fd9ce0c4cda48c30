"""The shared conformance suites through the Python binding: every runnable case."""
import json

import pytest

import agstate
from conftest import load


def same(a, b):
    """JSON equality through the engine; values are passed as text, since a bare str would be read as text."""
    return agstate.json_equal(json.dumps(a), json.dumps(b))


def outcome(doc, patch, expected):
    """None when the case passes, else a description of what went wrong."""
    try:
        result = json.loads(agstate.apply_patch(json.dumps(doc), json.dumps(patch)))
    except agstate.AgstateError as error:
        return None if expected is None else f"raised {error!r}"
    if expected is None:
        return f"applied, giving {result!r}, but an error was expected"
    return None if same(result, expected) else f"got {result!r}, expected {expected!r}"


@pytest.mark.parametrize("name,runnable", [("tests.json", 92), ("spec_tests.json", 16)])
def test_json_patch_tests(name, runnable):
    failures, passed = [], 0
    for i, record in enumerate(load("json-patch-tests/" + name)):
        if "patch" not in record or "doc" not in record or record.get("disabled"):
            continue  # comment-only, or disabled upstream
        problem = outcome(record["doc"], record["patch"], record.get("expected"))
        if problem:
            failures.append(f"#{i} {record.get('comment', '')}: {problem}")
        else:
            passed += 1
    assert failures == []
    assert passed == runnable


def test_rfc6902_a13_duplicate_op_is_rejected_by_the_parser():
    # Python's json module would keep only the last "op"; the engine reads the text and sees both.
    for text in ['[{"op": "add", "path": "/baz", "value": "qux", "op": "remove"}]',
                 '[{"op": "add", "path": "/baz", "value": "qux", "op": "move", "from": "/foo"}]']:
        with pytest.raises(agstate.InvalidJSON, match='duplicate member name "op"'):
            agstate.apply_patch({"foo": "bar"}, text)


@pytest.mark.parametrize("name", ["json-patch.json", "rfc6902-examples.json", "json-patch-malformed.json"])
def test_jsonp_patches(name):
    failures, ran, skipped = [], 0, []
    for record in load("jsonp-test-suite/" + name):
        if record.get("skip"):
            # A.13 as stored there lost its duplicate "op" when read into a map; see the test above.
            skipped.append(record["title"])
            continue
        problem = outcome(record["json"], record["patch"], record.get("result"))
        ran += 1
        if problem:
            failures.append(f"{record['title']}: {problem}")
    assert failures == []
    assert ran > 0
    assert len(skipped) == (1 if name == "rfc6902-examples.json" else 0)


def test_jsonp_pointer_get():
    ran = 0
    for group in load("jsonp-test-suite/json-pointer.json"):
        for t in group["tests"]:
            if "value" in t:
                assert same(agstate.resolve_pointer(group["json"], t["pointer"]), t["value"])
            else:
                with pytest.raises(agstate.AgstateError):
                    agstate.resolve_pointer(group["json"], t["pointer"])
            ran += 1
    assert ran == 16


def jsonp_root_case(op, pointer, expected):
    """The JSON-P API forbids root operations RFC 6902 allows (jsonp-test-suite/SOURCES.md): skipped by name."""
    return pointer == "" and expected is None and op in ("add", "replace")


@pytest.mark.parametrize("op,skips", [("add", 2), ("replace", 6), ("remove", 0)])
def test_jsonp_pointer_operations(op, skips):
    failures, skipped, ran = [], 0, 0
    for group in load(f"jsonp-test-suite/json-pointer-{op}.json"):
        for t in group["tests"]:
            if jsonp_root_case(op, t["pointer"], t.get("result")):
                skipped += 1
                continue
            operation = {"op": op, "path": t["pointer"]}
            if "value" in t:
                operation["value"] = t["value"]
            problem = outcome(group["json"], [operation], t.get("result"))
            ran += 1
            if problem:
                failures.append(f"{op} {t['pointer']!r}: {problem}")
    assert failures == []
    assert skipped == skips
    assert ran > 10


@pytest.mark.parametrize("name,count", [("json-merge-patch.json", 26), ("rfc7396-examples.json", 2)])
def test_jsonp_merge_patch(name, count):
    ran = 0
    for group in load("jsonp-test-suite/" + name):
        for t in group["tests"]:
            merged = agstate.merge_patch(json.dumps(group["source"]), json.dumps(t["patch"]))
            assert same(json.loads(merged), t["target"]), t["description"]
            ran += 1
    assert ran == count


def test_jsoncons_merge_patch_appendix_a():
    ran = 0
    for group in load("jsoncons/mergepatch-rfc7396-test-cases.json"):
        for case in group["cases"]:
            merged = agstate.merge_patch(json.dumps(group["given"]), json.dumps(case["patch"]))
            assert same(json.loads(merged), case["result"])
            ran += 1
    assert ran == 15


@pytest.mark.parametrize("name,count", [("jsonpatch-fail.jsonc", 4), ("jsonpatch-test.jsonc", 2)])
def test_jsoncons_patches_are_all_or_nothing(name, count):
    ran = 0
    for group in load("jsoncons/" + name):
        for case in group["cases"]:
            with agstate.Store(group["given"]) as store:
                if "result" in case:
                    store.patch(case["patch"])
                    assert same(store.get(), case["result"])
                else:
                    with pytest.raises(agstate.AgstateError):
                        store.patch(case["patch"])
                    assert same(store.get(), group["given"]) and store.version == 0
            ran += 1
    assert ran == count


def test_json_schema_pointer_syntax():
    checked = 0
    for group in load("json-schema-test-suite-json-pointer/json-pointer.json"):
        for t in group["tests"]:
            if not isinstance(t["data"], str):
                continue  # JSON Schema formats ignore non-strings
            try:
                agstate.resolve_pointer({}, t["data"])
                valid = True
            except agstate.PathNotFound:
                valid = True  # well-formed, just not in {}
            except agstate.InvalidPointer:
                valid = False
            assert valid == t["valid"], (t["description"], t["data"])
            checked += 1
    assert checked == 34
