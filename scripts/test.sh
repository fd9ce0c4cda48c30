#!/usr/bin/env bash
# Every test: Swift (Swift Testing), C (ctest), Python (pytest), Go (go test), against private database
# servers started for the run (scripts/servers.sh). Stops at the first failure.
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
