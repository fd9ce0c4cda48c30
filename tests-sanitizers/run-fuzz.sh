#!/usr/bin/env bash
# Fuzzes the C ABI for a while (default 60 s) with libFuzzer from the Swift toolchain's clang, against a
# build of the library instrumented for coverage and AddressSanitizer (in .build-fuzz).
# Not part of the test command: run it by hand after changing the parser, the patch or the codec code.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$root/build/fuzz
lib=$out/lib
(cd "$root" && swift build -c release --product agstate --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address)
mkdir -p "$lib"
cp "$root/.build-fuzz/release/libagstate.so" "$lib/libagstate.so.0"
ln -sf libagstate.so.0 "$lib/libagstate.so"
mkdir -p "$out/corpus"
for f in "$root"/test-vectors/*.json* "$root"/test-vectors/events/streams/*.ndjson "$root"/../shared/conformance/json-patch-tests/*.json; do cp "$f" "$out/corpus/" 2>/dev/null || true; done
clang -g -O1 -fsanitize=fuzzer,address -I"$root/include" "$here/fuzz_abi.c" -L"$lib" -lagstate -Wl,-rpath,"$lib" -o "$out/fuzz_abi"
"$out/fuzz_abi" -max_total_time="${1:-60}" -max_len=4096 -rss_limit_mb=4096 "$out/corpus"
