"""lovregler — rules-as-code for Danish employment law.

The public surface (documented in ``docs/api.rst``)::

    from lovregler import load_ruleset
    rs = load_ruleset("kontanthjælp_aktivitetsparat")
    result = rs.evaluate(citizen_dict, as_of="2015-09-01")   # a Result, in dates

The pipeline, one package per stage (see ``docs/contributing.rst``)::

    grammar/lovregler.lark ─► syntax ─► semantics ─► check ─► evaluate (plan, compile, runtime)
                                                           ├─► evaluate.interpret (reference oracle)
                                                           └─► prose ─► site

``load_ruleset`` (in ``api.py``) is the front object that ties the stages together.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import _native

# Before any submodule: the hot path's compiled modules, or their sources when the build
# is not of these sources (see _native).
_native.choose()

if TYPE_CHECKING:
    from .api import RuleDoc, Ruleset, VersionDoc, bundled_rulesets, load_ruleset, load_vocabulary
    from .errors import (
        ArgumentError,
        CheckError,
        EvaluationError,
        HistoryError,
        LovreglerError,
        RuleFileError,
        RuleNotFound,
        RulesetNotFound,
        RuleSyntaxError,
    )
    from .history import Event, History
    from .results import Obligation, Result, Right, RuleInfo, Status, Value

    __version__: str

#: Where each public name is defined. They are imported on first use (PEP 562), so that
#: ``import lovregler.<module>`` costs only what that module needs: a ``lovregler batch``
#: starts its workers' fork server before the rule pipeline (≈ 0.2 s) is imported.
_PUBLIC = {
    **dict.fromkeys(
        ("RuleDoc", "Ruleset", "VersionDoc", "bundled_rulesets", "load_ruleset", "load_vocabulary"),
        "api",
    ),
    **dict.fromkeys(
        (
            "ArgumentError",
            "CheckError",
            "EvaluationError",
            "HistoryError",
            "LovreglerError",
            "RuleFileError",
            "RuleNotFound",
            "RulesetNotFound",
            "RuleSyntaxError",
        ),
        "errors",
    ),
    **dict.fromkeys(("Event", "History"), "history"),
    **dict.fromkeys(("Obligation", "Result", "Right", "RuleInfo", "Status", "Value"), "results"),
}


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use and then kept here."""
    if name == "__version__":
        value: Any = _version()
    elif name in _PUBLIC:
        value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("lovregler")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


__all__ = [
    "ArgumentError",
    "CheckError",
    "EvaluationError",
    "Event",
    "History",
    "HistoryError",
    "LovreglerError",
    "Obligation",
    "Result",
    "Right",
    "RuleDoc",
    "RuleFileError",
    "RuleInfo",
    "RuleNotFound",
    "RuleSyntaxError",
    "Ruleset",
    "RulesetNotFound",
    "Status",
    "Value",
    "VersionDoc",
    "__version__",
    "bundled_rulesets",
    "load_ruleset",
    "load_vocabulary",
]
