"""The transformer from Lark's parse tree to :mod:`lovregler.syntax.ast` nodes.

:class:`ToAst` is put together from one part per area of the grammar, each in the module
of that area, with a method named like each grammar rule or alias it turns into a node:

* :mod:`~lovregler.syntax.transform.structure`: files, rulesets, versions, documentation,
  periods of force, definitions and the forløb;
* :mod:`~lovregler.syntax.transform.declarations`: a vocabulary and its declarations;
* :mod:`~lovregler.syntax.transform.rules`: obligations, rights and values, their clauses;
* :mod:`~lovregler.syntax.transform.expressions`: conditions, dates, timelines;
* :mod:`~lovregler.syntax.transform.examples`: examples and their expected results.

Every part carries its own ``@v_args(inline=True, meta=True)``: Lark applies a class's
``@v_args`` only to the methods the class itself defines, never to inherited ones.
"""

from __future__ import annotations

from .declarations import DeclarationsToAst
from .examples import ExamplesToAst
from .expressions import ConditionsToAst, DatesToAst, TimelinesToAst
from .rules import RulesToAst
from .structure import StructureToAst


class ToAst(
    StructureToAst,
    DeclarationsToAst,
    RulesToAst,
    ConditionsToAst,
    DatesToAst,
    TimelinesToAst,
    ExamplesToAst,
):
    """Build :mod:`lovregler.syntax.ast` nodes from Lark's tree, with positions.

    It defines no method of its own (one would need ``@v_args`` here too).
    """


__all__ = ["ToAst"]
