#!/usr/bin/env bash
# Runs the C tests that use threads under ThreadSanitizer, against a TSan-instrumented build of the
# library (in .build-tsan, apart from the release build). A report makes the test exit with 66, and the
# script fails. The test command runs it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/.build-tsan/run
mkdir -p "$out/lib"
(cd "$root" && swift build -c release --product agstate --scratch-path .build-tsan -Xswiftc -sanitize=thread)
cp "$root/.build-tsan/release/libagstate.so" "$out/lib/libagstate.so.0"
ln -sf libagstate.so.0 "$out/lib/libagstate.so"
toolchain=$(dirname "$(command -v swift)")/../lib/swift/linux
# See the file for the one kind of report it hides, and why.
export TSAN_OPTIONS="suppressions=$root/tests-sanitizers/tsan-suppressions.txt ${TSAN_OPTIONS:-}"
status=0
for test in test_store test_api test_abi test_diff test_codec test_registry test_concurrent_txn; do
  clang -g -O1 -fsanitize=thread -I"$root/include" "$root/tests-c/$test.c" -L"$out/lib" -lagstate -lpthread -lm \
    -L"$toolchain" -ldispatch -lBlocksRuntime -Wl,-rpath,"$out/lib" -Wl,-rpath,"$toolchain" -o "$out/$test" 2>/dev/null
  args=""; [ "$test" = test_store ] && args=$root/test-vectors
  [ "$test" = test_concurrent_txn ] && args=3000  # rounds: enough for transactions to overlap
  if ! "$out/$test" $args; then echo "run-tsan: $test failed or ThreadSanitizer reported" >&2; status=1; fi
done
exit $status
