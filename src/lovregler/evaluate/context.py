"""The per-citizen context of a compiled evaluation: the events indexed by type, the periods
built from them, and the scope and span a rule runs in.

Part of the runtime (:mod:`lovregler.evaluate.runtime` re-exports what generated code uses).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..history import Event, History
from ..history.event import build_periods, cut_periods
from ..results import RuleInfo
from ..semantics.vocabulary import PeriodDecl, Vocabulary
from ..timecalc import INF, shift_months
from . import periods as P

Pred = Callable[["Ctx", Event], bool] | None
"""A generated predicate on an event (``p3(c, e)``), or None for every event."""
Timeline = P.Timeline


class Ctx:
    """One citizen as of one day: the events that exist, indexed by type."""

    __slots__ = (
        "history",
        "as_of",
        "birth",
        "facts",
        "vocab",
        "index",
        "_periods",
        "own",
        "memo",
        "courses",
        "shared",
    )

    def __init__(
        self,
        history: History,
        as_of: int,
        vocab: Vocabulary,
        index: bool = True,
        built: Mapping[str, tuple[list[int], list[Event]]] | None = None,
    ):
        self.history = history
        self.as_of = as_of
        self.birth = history.birth_day
        self.facts = history.facts
        self.vocab = vocab
        # every evaluation asks for it (except one that reads its events through periods
        # only: compile.py passes index=False, and the index is built if something asks all
        # the same); shared by every ruleset that reads this history. The drivers read it
        # directly (``c.index.get(etype, NO_EVENTS)``): a method call per lookup cost more
        # than the lookup, and they look up ≈ 16 times per citizen
        # (``built``: the index the evaluator's gate has just read, the same one)
        if built is not None:
            self.index = built
        else:
            self.index = history.by_type(as_of) if index else IndexOnFirstUse(history, as_of)
        self._periods: dict[str, dict[object, list[tuple[int, int, int]]]] = {}
        # each period kind's own periods (touching ones not joined), built when first asked
        self.own: dict[str, OwnPeriods] = {}
        # what a driver computed once for this citizen and may ask again (keyed by the driver)
        self.memo: dict[tuple[object, ...], Any] = {}
        # the ruleset's forløb, set by the generated evaluate (a threshold that a new version
        # takes over asks whether one is running on the version's first day)
        self.courses: list[tuple[int, int]] = []
        # what depends only on the history, the day and a vocabulary's declarations (periods,
        # own periods, unfiltered period timelines): where the caller asked for it
        # (share_derived), computed by the first ruleset that asks and shared by every other
        # ruleset evaluating the same history on the same day
        self.shared = shared_derived(history, as_of)

    def of_type(self, etype: str) -> tuple[list[int], list[Event]]:
        """(days, events) of one type, in history order."""
        return self.index.get(etype, NO_EVENTS)

    def periods(self, name: str) -> dict[object, list[tuple[int, int, int]]]:
        """The periods of a declared kind, per key (cached): catalogue §0 merging, from the
        start and end events alone."""
        found = self._periods.get(name)
        if found is None:
            decl = self.vocab.periods[name]
            # keyed by what _build_periods reads: equal declarations of two rulesets'
            # vocabularies (each loads its own) share the result
            shared_key = (decl.start, decl.end, decl.key)
            found = self.shared.get(shared_key)
            if found is None:
                # (either route gives the same periods: tests/test_ctx_index.py)
                found = self.shared[shared_key] = _periods_of(self, decl)
            self._periods[name] = found
        return found


def shared_derived(history: History, as_of: int) -> dict[object, Any]:
    """The store of what is derived from ``history`` as of ``as_of`` alone, where a caller
    has offered one for that day (:func:`share_derived`); else a fresh store for this
    evaluation only. Its values are never changed once stored."""
    found = history.__dict__.get("_derived")
    if found is not None and found[0] == as_of:
        return found[1]  # type: ignore[no-any-return]
    return {}


def shares(history: History, as_of: int) -> bool:
    """Whether the caller shares the store of ``history`` for ``as_of`` (a batch:
    :func:`share_derived`)."""
    found = history.__dict__.get("_derived")
    return found is not None and found[0] == as_of


def known_result(history: History, as_of: int, key: object) -> Any:
    """The result kept under ``key`` for ``history`` on ``as_of`` by an earlier evaluation
    (:func:`keep_result`), or None: only where the caller shares the store (a batch)."""
    found = history.__dict__.get("_derived")
    if found is not None and found[0] == as_of:
        return found[1].get(key)
    return None


def keep_result(history: History, as_of: int, key: object, result: Any) -> Any:
    """``result``, kept under ``key`` for the evaluations of ``history`` on ``as_of`` that
    follow, where the caller shares the store (a batch evaluating an extension and its
    base: whichever comes second takes the base's entries from the first)."""
    found = history.__dict__.get("_derived")
    if found is not None and found[0] == as_of:
        found[1][key] = result
    return result


def share_derived(history: History, as_of: int) -> None:
    """Let the evaluations of ``history`` on day ``as_of`` that follow share what each
    derives from it alone: periods, own periods, unfiltered period timelines, the offers
    shorter than a duration. A batch does this before it evaluates a history under every
    ruleset. Not done by default: a caller evaluating one history again and again (a
    benchmark's rounds) would otherwise time the later evaluations without that work."""
    history.__dict__["_derived"] = (as_of, {})


def _periods_of(c: Ctx, decl: PeriodDecl) -> dict[object, list[tuple[int, int, int]]]:
    own = c.history.__dict__.get("_own")
    if own is not None:
        # the periods the fast loader made while it checked the history, cut at as_of:
        # no pass over the events and no index (a kind whose one event type starts and
        # ends its periods has no number there, and is built from the index below)
        kind = own[0].get((decl.start, decl.end, decl.key))
        if kind is not None:
            return cut_periods(own[1], kind, c.as_of)
    if type(c.index) is IndexOnFirstUse and decl.start != decl.end and not c.history.indexed():
        # An evaluator that reads periods only: one pass over the events in history order,
        # as the reference interpreter reads them, rather than building the index for this
        # (where another ruleset's evaluation has built it already, it serves: below)
        found, orphan = build_periods(c.history.events, decl, c.as_of)
        if orphan is None:
            return found
    # from the index; also the one event type that both starts and ends its periods, and a
    # history no loader would have given (an end with no open period)
    return _build_periods(c, decl)


class IndexOnFirstUse(Mapping[str, tuple[list[int], list[Event]]]):
    """The per-type index of a :class:`Ctx` made with ``index=False``: the history's own
    (:meth:`History.by_type`, built on the first read and kept there), read through this
    stand-in. The compiled evaluator of a ruleset that reads its events through periods
    only never reads it, so never builds it. It holds the history, not the context: a
    reference back would make every evaluation a cycle for the garbage collector."""

    __slots__ = ("history", "as_of")

    def __init__(self, history: History, as_of: int):
        self.history = history
        self.as_of = as_of

    def get(self, etype: str, default: Any = None) -> Any:
        return self.history.by_type(self.as_of).get(etype, default)

    def __getitem__(self, etype: str) -> tuple[list[int], list[Event]]:
        return self.history.by_type(self.as_of)[etype]

    def __iter__(self) -> Iterator[str]:
        return iter(self.history.by_type(self.as_of))

    def __len__(self) -> int:
        return len(self.history.by_type(self.as_of))


def _build_periods(
    c: Ctx, decl: PeriodDecl, join: bool = True
) -> dict[object, list[tuple[int, int, int]]]:
    """Periods per key: a start while open continues; a start on or before the day after
    the last end reopens that period (only when ``join``); open periods end at INF
    (validated histories only)."""
    key, start_type, end_type = decl.key, decl.start, decl.end
    starts = c.of_type(start_type)[1]
    if not starts:
        return {}  # no start event: no period (an end event alone fails validation)
    # history order (an event of a kind whose start and end type are one opens, then ends)
    marks = starts + c.of_type(end_type)[1] if end_type != start_type else starts[:]
    marks.sort(key=history_order)
    open_: dict[object, tuple[int, int]] = {}
    done: dict[object, list[tuple[int, int, int]]] = {}
    for e in marks:
        k = e.attrs.get(key) if key else None
        if e.type == start_type and k not in open_:
            closed = done.setdefault(k, [])
            if join and closed and e.day <= closed[-1][1] + 1:
                first, _, idx = closed.pop()
                open_[k] = (first, idx)
            else:
                open_[k] = (e.day, e.index)
        if e.type == end_type and k in open_:
            start, idx = open_.pop(k)
            done[k].append((start, e.day, idx))
    for k, (start, idx) in open_.items():
        done[k].append((start, INF, idx))
    return done


def history_order(e: Event) -> tuple[int, int, int]:
    # Same-day events keep the history's order (as History sorts them: seq, then input).
    return (e.day, e.seq or 0, e.index)


NO_EVENTS: tuple[list[int], list[Event]] = ([], [])
"""The (days, events) of a type the citizen has no event of (never to be changed)."""


class OwnPeriods:
    """The periods of one kind as their own start and end events give them (catalogue C5: an
    offer is judged on its own ``tilbud_start`` and ``tilbud_slut``; two offers that touch
    are not joined), each with its key and its events (the first is its start event)."""

    __slots__ = ("periods",)

    def __init__(self) -> None:
        self.periods: list[tuple[int, int, object, list[Event]]] = []

    def close(self, start: int, end: int, key: object, members: list[Event]) -> None:
        """Record a period and the events that belong to it."""
        self.periods.append((start, end, key, members))


class Scope:
    """A forløb seen by a rule span (or the whole citizen): see interpret.Scope."""

    __slots__ = ("course_start", "course_end", "lo", "hi", "per_citizen")

    def __init__(self, course_start: int, course_end: int, lo: int, hi: int, per_citizen: bool):
        self.course_start = course_start
        self.course_end = course_end
        self.lo = lo
        self.hi = hi
        self.per_citizen = per_citizen


class Span:
    """What the drivers need of a rule span: its bounds, versions and result info."""

    __slots__ = ("start", "end", "versions", "info")

    def __init__(
        self, start: int, end: int, versions: tuple[tuple[str, int, int], ...], info: RuleInfo
    ):
        self.start = start
        self.end = end
        self.versions = versions
        self.info = info

    def version_on(self, day: int) -> str | None:
        """The version in force on ``day``."""
        for name, lo, hi in self.versions:
            if lo <= day <= hi:
                return name
        return None


DueFn = Callable[[int], int | None]
MetFn = Callable[[int, int, bool, Event | None], int | None]
SuspFn = Callable[[int], bool] | None


#: Entries kept per :class:`MonthShift` table before it starts again (days are few in
#: practice; this bounds a long-running service that sees every day of a century). A
#: module constant, not a class attribute: the class is compiled by mypyc (lovregler._native),
#: which does not give a dict subclass's instances its class attributes.
MONTH_SHIFT_LIMIT = 1 << 16


class MonthShift(dict[int, int]):
    """``table[day]`` is ``day`` + ``n`` months in the standard convention (contract §3.2),
    for a real day (not INF): computed when first asked, then a dict lookup. The drivers ask
    for the same few days over and over (forløb starts, samtale dates), and a lookup in a
    table fetched once per chain costs less than a call of the shared ``lru_cache``."""

    __slots__ = ("n",)

    def __init__(self, n: int):
        super().__init__()
        self.n = n

    def __missing__(self, day: int) -> int:
        if len(self) >= MONTH_SHIFT_LIMIT:
            self.clear()
        shifted = self[day] = shift_months(day, self.n, False)
        return shifted


_MONTH_SHIFTS: dict[int, MonthShift] = {}


def month_shift(n: int) -> MonthShift:
    """The table of ``day`` + ``n`` months (one per ``n``, shared by every evaluation)."""
    table = _MONTH_SHIFTS.get(n)
    if table is None:
        table = _MONTH_SHIFTS[n] = MonthShift(n)
    return table
