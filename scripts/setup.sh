# Sourced by demo.sh and test.sh: installs what is missing on a fresh machine, then builds with CMake.
# Leaves: ROOT, BUILD (the CMake build folder), VENV_PYTHON (a Python with agstate installed).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
cd "$ROOT"

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH=/opt/swift/usr/bin:$PATH
fi
command -v swift >/dev/null 2>&1 || { echo "setup: the Swift toolchain is missing (expected at /opt/swift)" >&2; exit 1; }

# Debian packages: installed only when missing, so a prepared machine needs no network.
missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v cc >/dev/null 2>&1 || missing+=(gcc)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
command -v go >/dev/null 2>&1 || missing+=(golang-go)
command -v nm >/dev/null 2>&1 || missing+=(binutils)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
[ -f /usr/include/zstd.h ] || missing+=(libzstd-dev)
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
[ -f /usr/include/sodium.h ] || missing+=(libsodium-dev)
[ -f /usr/include/postgresql/libpq-fe.h ] || missing+=(libpq-dev)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v zstd >/dev/null 2>&1 || missing+=(zstd)
command -v gzip >/dev/null 2>&1 || missing+=(gzip)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)  # the dashboard example's browser test
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)  # promtool checks the metrics text
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The library (release, static Swift stdlib), the C examples and the C tests.
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j 2

# A virtual environment with the Python package installed from this tree (it carries build/lib's library).
VENV=$BUILD/venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv --system-site-packages "$VENV"
fi
VENV_PYTHON=$VENV/bin/python
"$VENV_PYTHON" -c 'import pytest' >/dev/null 2>&1 || "$VENV_PYTHON" -m pip install -q pytest
"$VENV_PYTHON" -c 'import setuptools, wheel' >/dev/null 2>&1 || "$VENV_PYTHON" -m pip install -q setuptools wheel
# The interoperability tests run AG-UI software written elsewhere: the official SDK (ag-ui-protocol 1.x) and
# pydantic-ai's AG-UI adapter (pydantic-ai-slim with its ag-ui extra), both offline.
"$VENV_PYTHON" -c 'import ag_ui.core, ag_ui.encoder, pydantic_ai.ui.ag_ui' >/dev/null 2>&1 ||
  "$VENV_PYTHON" -m pip install -q "ag-ui-protocol>=1.0,<2" "pydantic-ai-slim[ag-ui]"
# The optional integrations the tests exercise: the metrics parser and collector, and OpenTelemetry.
"$VENV_PYTHON" -c 'import prometheus_client, opentelemetry.sdk' >/dev/null 2>&1 \
  || "$VENV_PYTHON" -m pip install -q prometheus_client opentelemetry-api opentelemetry-sdk
# The distributed example holds its leader's advisory lock in a database session of its own (psycopg).
"$VENV_PYTHON" -c 'import psycopg' >/dev/null 2>&1 || "$VENV_PYTHON" -m pip install -q "psycopg[binary]>=3,<4"
# orjson is optional for the package; the tests run every value conversion with it and with json.
"$VENV_PYTHON" -c 'import orjson' >/dev/null 2>&1 || "$VENV_PYTHON" -m pip install -q orjson \
  || echo "setup: orjson could not be installed: the Python tests will cover json only"
"$VENV_PYTHON" -m pip install -q --no-build-isolation --force-reinstall --no-deps "$ROOT/bindings/python" >/dev/null
rm -rf "$ROOT/bindings/python/build" "$ROOT"/bindings/python/*.egg-info

# Go: the library through CGO_LDFLAGS; no module downloads are needed.
export CGO_LDFLAGS="-L$BUILD/lib -Wl,-rpath,$BUILD/lib"
export GOCACHE=${GOCACHE:-$BUILD/go-cache}
export GOFLAGS=-mod=mod GOPROXY=off
