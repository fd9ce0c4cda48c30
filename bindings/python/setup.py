"""Copies libagstate into the package when one is built, so the installed package carries its engine.

The library is taken from $AGSTATE_LIBRARY, else from the CMake build of this source tree
(build/lib/libagstate.so.0, built with the static Swift stdlib so it runs without the toolchain).
Without either, the package installs without a copy and looks for the library at import time.
"""
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
CANDIDATES = [
    os.environ.get("AGSTATE_LIBRARY", ""),
    os.path.join(HERE, "..", "..", "build", "lib", "libagstate.so.0"),
]


def built_library():
    for path in CANDIDATES:
        if path and os.path.isfile(path):
            return os.path.realpath(path)
    return None


class BuildPyWithLibrary(build_py):
    def run(self):
        super().run()
        library = built_library()
        if library:
            target = os.path.join(self.build_lib, "agstate", "libagstate.so")
            shutil.copyfile(library, target)
            os.chmod(target, 0o755)


class PlatformDistribution(Distribution):
    """A wheel that carries a native library is specific to its platform."""

    def has_ext_modules(self):
        return built_library() is not None


setup(cmdclass={"build_py": BuildPyWithLibrary}, distclass=PlatformDistribution)
