#!/usr/bin/env bash
# The benchmarks, side by side with the peers (not part of the tests). Builds agstate, prepares a virtual
# environment with the peers from PyPI (jsonpatch, fastjsonpatch), using the newest Python >= 3.12 it finds
# (fastjsonpatch needs it; without one it says so and measures the rest), and prints the tables.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

BENCH_PYTHON=""
for candidate in python3.13 python3.12 /root/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    BENCH_PYTHON=$candidate; break
  fi
done
[ -n "$BENCH_PYTHON" ] || { echo "bench: no Python 3.12 or later here: fastjsonpatch will not be measured"; BENCH_PYTHON=python3; }

BENCH_VENV=$BUILD/bench-venv
[ -x "$BENCH_VENV/bin/python" ] || "$BENCH_PYTHON" -m venv "$BENCH_VENV"
"$BENCH_VENV/bin/python" -m pip install -q --upgrade pip setuptools wheel >/dev/null
"$BENCH_VENV/bin/python" -m pip install -q jsonpatch >/dev/null
"$BENCH_VENV/bin/python" -m pip install -q fastjsonpatch >/dev/null 2>&1 || echo "bench: fastjsonpatch could not be installed"
"$BENCH_VENV/bin/python" -m pip install -q ag-ui-validate >/dev/null 2>&1 || echo "bench: ag-ui-validate could not be installed"
"$BENCH_VENV/bin/python" -m pip install -q json-merge-patch orjson yyjson >/dev/null 2>&1 || echo "bench: json-merge-patch, orjson or yyjson could not be installed"
# The C++ peer (nlohmann/json) and its compiler, from Debian; then configure again so that it is built.
if ! [ -e /usr/include/nlohmann/json.hpp ] || ! command -v g++ >/dev/null; then
  apt-get install -y -q nlohmann-json3-dev g++ >/dev/null 2>&1 || echo "bench: nlohmann-json3-dev could not be installed"
  cmake -S "$ROOT" -B "$BUILD" >/dev/null && cmake --build "$BUILD" -j"$(nproc)" >/dev/null
fi
"$BENCH_VENV/bin/python" -m pip install -q --no-build-isolation --force-reinstall --no-deps "$ROOT/bindings/python" >/dev/null
rm -rf "$ROOT/bindings/python/build" "$ROOT"/bindings/python/*.egg-info

echo "== Compression (benchmarks/compression.py)"
"$BENCH_VENV/bin/python" "$ROOT/benchmarks/compression.py"
echo
echo "== Diff (benchmarks/diff.py, build/benchmarks/bench_store_diff)"
"$BENCH_VENV/bin/python" "$ROOT/benchmarks/diff.py"
"$BUILD/benchmarks/bench_store_diff"
# The Go peer (evanphx/json-patch) from Debian, built against its GOPATH copy.
[ -d /usr/share/gocode/src/github.com/evanphx/json-patch ] || apt-get install -y -q golang-github-evanphx-json-patch-dev >/dev/null 2>&1 \
  || echo "bench: golang-github-evanphx-json-patch-dev could not be installed"
(cd "$ROOT/benchmarks/suite/peer_go" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="${GOCACHE:-$BUILD/gocache}" \
  go build -o "$BUILD/benchmarks/bench_suite_evanphx" .) 2>/dev/null || echo "bench: the Go peer could not be built"
echo
echo "== The suite: agstate against its peers (benchmarks/suite/run.py)"
"$BENCH_VENV/bin/python" "$ROOT/benchmarks/suite/run.py"
echo
echo "== Snapshots and history (build/benchmarks/bench_snapshot_history ${AGSTATE_BENCH_LARGE_MB:-100})"
"$BUILD/benchmarks/bench_snapshot_history" "${AGSTATE_BENCH_LARGE_MB:-100}"
echo
echo "== Event validation (benchmarks/validate.py, build/benchmarks/bench_validate_stream)"
"$BENCH_VENV/bin/python" "$ROOT/benchmarks/validate.py"
for stream in chat shared large; do
  echo "native, stream '$stream':"
  "$BUILD/benchmarks/bench_validate_stream" "$BUILD/benchmarks/events-$stream.ndjson"
done
echo
echo "== Python call overhead (benchmarks/python_overhead.py)"
"$BENCH_VENV/bin/python" "$ROOT/benchmarks/python_overhead.py"
echo
echo "== Parse and serialize (build/benchmarks/bench_parse_serialize)"
"$BUILD/benchmarks/bench_parse_serialize"
