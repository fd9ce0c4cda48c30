#!/bin/sh
# Installs into a fresh prefix, then builds a program against the installed copy twice, through
# pkg-config and through find_package, runs both, and checks that the installed library needs nothing
# from the Swift toolchain.
set -eu
build=$1
downstream=$2
work=$build/install-test
rm -rf "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
lib=$(ls "$work"/prefix/lib*/libagstate.so.0 2>/dev/null || ls "$work"/prefix/lib/*/libagstate.so.0)
libdir=$(dirname "$lib")

if ldd "$lib" | grep -q -e /opt/swift -e 'not found' -e libswift; then
  echo "the installed library still needs the Swift toolchain:"; ldd "$lib"; exit 1
fi

export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc -Wall -Werror -o "$work/with_pkgconfig" "$downstream/main.c" $(pkg-config --cflags --libs agstate)
LD_LIBRARY_PATH="$libdir" "$work/with_pkgconfig"

cmake -S "$downstream" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
LD_LIBRARY_PATH="$libdir" "$work/cmake-build/downstream"

# The program records the SONAME, not a build path.
readelf -d "$work/with_pkgconfig" | grep -q 'NEEDED.*\[libagstate.so.0\]'
echo "installed copy: runs through pkg-config and find_package; ldd names nothing of the toolchain"
