#!/usr/bin/env bash
# Runs every libFuzzer harness tests-sanitizers/fuzz_<name>.c for a bounded time (default 60 s each),
# starting from its committed corpus tests-sanitizers/corpus/<name>/, against a build of the library
# instrumented for coverage and AddressSanitizer (in .build-fuzz, apart from the release build); the
# harnesses themselves also get UndefinedBehaviorSanitizer. A crash, a sanitizer report, a leak or an input
# that runs longer than 30 s stops the harness, and the script fails. The test command runs it.
# Usage: run-fuzz.sh [seconds] [name...]   (names default to every fuzz_*.c)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
seconds=${1:-60}
shift || true
out=$root/.build-fuzz/run
lib=$out/lib
(cd "$root" && swift build -c release --product agstate --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -g)
mkdir -p "$lib"
cp "$root/.build-fuzz/release/libagstate.so" "$lib/libagstate.so.0"
ln -sf libagstate.so.0 "$lib/libagstate.so"

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for harness in "$here"/fuzz_*.c; do names+=("$(basename "$harness" .c | sed 's/^fuzz_//')"); done
fi
# The sanitizer runtime reports a trap itself: the Swift runtime's backtracer, run inside it, would fault.
export SWIFT_BACKTRACE=enable=no
status=0
for name in "${names[@]}"; do
  [ -d "$here/corpus/$name" ] || { echo "run-fuzz: no corpus at tests-sanitizers/corpus/$name" >&2; exit 1; }
  clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fuse-ld=lld -I"$root/include" \
    "$here/fuzz_$name.c" -L"$lib" -lagstate -Wl,-rpath,"$lib" -o "$out/fuzz_$name"
  # A scratch copy of the corpus: what a run adds stays out of the committed one.
  rm -rf "$out/corpus-$name" && cp -r "$here/corpus/$name" "$out/corpus-$name"
  echo "== fuzz_$name for ${seconds} s from $(ls "$here/corpus/$name" | wc -l) corpus inputs"
  if ! (cd "$out" && "./fuzz_$name" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 -timeout=30 \
        -print_final_stats=1 "corpus-$name" 2>"fuzz_$name.log"); then
    grep -v '^    #[0-9]* 0x[0-9a-f]* in (/lib\|/usr)' "$out/fuzz_$name.log" | tail -n 80 >&2
    echo "run-fuzz: fuzz_$name found a failure; the input is in $out (crash-*, leak-*, timeout-*)" >&2
    status=1
  else
    grep -E "^stat::number_of_executed_units|^Done" "$out/fuzz_$name.log" || true
  fi
done
exit $status
