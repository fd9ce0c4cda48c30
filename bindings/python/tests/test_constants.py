"""The header is the one place constants and defaults are written: the binding's constants are generated from
it, and the library agrees with it."""
import ctypes
import importlib.util
import os

import agstate
from agstate import _constants as C
from agstate import _native

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.normpath(os.path.join(HERE, ".."))


def _generator():
    spec = importlib.util.spec_from_file_location("gen_constants", os.path.join(PACKAGE, "gen_constants.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_constants_match_the_header():
    generator = _generator()
    with open(generator.HEADER, encoding="utf-8") as f:
        expected = generator.render(f.read())
    with open(os.path.join(PACKAGE, "agstate", "_constants.py"), encoding="utf-8") as f:
        committed = f.read()
    assert committed == expected, "agstate/_constants.py is out of date: run bindings/python/gen_constants.py"


def test_the_imported_constants_are_the_generated_ones():
    # The installed package (when tests run against it) carries the same file.
    with open(os.path.join(PACKAGE, "agstate", "_constants.py"), encoding="utf-8") as f:
        namespace = {}
        exec(compile(f.read(), "_constants.py", "exec"), namespace)
    for name, value in namespace.items():
        if name.startswith("AGS_"):
            assert getattr(C, name) == value, name


def test_the_generator_reads_every_kind_of_constant():
    names = {name for name in dir(C) if name.startswith("AGS_")}
    assert {"AGS_OK", "AGS_ERR_UNAVAILABLE", "AGS_JSON_PRETTY", "AGS_STREAM_SSE", "AGS_BATCHER_OPTIONS_INIT",
            "AGS_UNBOUNDED", "AGS_NTS", "AGS_ANY_VERSION", "AGS_VERSION"} <= names
    assert C.AGS_UNBOUNDED == C.AGS_NTS == 2 ** (8 * ctypes.sizeof(ctypes.c_size_t)) - 1
    assert C.AGS_ANY_VERSION == 2**64 - 1
    assert C.AGS_BATCHER_MAX_BOUND == 2**40
    assert C.AGS_BATCHER_OPTIONS_INIT[1] is None


def test_status_codes_and_exceptions_agree_with_the_library():
    for name in dir(C):
        if name.startswith("AGS_ERR_") or name == "AGS_OK":
            assert _native.lib.ags_status_name(getattr(C, name)).decode() == name
    classes = [agstate.InvalidArgument, agstate.InvalidJSON, agstate.InvalidPointer, agstate.InvalidPatch,
               agstate.PathNotFound, agstate.TestFailed, agstate.Conflict, agstate.LimitExceeded, agstate.Closed,
               agstate.IOFailure, agstate.NoMemory, agstate.InternalError, agstate.NotInHistory,
               agstate.CorruptData, agstate.Locked, agstate.RateLimited, agstate.Unavailable]
    codes = sorted(getattr(C, name) for name in dir(C) if name.startswith("AGS_ERR_"))
    assert sorted(cls.code for cls in classes) == codes
    for cls in classes:
        assert cls("x").status == _native.lib.ags_status_name(cls.code).decode()


def _fields(struct):
    return tuple(getattr(struct, name) for name, _ in struct._fields_)


def test_options_structs_match_the_library_defaults():
    for struct, init, version, initialise in [
        (_native.ags_commit_options, C.AGS_COMMIT_OPTIONS_INIT, C.AGS_COMMIT_OPTIONS_VERSION, "ags_commit_options_init"),
        (_native.ags_pack_options, C.AGS_PACK_OPTIONS_INIT, C.AGS_PACK_OPTIONS_VERSION, "ags_pack_options_init"),
        (_native.ags_diff_options, C.AGS_DIFF_OPTIONS_INIT, C.AGS_DIFF_OPTIONS_VERSION, "ags_diff_options_init"),
        (_native.ags_batcher_options, C.AGS_BATCHER_OPTIONS_INIT, C.AGS_BATCHER_OPTIONS_VERSION,
         "ags_batcher_options_init"),
        (_native.ags_validator_options, C.AGS_VALIDATOR_OPTIONS_INIT, C.AGS_VALIDATOR_OPTIONS_VERSION,
         "ags_validator_options_init"),
    ]:
        from_library = struct()
        assert getattr(_native.lib, initialise)(ctypes.byref(from_library), version) == C.AGS_OK
        assert _fields(from_library) == _fields(struct(*init)) == init, struct.__name__
        assert getattr(_native.lib, initialise)(ctypes.byref(from_library), version + 1) == C.AGS_ERR_INVALID_ARGUMENT


def test_binding_defaults_are_the_headers():
    import inspect

    assert inspect.signature(agstate.decompress).parameters["max_size"].default == C.AGS_DEFAULT_MAX_DECOMPRESSED_SIZE
    batcher = inspect.signature(agstate.Batcher).parameters
    assert batcher["max_operations"].default == C.AGS_BATCHER_DEFAULT_MAX_OPERATIONS
    assert batcher["max_bytes"].default == C.AGS_BATCHER_DEFAULT_MAX_BYTES
    assert batcher["window_ms"].default == C.AGS_BATCHER_DEFAULT_WINDOW_MS
    assert inspect.signature(agstate.pack).parameters["threshold"].default == C.AGS_ENVELOPE_THRESHOLD
    assert agstate.UNBOUNDED == C.AGS_UNBOUNDED
    assert agstate.__version__ == C.AGS_VERSION
