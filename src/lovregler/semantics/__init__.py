"""Stage 2, semantics: the vocabulary and what every name in a rule file refers to.

:mod:`~lovregler.semantics.vocabulary` holds the declarations of an ``ordforråd`` (event
types, attributes, facts, periods); :mod:`~lovregler.semantics.resolve` resolves names once,
for the checker, the compiler, the reference interpreter and the prose alike.
"""

from .resolve import (
    Names,
    PatternRef,
    TimelineRef,
    bundled_names,
    find_definition,
    resolve_pattern,
    resolve_timeline_name,
)

__all__ = [
    "Names",
    "PatternRef",
    "TimelineRef",
    "bundled_names",
    "find_definition",
    "resolve_pattern",
    "resolve_timeline_name",
]
