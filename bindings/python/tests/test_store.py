"""Store behaviour through Python, and the shape of errors."""
import threading

import pytest

import agstate


def test_versions_and_changes():
    with agstate.Store({"todos": []}) as s:
        assert s.version == 0
        assert s.add("/todos/-", {"title": "plan", "done": False}) == 1
        assert s.set("/todos/0/done", True) == 2
        assert s.patch([{"op": "copy", "from": "/todos/0", "path": "/todos/-"}]) == 3
        assert s.merge({"owner": "ana", "todos": None}) == 4
        assert s.get() == {"owner": "ana"}
        assert s.remove("/owner") == 5
        assert s.to_json() == "{}"
        assert s.patch("[]") == 6  # an empty patch still commits a version


def test_results_keep_the_kind_of_the_document():
    assert agstate.apply_patch({"a": 1}, []) == {"a": 1}
    assert agstate.apply_patch('{"a": 1}', "[]") == '{"a":1}'
    assert agstate.apply_patch(b'{"a": 1}', b"[]") == b'{"a":1}'
    assert agstate.merge_patch({"a": 1}, {"b": 2}) == {"a": 1, "b": 2}
    assert agstate.resolve_pointer({"a": [5]}, "/a/0") == 5
    assert agstate.resolve_pointer('{"a": [5]}', "/a/0") == "5"


def test_member_order_is_kept_and_ignored_by_equality():
    assert agstate.format_json('{"b":1,"a":2}') == '{"b":1,"a":2}'
    assert agstate.format_json('{"b":1,"a":2}', sort_keys=True) == '{"a":2,"b":1}'
    assert agstate.format_json("[1]", pretty=True) == "[\n  1\n]"
    assert agstate.json_equal('{"a":1,"b":[1.0]}', '{"b":[1],"a":1}')


def test_member_names_compare_byte_for_byte():
    # As in Python's own dict: "\u00e9" and "e\u0301" are two keys, in every size of object.
    for filler in (0, 20, 300):
        document = {f"f{i}": i for i in range(filler)}
        document.update({"\u00e9": 1, "e\u0301": 2, "K": 3, "\u212a": 4})
        with agstate.Store(document) as s:
            assert s.get() == document
            assert s.get("/\u00e9") == 1 and s.get("/e\u0301") == 2 and s.get("/\u212a") == 4
            s.remove("/e\u0301")
            assert s.get("/\u00e9") == 1 and "e\u0301" not in s.get()
    # String values too, as RFC 6902 `test` compares them.
    assert not agstate.json_equal('"\u00e9"', '"e\u0301"')


def test_error_details():
    with pytest.raises(agstate.PathNotFound) as raised:
        agstate.apply_patch({"a": 1}, [{"op": "test", "path": "/a", "value": 1}, {"op": "remove", "path": "/b"}])
    e = raised.value
    assert (e.op_index, e.pointer, e.code, e.status) == (1, "/b", 5, "AGS_ERR_PATH_NOT_FOUND")
    assert isinstance(e, LookupError) and isinstance(e, agstate.AgstateError)
    with pytest.raises(agstate.InvalidJSON) as raised:
        agstate.validate_json('{"a": tru}')
    assert raised.value.offset == 6


def test_threads_lose_no_update():
    with agstate.Store({"log": []}) as s:
        def writer(k):
            for i in range(300):
                s.add("/log/-", k * 1000 + i)

        threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert s.version == 1200
        assert sorted(s.get("/log")) == sorted(k * 1000 + i for k in range(4) for i in range(300))


def test_library_version():
    assert agstate.library_version() == agstate.__version__
