"""lovregler — rules-as-code for Danish employment law.

The pipeline, one module per stage::

    grammar/lovregler.lark ─► parse.py ─► ast.py ─► check.py ─► compile.py ─► runtime (timecalc, periods)
                                                         └──────► interpret.py (reference oracle)

``load_ruleset`` (in ``api.py``) is the front object that ties the stages together.
"""

from .api import Ruleset, bundled_rulesets, load_ruleset, load_vocabulary
from .errors import (
    CheckError,
    EvaluationError,
    HistoryError,
    LovreglerError,
    RuleSyntaxError,
)
from .history import History
from .results import Result

__all__ = [
    "CheckError",
    "EvaluationError",
    "History",
    "HistoryError",
    "LovreglerError",
    "Result",
    "RuleSyntaxError",
    "Ruleset",
    "bundled_rulesets",
    "load_ruleset",
    "load_vocabulary",
]
