#!/usr/bin/env bash
# Every test: Swift (Swift Testing), C (ctest), Python (pytest), Go (go test), against private database
# servers started for the run (scripts/servers.sh), then the examples in C, Python and Go with the
# dashboard's browser test (scripts/examples.sh --short), then the C tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, each fuzz harness for AGSTATE_FUZZ_SECONDS (default 60) and
# the threaded C tests under ThreadSanitizer. Stops at the first failure. Sanitizer builds live in
# .build-asan, .build-fuzz and .build-tsan, apart from the release build.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source "$ROOT/scripts/servers.sh"

echo "== Swift tests"
swift test
echo "== Swift tests again, every object and array with members in the large (persistent) form"
AGSTATE_LARGE_OBJECT_THRESHOLD=0 AGSTATE_LARGE_ARRAY_THRESHOLD=0 swift test --skip-build
echo "== C tests (ctest)"
(cd "$BUILD" && ctest --output-on-failure)
echo "== Python tests (pytest)"
(cd "$ROOT/bindings/python/tests" && "$VENV_PYTHON" -m pytest -q -p no:cacheprovider .)
echo "== Go tests"
(cd "$ROOT/bindings/go" && go vet ./... && go test -count=1 ./...)
echo "== Examples (C, Python, Go; the dashboard in headless Chromium)"
VENV_PYTHON=$VENV_PYTHON ROOT=$ROOT BUILD=$BUILD bash "$ROOT/scripts/examples.sh" --short
echo "== C tests under AddressSanitizer + UndefinedBehaviorSanitizer"
bash "$ROOT/tests-sanitizers/run-asan.sh"
echo "== Fuzzing, every harness for ${AGSTATE_FUZZ_SECONDS:-60} s from its corpus"
bash "$ROOT/tests-sanitizers/run-fuzz.sh" "${AGSTATE_FUZZ_SECONDS:-60}"
echo "== Threaded C tests under ThreadSanitizer"
bash "$ROOT/tests-sanitizers/run-tsan.sh"
