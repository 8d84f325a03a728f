"""pytest set-up for the whole tree (tests/conftest.py has the tests' own).

The doctests of ``src`` are collected from the modules as imported. A module compiled by
mypyc (``lovregler._native``) is an extension, which the doctest collector cannot match to
its ``.py`` file; tests/test_native.py runs those doctests on the module's source instead.
"""

from lovregler import _native

collect_ignore = [str(_native.source_path(m)) for m in _native.MODULES] if _native.active() else []
