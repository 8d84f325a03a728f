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

from importlib import metadata as _metadata

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

try:
    __version__: str = _metadata.version("lovregler")
except _metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

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
