"""Runtime support for compiled evaluators: every name generated code may use.

Generated code (``compile.py``) resolves every name at compile time and calls these helpers
with constants and small predicate functions; it does ``from lovregler.evaluate.runtime
import *``, so :data:`__all__` here is its whole API. Everything works on int day numbers and
interval tuples (:mod:`lovregler.evaluate.periods`); events are looked up per type with
binary search. The helpers live in modules by concern:

* :mod:`~lovregler.evaluate.context` — the per-citizen context (:class:`Ctx`), a rule's
  :class:`Scope` and :class:`Span`;
* :mod:`~lovregler.evaluate.lookups` — events in a window, conditions, date helpers;
* :mod:`~lovregler.evaluate.timelines` — timelines and thresholds;
* :mod:`~lovregler.evaluate.obligations` — the instance drivers of obligations;
* :mod:`~lovregler.evaluate.rights` — rights and event-started forløb;
* :mod:`~lovregler.evaluate.weeks` — refusion week numbering.

The reference interpreter (``interpret.py``) implements the same semantics independently,
with day sets and linear scans; the property tests hold the two together.
"""

from __future__ import annotations

from ..prose.explanations import TAKEN_OVER
from ..results import Result
from ..timecalc import INF, birthday, hverdag
from . import periods as P
from .context import Ctx, Scope, Span, keep_result, known_result, shares
from .lookups import (
    age,
    compare,
    continues,
    end_of_month,
    event_at,
    event_day,
    event_on,
    events,
    exists,
    first_per_day,
    floor_from,
    next_after,
    period_start,
    present_values,
    shift,
    shorter,
)
from .obligations import (
    chain,
    chain_events,
    due_after,
    met_earlier,
    met_events,
    single,
    single_events,
    windows,
)
from .rights import attr_until, held_once, keep_rights, right_until, started_courses, when_periods
from .timelines import (
    Count,
    after_lasting,
    age_tl,
    between_tl,
    fact_tl,
    from_day,
    latest_tl,
    negate,
    period_keys_tl,
    period_tl,
    since_tl,
    suspended_on,
    taken_over,
    threshold,
    threshold_triggers,
)
from .weeks import week_values

# Every name generated code may use (it does ``from lovregler.evaluate.runtime import *``): the
# compiler emits calls of these and nothing else, so this list is the generated code's API.
__all__ = [
    "Ctx",
    "Scope",
    "Span",
    "INF",
    "P",
    "Result",
    "events",
    "event_day",
    "event_on",
    "event_at",
    "shorter",
    "continues",
    "exists",
    "shift",
    "age",
    "end_of_month",
    "negate",
    "fact_tl",
    "age_tl",
    "since_tl",
    "between_tl",
    "period_tl",
    "latest_tl",
    "from_day",
    "after_lasting",
    "Count",
    "threshold",
    "threshold_triggers",
    "floor_from",
    "single",
    "chain",
    "windows",
    "due_after",
    "met_events",
    "met_earlier",
    "keep_rights",
    "when_periods",
    "right_until",
    "week_values",
    "started_courses",
    "period_keys_tl",
    "attr_until",
    "chain_events",
    "single_events",
    "first_per_day",
    "held_once",
    "next_after",
    "hverdag",
    "birthday",
    "compare",
    "taken_over",
    "TAKEN_OVER",
    "period_start",
    "present_values",
    "known_result",
    "keep_result",
    "shares",
    "suspended_on",
]

#: The names above whose helpers read a citizen's events through its periods only, never
#: through the per-type index (``Ctx.index``); ``period_tl`` reads the index only for a
#: predicate on a period's start events. The compiled evaluator of a ruleset that uses no
#: other name makes its ``Ctx`` with ``index=False`` (compile.py): the index is then built
#: only if something reads it after all, so a wrong entry here costs time, never a result.
INDEX_FREE = frozenset(
    {"Ctx", "Scope", "Span", "INF", "P", "Result", "period_keys_tl", "period_tl", "week_values"}
    | {"known_result", "keep_result", "shares"}
)
