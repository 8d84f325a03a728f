"""Builds the hot path's modules with mypyc when it can (see src/lovregler/_native.py).

Everything else about the package is in pyproject.toml. ``make native`` runs
``python setup.py build_ext --inplace`` in the project's environment, where mypy (with its
compiler, mypyc) and every dependency needed to type-check the modules are installed. A
build without mypyc (pip's isolated build of a wheel, say) gives the pure Python package,
which computes the same results more slowly.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent
NATIVE = HERE / "src" / "lovregler" / "_native.py"


def native_modules() -> list[str]:
    """``_native.MODULES``, read without importing the package (it is not installed yet)."""
    for node in ast.parse(NATIVE.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MODULES":
            return list(ast.literal_eval(node.value))
    raise SystemExit(f"{NATIVE}: no MODULES tuple")


def source_of(module: str) -> Path:
    """The ``.py`` file of a dotted module name under ``src``."""
    return HERE / "src" / Path(*module.split(".")).with_suffix(".py")


def extensions() -> list:
    """The mypyc extensions, or none when mypyc is not installed here or cannot compile the
    modules (in an environment without the dependencies it type-checks them against, say):
    the package is then pure Python, and ``make native`` reports the failure."""
    try:
        from mypyc.build import mypycify
    except ImportError:
        return []
    paths = [str(source_of(m).relative_to(HERE)) for m in native_modules()]
    try:
        return mypycify(paths, opt_level="3", group_name="lovregler_native")
    except (SystemExit, Exception) as error:  # mypy reports type errors by exiting
        print(f"lovregler: not compiling the hot path with mypyc ({error})", file=sys.stderr)
        return []


class BuildWithManifest(build_ext):
    """build_ext that records the digest of each compiled source (``_native.MANIFEST``),
    by which the package knows at import whether its extensions match its sources."""

    def run(self) -> None:
        super().run()
        if not self.extensions:
            return
        import hashlib

        digests = {
            m: hashlib.sha256(source_of(m).read_bytes()).hexdigest() for m in native_modules()
        }
        root = HERE / "src" if self.inplace else Path(self.build_lib)
        manifest = root / "lovregler" / "_native_build.json"
        manifest.write_text(json.dumps(digests, indent=1) + "\n", encoding="utf-8")


setup(ext_modules=extensions(), cmdclass={"build_ext": BuildWithManifest})
