#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer: builds the library, the command-line tool and every C test
# instrumented (a CMake build in .build-asan, apart from the release build) and runs the C tests. A report
# stops the program that made it, so its test fails and so does this script.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/.build-asan
toolchain=$(dirname "$(command -v swift)")
# clang from the Swift toolchain: the C programs and the Swift library must share one sanitizer runtime.
cmake -S "$root" -B "$out" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$toolchain/clang" \
  -DAGSTATE_SANITIZE=address,undefined >/dev/null
cmake --build "$out" -j 2
# The sanitizer runtime reports a trap itself: the Swift runtime's backtracer, run inside it, would fault.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="abort_on_error=0:detect_stack_use_after_return=1:strict_string_checks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
cd "$out" && ctest --output-on-failure
