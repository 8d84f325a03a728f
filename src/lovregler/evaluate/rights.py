"""Rights for compiled evaluators: the periods a right holds, kept per span and version,
held once across versions; and the forløb started by events.

Part of the runtime (:mod:`lovregler.evaluate.runtime` re-exports what generated code uses).
"""

from __future__ import annotations

from ..history import Event
from ..results import Right, RuleInfo
from ..timecalc import INF, add_duration
from . import periods as P
from .context import Ctx, Pred, Scope, Span, Timeline
from .lookups import events, first_day


def keep_rights(
    spans: tuple[Span, ...], periods: list[tuple[int, int]], first_day: int
) -> list[Right]:
    """Rights of one rule whose first day lies in one of its spans (before the ruleset's
    first version: in the first version), dropping one that lies inside an earlier one of its
    span. ``spans`` are the spans of the rule's versions that share these periods (the rule
    is the same in each), in order: one pass serves them all, and the rights come out span
    by span, as one call per span would give them."""
    kept: list[list[Right]] = [[] for _ in spans]
    for start, until in periods:
        if until < start:
            continue  # ended before it began (a same-day end later in the history)
        day = start if start > first_day else first_day
        i = _span_of(spans, day)
        if i < 0:
            continue  # in none of the spans
        span, out = spans[i], kept[i]
        version = span.version_on(day)
        if version is None or (
            out and any(r.start_day <= start and until <= r.until_day for r in out)
        ):
            continue
        out.append(Right(span.info, version, start, until))
    return kept[0] if len(kept) == 1 else [r for out in kept for r in out]


def _span_of(spans: tuple[Span, ...], day: int) -> int:
    """The index of the span that holds ``day``, or -1."""
    for i, span in enumerate(spans):
        if span.start <= day <= span.end:
            return i
    return -1


def held_once(rights: list[Right], groups: dict[RuleInfo, int]) -> list[Right]:
    """Drop a right that lies inside an earlier right of its group: a right whose rule is the
    same in consecutive versions is one entry, with the earlier version (catalogue C5).
    The order of the rights is left to ``Result.build``, which sorts them."""
    seen: set[int] = set()
    for r in rights:  # most citizens hold at most one right of each group: nothing to drop
        group = groups.get(r.rule)
        if group is not None:
            if group in seen:
                break
            seen.add(group)
    else:
        return rights
    kept: dict[int, list[Right]] = {}
    out: list[Right] = []
    for r in sorted(rights, key=lambda r: r.start_day):
        group = groups.get(r.rule)
        if group is not None:
            held = kept.setdefault(group, [])
            if any(k.start_day <= r.start_day and r.until_day <= k.until_day for k in held):
                continue
            held.append(r)
        out.append(r)
    return out


def when_periods(c: Ctx, sc: Scope, a: Timeline, lo: int, hi: int) -> list[tuple[int, int]]:
    """Maximal periods of ``a`` in the rule's force; per citizen up to as_of (open if it
    holds then), per forløb inside the forløb."""
    if not a:
        return []
    a = P.clip(a, lo, hi)
    if sc.per_citizen:
        a = P.clip(a, c.birth, c.as_of)
        return [(s, INF if e >= c.as_of else e) for s, e in a]
    return list(P.clip(a, sc.lo, sc.course_end))


def right_until(
    sc: Scope,
    start: int,
    length: tuple[int, int] | None,
    end: int | None,
    next_day: int | None,
    has_end: bool,
) -> int:
    """The last day of a right that began on ``start``."""
    if length is not None:
        return add_duration(start, length[0], length[1]) - 1
    cap = INF if sc.per_citizen else sc.course_end
    if has_end:
        if end is None:
            return cap
        return min(end, cap)
    if next_day is not None:
        return min(next_day - 1, cap)
    return cap


def started_courses(
    c: Ctx,
    etype: str,
    pred: Pred,
    length: tuple[str, object, object] | None,
    end_type: str | None,
    end_pred: Pred,
) -> list[tuple[int, int]]:
    """Courses started by events: a length, an end event (its day is the last) or the next
    start ends each one."""
    starts = events(c, etype, pred, 0, c.as_of)
    out = []
    for i, ev in enumerate(starts):
        ends = [INF]
        if length is not None:
            ends.append(_length_end(ev, length))
        if end_type is not None:
            found = first_day(c, end_type, end_pred, ev.day, c.as_of)
            if found is not None:
                ends.append(found)
        if i + 1 < len(starts):
            ends.append(starts[i + 1].day - 1)
        out.append((ev.day, min(ends)))
    return out


_UNIT = {"days": (0, 1), "weeks": (0, 7), "months": (1, 0), "years": (12, 0)}


def _length_end(ev: Event, length: tuple[str, object, object]) -> int:
    kind, a, b = length
    if kind == "fixed":
        return add_duration(ev.day, a, b) - 1  # type: ignore[arg-type]
    n = int(ev.attrs.get(a) or 0)  # type: ignore[arg-type, call-overload]
    m, d = _UNIT[b]  # type: ignore[index]
    return add_duration(ev.day, m * n, d * n) - 1


def attr_until(sc: Scope, ev: Event | None, attr: str, unit: str) -> int:
    """The last day of a right lasting the starting event's attribute (``varer varighed_år år``);
    open (the forløb's end) when there is no such event or attribute."""
    cap = INF if sc.per_citizen else sc.course_end
    if ev is None or ev.attrs.get(attr) is None:
        return cap
    return _length_end(ev, ("attr", attr, unit))
