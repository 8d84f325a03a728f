"""The hot path's modules compiled to C by mypyc, used only when built from these sources.

A citizen's evaluation spends most of its time in a few plain, fully typed modules: the
loader's fast path and the timeline and week arithmetic. ``setup.py`` compiles them with
mypyc (``make native``; ``make test``, ``make demo`` and ``make bench`` run it) into
extension modules beside their sources, which Python's import system prefers to the
``.py`` files. The same sources stay the definition: mypyc keeps Python's semantics for
typed code, and the whole test suite runs against the compiled modules.

An extension built from older sources would run old code unseen, so :func:`choose` (called
when the package is imported) compares each source with the digest that the build
recorded (:data:`MANIFEST`). When any differs, or ``LOVREGLER_PURE`` is set, every one of
these modules is imported from its source instead, all together: compiled modules call
each other directly, so a mix would not follow the sources either.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType

#: The modules compiled by mypyc, in the order ``setup.py`` gives them to it. Each is typed
#: throughout and defines functions and plain classes only (no msgspec or attrs classes,
#: whose metaclasses mypyc cannot compile).
MODULES = (
    "lovregler.history.fast",
    "lovregler.evaluate.periods",
    "lovregler.evaluate.timelines",
    "lovregler.evaluate.weeks",
    "lovregler.evaluate.lookups",
    "lovregler.evaluate.obligations",
    "lovregler.evaluate.rights",
    "lovregler.evaluate.context",
)

#: Written by the build beside this module: the SHA-256 of each compiled module's source.
MANIFEST = "_native_build.json"

#: Set (to anything but "" or "0") to run the Python sources even when the build is current.
PURE_ENV = "LOVREGLER_PURE"

_PACKAGE = Path(__file__).resolve().parent


def source_path(module: str, package_dir: Path = _PACKAGE) -> Path:
    """The ``.py`` file of one of :data:`MODULES` under the package folder."""
    return package_dir.joinpath(*module.split(".")[1:]).with_suffix(".py")


def source_digest(path: Path) -> str:
    """The SHA-256 of a source file, as the build records it."""
    import hashlib  # here: only a process that finds a build needs it

    return hashlib.sha256(path.read_bytes()).hexdigest()


def built(package_dir: Path = _PACKAGE) -> bool:
    """Whether a compiled extension lies beside any of :data:`MODULES`' sources."""
    return any(_extension(module, package_dir) is not None for module in MODULES)


def stale(package_dir: Path = _PACKAGE) -> list[str]:
    """The modules whose source differs from the one their extension was built from (all
    of them when an extension or the manifest is missing)."""
    import json  # here: only a process that finds a build needs it

    try:
        recorded = json.loads((package_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return list(MODULES)
    if not isinstance(recorded, dict):  # not a manifest this package wrote
        return list(MODULES)
    return [
        module
        for module in MODULES
        if _extension(module, package_dir) is None
        or recorded.get(module) != source_digest(source_path(module, package_dir))
    ]


def choose(package_dir: Path = _PACKAGE) -> bool:
    """Decide, once per process, whether :data:`MODULES` come from their extensions (True)
    or from their sources. Sources are chosen by ``LOVREGLER_PURE``, when nothing is built,
    or with a warning when the build is stale."""
    if any(isinstance(finder, _SourceFirst) for finder in sys.meta_path):
        return False
    if not built(package_dir):
        return False
    wanted_pure = os.environ.get(PURE_ENV, "") not in ("", "0")
    behind = [] if wanted_pure else stale(package_dir)
    if not wanted_pure and not behind:
        return True
    if behind:
        warnings.warn(
            "lovregler: the compiled modules were built from other sources than "
            f"{', '.join(behind)}; running the Python sources (slower). "
            "`make native` builds them again.",
            RuntimeWarning,
            stacklevel=2,
        )
    sys.meta_path.insert(0, _SourceFirst(package_dir))
    return False


def active() -> bool:
    """Whether the compiled modules are the ones in use (imports them)."""
    return all(_is_extension(importlib.import_module(module)) for module in MODULES)


def pure_copy(module: str) -> ModuleType:
    """A fresh module made from the source of one of :data:`MODULES`, whatever is in use:
    for tests that replace a module's function (compiled code calls its own functions
    directly) and for the doctests of the compiled modules."""
    name = f"{module}__source"
    spec = importlib.util.spec_from_file_location(name, source_path(module))
    assert spec is not None and spec.loader is not None
    copy = importlib.util.module_from_spec(spec)
    sys.modules[name] = copy  # attrs and typing resolve names through sys.modules
    spec.loader.exec_module(copy)
    return copy


class _SourceFirst:
    """Finds :data:`MODULES` as their ``.py`` sources, ahead of the extension modules (a
    meta path finder; not derived from ``importlib.abc``, whose import costs more than all
    of this module, in every process that imports the package)."""

    def __init__(self, package_dir: Path):
        self.package_dir = package_dir

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        """A source spec for one of :data:`MODULES`; None (the usual finders) otherwise."""
        if fullname not in MODULES:
            return None
        return importlib.util.spec_from_file_location(
            fullname, source_path(fullname, self.package_dir)
        )


def _extension(module: str, package_dir: Path) -> Path | None:
    source = source_path(module, package_dir)
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = source.with_suffix(suffix)
        if candidate.exists():
            return candidate
    return None


def _is_extension(module: ModuleType) -> bool:
    return str(getattr(module, "__file__", "")).endswith(
        tuple(importlib.machinery.EXTENSION_SUFFIXES)
    )
