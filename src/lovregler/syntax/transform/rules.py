"""The transformer's part for rules: obligations, rights and values, and their clauses."""

from __future__ import annotations

import datetime

import attrs
from lark import Token, v_args
from lark.tree import Meta

from ...errors import Diagnostic, RuleSyntaxError, SourcePos
from .. import ast
from .base import NodeBuilder, nfc, to_date, unquote
from .structure import split_docs


@v_args(inline=True, meta=True)
class RulesToAst(NodeBuilder):
    """The three kinds of rule: each clause becomes a (field, value) pair, and the pairs
    the fields of an :class:`~lovregler.syntax.ast.ObligationRule`,
    :class:`~lovregler.syntax.ast.RightRule` or :class:`~lovregler.syntax.ast.ValueRule`;
    week values and the triggers only rules have."""

    @v_args(meta=True)
    def obligation(self, meta: Meta, children: list[object]) -> ast.Rule:
        return self._rule("obligation", meta, children)

    @v_args(meta=True)
    def right(self, meta: Meta, children: list[object]) -> ast.Rule:
        return self._rule("right", meta, children)

    @v_args(meta=True)
    def value(self, meta: Meta, children: list[object]) -> ast.Rule:
        return self._rule("value", meta, children)

    def _rule(self, kind: str, meta: Meta, children: list[object]) -> ast.Rule:
        name, title, *clauses = children
        docs, clauses = split_docs(clauses)
        fields = self._fields(clauses)
        if kind == "obligation":
            _default_trigger(fields)
        cls = ast.RULE_CLASSES[kind]
        own = {f.name for f in attrs.fields(cls)}
        stray = tuple(key for key in fields if key not in own)  # reported by the checker
        return cls(  # type: ignore[misc]
            id=nfc(name),
            stray=stray,
            title=unquote(title),  # type: ignore[arg-type]
            docs=docs,
            pos=self.p(meta),
            **{key: value for key, value in fields.items() if key in own},  # type: ignore[arg-type]
        )

    def _fields(self, clauses: list[object]) -> dict[str, object]:
        """The rule's clauses as the fields of its node, with the trigger that a
        ``frist N efter <udløser>`` names merged in."""
        fields: dict[str, object] = {}
        implied: object = None  # the trigger of "frist N efter <udløser>"
        for clause in clauses:
            if isinstance(clause, ast.Validity):
                fields["validity"] = clause
                continue
            key: str = clause[0]  # type: ignore[index]
            val: object = clause[1]  # type: ignore[index]
            if key == "__many__":
                fields["deadline"] = val["deadline"]  # type: ignore[index]
                implied = val["trigger"]  # type: ignore[index]
            else:
                fields[key] = val
        self._merge_trigger(fields, implied)
        return fields

    def _merge_trigger(self, fields: dict[str, object], implied: object) -> None:
        """``frist N efter X`` names the trigger X, unless X is ``udløsningsdagen`` (then the
        trigger comes from ``udløses af``). Naming a trigger in both places is an error."""
        if implied is None or (
            isinstance(implied, ast.AtDate) and isinstance(implied.date, ast.TriggerDate)
        ):
            return
        if "trigger" in fields:
            pos = fields["deadline"].pos  # type: ignore[attr-defined]
            diag = Diagnostic(
                pos,
                "reglen har både »udløses af« og en frist efter en anden dag",
                "skriv »frist N efter udløsningsdagen« sammen med »udløses af«",
            )
            raise RuleSyntaxError([diag])
        fields["trigger"] = implied

    def holder(self, meta: Meta, name: Token) -> tuple[str, str]:
        return ("holder", nfc(name))

    def per_citizen(self, meta: Meta) -> tuple[str, bool]:
        return ("per_citizen", True)

    def overrides(self, meta: Meta) -> tuple[str, bool]:
        return ("overrides", True)

    def trigger(self, meta: Meta, spec: object) -> tuple[str, ast.Trigger]:
        return ("trigger", _as_trigger(spec, self.p(meta)))

    def due_after(
        self, meta: Meta, duration: ast.Duration, convention: str | None, spec: object
    ) -> tuple[str, dict[str, object]]:
        deadline = ast.Deadline(
            after=duration, convention=convention or "standard", pos=self.p(meta)
        )
        return ("__many__", {"deadline": deadline, "trigger": _as_trigger(spec, self.p(meta))})

    def due_at(
        self, meta: Meta, date: ast.DateExpr, convention: str | None
    ) -> tuple[str, ast.Deadline]:
        return (
            "deadline",
            ast.Deadline(at=date, convention=convention or "standard", pos=self.p(meta)),
        )

    def ultimo(self, meta: Meta) -> str:
        return "ultimo"

    def hverdag(self, meta: Meta) -> str:
        return "hverdag"

    def met_by(
        self, meta: Meta, count: Token | None, pattern: ast.Pattern, extra: object
    ) -> tuple[str, ast.MetBy]:
        # extra: the ALSO_EARLIER token, a ("since", date) pair, or None
        since = extra[1] if isinstance(extra, tuple) else None
        met = ast.MetBy(
            pattern=pattern,
            count=int(count) if count is not None else 1,
            also_earlier=isinstance(extra, Token),
            since=since,  # type: ignore[arg-type]
            pos=self.p(meta),
        )
        return ("met_by", met)

    def met_since(self, meta: Meta, date: ast.DateExpr) -> tuple[str, ast.DateExpr]:
        return ("since", date)

    def repeat(self, meta: Meta, duration: ast.Duration) -> tuple[str, ast.Duration]:
        return ("repeat", duration)

    def suspend(self, meta: Meta, tl: ast.Timeline) -> tuple[str, ast.Timeline]:
        return ("suspend", tl)

    def right_from(self, meta: Meta, spec: object) -> tuple[str, ast.Trigger]:
        return ("right_from", _as_trigger(spec, self.p(meta)))

    def right_until(self, meta: Meta, date: ast.DateExpr) -> tuple[str, ast.DateExpr]:
        return ("right_until", date)

    def right_until_next(self, meta: Meta, pattern: ast.Pattern) -> tuple[str, ast.Pattern]:
        return ("right_until_next", pattern)

    def right_for(self, meta: Meta, duration: ast.Duration) -> tuple[str, ast.Duration]:
        return ("right_for", duration)

    def right_for_attr(self, meta: Meta, name: Token, unit: str) -> tuple[str, ast.AttrLength]:
        # »varer varighed_år år«: the length is read from the event that starts the right
        return ("right_for", ast.AttrLength(attr=nfc(name), unit=unit, pos=self.p(meta)))

    def right_when(self, meta: Meta, tl: ast.Timeline) -> tuple[str, ast.Timeline]:
        return ("right_when", tl)

    def condition(self, meta: Meta, cond: ast.BoolExpr) -> tuple[str, ast.BoolExpr]:
        return ("condition", cond)

    def transition(self, meta: Meta, citation: Token) -> tuple[str, ast.Transition]:
        return ("transition", ast.Transition(citation=unquote(citation), pos=self.p(meta)))

    @v_args(meta=True)
    def week_value(self, meta: Meta, children: list[object]) -> tuple[str, ast.WeekValue]:
        tl, gap, restart, lookback, _unit, *rates, counted = children
        wv = ast.WeekValue(
            timeline=tl,  # type: ignore[arg-type]
            gap=int(gap),  # type: ignore[call-overload]
            lookback=int(lookback),  # type: ignore[call-overload]
            rates=tuple(rates),  # type: ignore[arg-type]
            counted_from=counted,  # type: ignore[arg-type]
            self_support=restart,  # type: ignore[arg-type]
            pos=self.p(meta),
        )
        return ("week_value", wv)

    def week_counted(self, meta: Meta, tok: Token) -> datetime.date:
        return to_date(tok, self.file)

    def weeks_without_benefit(self, meta: Meta) -> None:
        return None

    def whole_weeks_with(self, meta: Meta, name: Token) -> ast.Timeline:
        return ast.TlName(name=nfc(name), pos=self.p(meta))

    def rate_upto(self, meta: Meta, value: Token, week: Token) -> ast.Rate:
        return ast.Rate(value=int(value), up_to=int(week), pos=self.p(meta))

    def rate_rest(self, meta: Meta, value: Token) -> ast.Rate:
        return ast.Rate(value=int(value), up_to=None, pos=self.p(meta))

    def windows(self, meta: Meta, length: ast.Duration, anchor: ast.DateExpr) -> ast.CountWindows:
        return ast.CountWindows(length=length, anchor=anchor, pos=self.p(meta))

    def each_event(self, meta: Meta, pattern: ast.Pattern) -> ast.EachEvent:
        return ast.EachEvent(pattern=pattern, pos=self.p(meta))


def _default_trigger(fields: dict[str, object]) -> None:
    """A pligt with a fixed frist (``frist forløbets start``, ``frist 2015-06-01``) and no
    ``udløses af`` is triggered on the first day of the forløb, as the language reference
    and the prose say ("udløses ved forløbets start"). A per-borger rule has no forløb, so
    check reports the implied ``forløbets start`` there."""
    deadline = fields.get("deadline")
    if "trigger" in fields or not isinstance(deadline, ast.Deadline) or deadline.at is None:
        return
    fields["trigger"] = ast.AtDate(date=ast.CourseStart(pos=deadline.pos), pos=deadline.pos)


def _as_trigger(spec: object, pos: SourcePos) -> ast.Trigger:
    if isinstance(spec, ast.EachEvent | ast.CountWindows):
        return spec
    return ast.AtDate(date=spec, pos=pos)  # type: ignore[arg-type]
