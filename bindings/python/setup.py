"""Build steps pyproject.toml cannot express (all offline, all optional except the first):

1. slots/slots.cdef — the FFI declarations — is generated into the built package by running
   ffi/gen_cdef.py on include/slots.h (the one ABI description; never a copy kept by hand). Outside
   a libslots source tree an existing slots/slots.cdef is used.
2. The library: build/libslots.so.1, when the source tree has one, is copied next to the package
   (the first place `import slots` looks after SLOTS_LIBRARY). SLOTS_BUNDLE_LIBRARY=0 skips it;
   SLOTS_BUNDLE_LIBRARY=/path/libslots.so.1 bundles that file.
3. The cffi API-mode extension (slots/_slots_cffi*.so: faster field access) when cffi and a C
   compiler are present. SLOTS_BUILD_CFFI_EXT=0 skips it; a failure only prints a warning.

Offline install:  pip install --no-build-isolation bindings/python
"""
import importlib.util
import os
import shutil
import sys

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir))
GENERATOR = os.path.join(REPO, "ffi", "gen_cdef.py")
HEADER = os.path.join(REPO, "include", "slots.h")
BUILT_LIB = os.path.join(REPO, "build", "libslots.so.1")


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True  # the wheel may carry libslots and the cffi extension: tag it per platform


class BuildPy(build_py):
    def run(self):
        super().run()
        pkg = os.path.join(self.build_lib, "slots")
        self._cdef(pkg)
        self._library(pkg)
        self._cffi_extension(pkg)

    def _cdef(self, pkg):
        target = os.path.join(pkg, "slots.cdef")
        if os.path.exists(GENERATOR) and os.path.exists(HEADER):
            gen = _load(GENERATOR, "_slots_gen_cdef")
            with open(HEADER, encoding="utf-8") as f:
                text = gen.generate(f.read())
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
            print("slots: generated %s from %s" % (target, HEADER))
            return
        src = os.path.join(HERE, "slots", "slots.cdef")
        if not os.path.exists(src):
            raise SystemExit("slots: no ffi/gen_cdef.py + include/slots.h and no slots/slots.cdef: "
                             "build from a libslots source tree")
        shutil.copyfile(src, target)

    def _library(self, pkg):
        choice = os.environ.get("SLOTS_BUNDLE_LIBRARY", "")
        if choice == "0":
            return
        src = choice if choice not in ("", "1") else BUILT_LIB
        if not os.path.exists(src):
            if choice not in ("", "1"):
                raise SystemExit("slots: SLOTS_BUNDLE_LIBRARY=%s does not exist" % choice)
            print("slots: no %s; the installed package will look for libslots via SLOTS_LIBRARY or "
                  "the system (make install)" % src)
            return
        shutil.copyfile(os.path.realpath(src), os.path.join(pkg, "libslots.so.1"))
        print("slots: bundled %s" % src)

    def _cffi_extension(self, pkg):
        if os.environ.get("SLOTS_BUILD_CFFI_EXT", "") == "0":
            return
        try:
            import cffi  # noqa: F401
        except ImportError:
            print("slots: cffi not installed: no API-mode extension (ctypes / cffi ABI mode work)")
            return
        try:
            builder = _load(os.path.join(HERE, "slots", "_build_cffi.py"), "_slots_build_cffi")
            # Build against the cdef generated into the package above.
            out = builder.build(target_dir=pkg, header_dir=os.path.dirname(HEADER))
            print("slots: built %s" % out)
        except Exception as exc:  # a missing compiler or header must not fail the install
            print("slots: warning: cffi API-mode extension not built (%s)" % exc, file=sys.stderr)


setup(cmdclass={"build_py": BuildPy}, distclass=BinaryDistribution)
