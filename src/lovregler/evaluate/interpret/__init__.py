"""The reference interpreter: the executable definition of what a rule means.

It walks the AST and follows the words of ``catalogue.md`` §0 and ``contract.md`` §3 as
literally as it can: a timeline is a Python ``set`` of day numbers, a threshold is found by
looking at one day after the other, an event search is a linear scan. It is slow on purpose
and small enough to read; the compiled evaluator (``compile.py``) must agree with it on every
history (the property tests check that), and users run the compiled one.

Semantics in brief (each function of the modules says which part it implements):

* The **forløb** of a ruleset are the maximal periods of its timeline, or the periods started
  by its start events (``course_from``).
* A **rule span** (``plan.py``) is evaluated once per forløb (or once per citizen); an
  instance is listed only when its trigger lies within the span's period of force (C1). The
  forløb keeps its real start: count periods are anchored on it, and a recurring chain is
  built from it, its links before the span carrying the chain unlisted. Only a rule with a
  declared transition sees a forløb running on the span's first day as begun that day.
* An **obligation instance** has a trigger, a due date, and maybe the date it was met; its
  status follows :func:`lovregler.results.status_of`. An instance due after its forløb ended
  is listed only if it was met inside the forløb.
* Open periods are taken to continue: the timeline sets run to a horizon well past
  ``as_of``, and a set that reaches the horizon is open-ended.

The modules, by concern: :mod:`.scope` (what every part shares), :mod:`.citizen` (one
citizen, and the dispatch of expressions on their class), :mod:`.conditions`,
:mod:`.dates`, :mod:`.thresholds` and :mod:`.timelines` (expressions), :mod:`.obligations`,
:mod:`.rights` and :mod:`.values` (the three kinds of rule) and :mod:`.interpreter` (rule
spans, scopes, the result). Each kind of AST node has one table from node class to handler;
:data:`DISPATCH` lists them, and ``tests/test_architecture.py`` checks that each covers
every class of its union.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ...syntax import ast
from .citizen import Citizen
from .conditions import CONDITIONS, OPERANDS, VALUE_SETS
from .dates import DATES
from .interpreter import RULES, Interpreter
from .obligations import TRIGGERS
from .scope import HORIZON_DAYS
from .timelines import TIMELINES

DISPATCH: Mapping[object, Mapping[type, Callable[..., Any]]] = {
    ast.BoolExpr: CONDITIONS,
    ast.Operand: OPERANDS,
    ast.ValueSet: VALUE_SETS,
    ast.DateExpr: DATES,
    ast.Timeline: TIMELINES,
    ast.Trigger: TRIGGERS,
    ast.Rule: RULES,
}
"""Each union of :mod:`lovregler.syntax.ast` → the interpreter's table for its classes."""

__all__ = ["DISPATCH", "HORIZON_DAYS", "Citizen", "Interpreter"]
